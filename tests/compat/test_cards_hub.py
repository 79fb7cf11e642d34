"""Cards on a real hub, written and read by hubkit and by the real huggingface_hub 2.4.0.

Both clients push cards, update metadata and have the hub validate it; each reads what the other
wrote. The card module functions of both libraries use the default endpoint, so the tests point
it at the test hub (``HF_ENDPOINT`` for hubkit, the import-time constant for huggingface_hub).
"""

from __future__ import annotations

import copy
import warnings

import httpx
import huggingface_hub as hfh
import pytest
from huggingface_hub import constants as hfh_constants

import hubkit
from hubserver import ALICE, BOB

SEED = """---
license: mit
tags:
- seed
model-index:
- name: seed-model
  results:
  - task:
      type: text-classification
    dataset:
      name: IMDb
      type: imdb
    metrics:
    - type: accuracy
      value: 0.9
---
# Seed

Body kept: café 🤗
"""
UPDATE = {
    "tags": ["seed", "merged"],
    "datasets": ["imdb"],
    "model-index": [{"name": "seed-model", "results": [{
        "task": {"type": "text-classification"}, "dataset": {"name": "IMDb", "type": "imdb"},
        "metrics": [{"type": "accuracy", "value": 0.95}, {"type": "f1", "value": 0.8}]}]}],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _endpoint(hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(hfh_constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(
        hfh_constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}"
    )
    monkeypatch.setattr(hfh.hf_api.api, "endpoint", hub.url)  # module functions' HfApi, built at import


def readme(hub, repo: str, revision: str = "main") -> str:
    r = httpx.get(f"{hub.url}/{repo}/resolve/{revision}/README.md", headers={"authorization": f"Bearer {ALICE}"})
    r.raise_for_status()
    return r.text


def new_repo(alice: hfh.HfApi, unique: str, name: str, card: str | None = SEED) -> str:
    repo = alice.create_repo(f"alice/{name}-{unique}").repo_id
    if card is not None:
        alice.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo)
    return repo


def test_cards_cross_read(alice: hfh.HfApi, hub, unique: str) -> None:
    repo_a, repo_b = new_repo(alice, unique, "card-a", None), new_repo(alice, unique, "card-b", None)
    hfh.ModelCard(SEED).push_to_hub(repo_a, token=ALICE)
    ours = hubkit.ModelCard.load(repo_a, token=ALICE)
    theirs = hfh.ModelCard.load(repo_a, token=ALICE)
    assert ours.data.to_dict() == theirs.data.to_dict() and ours.text == theirs.text and str(ours) == str(theirs)

    data = hubkit.ModelCardData(
        license="apache-2.0", language=["en", "fr"], tags=["x"], model_name="m", custom_key={"kept": [1, "two"]},
        eval_results=[hubkit.EvalResult("text-classification", "imdb", "IMDb", "f1", 0.5, dataset_split="test")],
    )  # fmt: skip
    url = hubkit.ModelCard.from_template(data, model_id="m").push_to_hub(repo_b, token=ALICE, commit_message="card")
    assert "/commit/" in str(url)
    read = hfh.ModelCard.load(repo_b, token=ALICE)
    assert read.data.to_dict() == data.to_dict() and read.data.eval_results[0].dataset_split == "test"
    assert hubkit.ModelCard.load(repo_b, token=ALICE).text == read.text
    dataset_repo = alice.create_repo(f"alice/ds-card-{unique}", repo_type="dataset").repo_id
    hubkit.DatasetCard.from_template(hubkit.DatasetCardData(pretty_name="Cats", license="mit")).push_to_hub(
        dataset_repo, token=ALICE
    )
    assert hfh.DatasetCard.load(dataset_repo, token=ALICE).data.pretty_name == "Cats"


def test_push_to_hub_pull_request_and_parent_commit(alice: hfh.HfApi, hub, unique: str) -> None:
    repo = new_repo(alice, unique, "card-pr")
    head = alice.repo_info(repo).sha
    card = hubkit.ModelCard(SEED.replace("license: mit", "license: apache-2.0"))
    info = card.push_to_hub(repo, token=ALICE, create_pr=True)
    assert info.pr_revision == "refs/pr/1" and readme(hub, repo) == SEED
    assert "apache-2.0" in readme(hub, repo, "refs%2Fpr%2F1")
    card.push_to_hub(repo, token=ALICE, parent_commit=head)
    card.data.license = "cc-by-4.0"
    with pytest.raises(hubkit.HfHubHTTPError) as err:  # main moved: the stale parent is refused
        card.push_to_hub(repo, token=ALICE, parent_commit=head)
    assert err.value.response.status_code == 412


def test_metadata_update_gives_the_same_readme(alice: hfh.HfApi, hub, unique: str) -> None:
    ours, theirs = new_repo(alice, unique, "meta-ours"), new_repo(alice, unique, "meta-theirs")
    hubkit.metadata_update(ours, copy.deepcopy(UPDATE), overwrite=True, token=ALICE)
    hfh.metadata_update(theirs, copy.deepcopy(UPDATE), overwrite=True, token=ALICE)
    assert readme(hub, ours) == readme(hub, theirs) != SEED
    assert "Body kept: café 🤗" in readme(hub, ours)
    commit = alice.list_repo_commits(ours)[0]
    assert commit.title == "Update metadata with huggingface_hub"

    before = readme(hub, ours)
    with pytest.raises(ValueError, match="existing meta data field 'license'"):
        hubkit.metadata_update(ours, {"license": "apache-2.0"}, token=ALICE)
    changed = copy.deepcopy(UPDATE)
    changed["model-index"][0]["results"][0]["metrics"][0]["value"] = 0.1
    for update in (hubkit.metadata_update, hfh.metadata_update):
        with pytest.raises(ValueError, match="existing metric 'name: None, type: accuracy'"):
            update(ours, copy.deepcopy(changed), token=ALICE)
    assert readme(hub, ours) == before
    hubkit.metadata_update(ours, {"license": "mit"}, token=ALICE)  # same value: nothing to overwrite


def test_metadata_update_on_repos_without_readme(alice: hfh.HfApi, hub, unique: str) -> None:
    repo = new_repo(alice, unique, "meta-new", None)
    new = {"license": "mit", "tags": ["t"], "model-index": [{"results": [{
        "task": {"type": "text-classification"}, "dataset": {"name": "IMDb", "type": "imdb"},
        "metrics": [{"type": "accuracy", "value": 0.5}]}]}]}  # fmt: skip
    hubkit.metadata_update(repo, new, token=ALICE)
    card = hfh.ModelCard.load(repo, token=ALICE)
    assert card.data.license == "mit" and card.data.model_name == repo  # no name given: the repo id
    assert [r.metric_value for r in card.data.eval_results] == [0.5]
    dataset = alice.create_repo(f"alice/meta-ds-{unique}", repo_type="dataset").repo_id
    hubkit.metadata_update(dataset, {"pretty_name": "P"}, repo_type="dataset", token=ALICE)
    assert hfh.DatasetCard.load(dataset, token=ALICE).data.pretty_name == "P"


@pytest.mark.parametrize(
    ("card", "needle"),
    [
        ("---\nlicense: mit\nmodel-index: not-a-list\n---\n# x\n", '"model-index" must be an array'),
        ("---\nmodel-index:\n- results: []\n---\n", '"model-index[0].name" is required'),
        ("---\nmodel-index:\n- name: n\n  results:\n  - task: {}\n    dataset: {name: D}\n---\n", "task.type"),
        ("---\nlicense: my-own\n---\n", '"license" must be one of'),
        ("---\ntags: {a: 1}\n---\n", '"tags" must be a string or an array'),
        ("---\ndatasets: [1]\n---\n", '"datasets[0]" must be a string'),
    ],
)
def test_validate_refuses_bad_metadata(hub, card: str, needle: str) -> None:
    for card_class in (hubkit.RepoCard, hfh.RepoCard):
        with pytest.raises(ValueError) as err:
            card_class(card).validate()
        assert needle in str(err.value) and "- Error:" in str(err.value), card_class
    r = httpx.post(f"{hub.url}/api/validate-yaml", json={"content": card, "repoType": "model"})
    assert r.status_code == 400 and any(needle in e["message"] for e in r.json()["errors"])


def test_invalid_yaml_is_refused(hub) -> None:
    r = httpx.post(
        f"{hub.url}/api/validate-yaml", json={"content": "---\na: [\n---\n"}, headers={"accept": "text/plain"}
    )
    assert r.status_code == 400 and r.text.startswith("- Error: Invalid YAML")
    r = httpx.post(f"{hub.url}/api/validate-yaml", json={"content": "# none"}, headers={"accept": "text/plain"})
    assert r.status_code == 200 and r.text.startswith("- Warning: Empty metadata")


def test_commits_check_the_readme(alice: hfh.HfApi, hub, unique: str) -> None:
    api = hubkit.HfApi(endpoint=hub.url, token=ALICE)
    repo = new_repo(alice, unique, "validated", None)
    bad = b"---\nmodel-index: foo\n---\n"
    with pytest.raises(ValueError, match=r"Invalid metadata in README\.md\.\n- \"model-index\" must be an array"):
        alice.upload_file(path_or_fileobj=bad, path_in_repo="README.md", repo_id=repo)
    with pytest.raises(ValueError, match=r"Invalid metadata in README\.md"):
        api.upload_file(path_or_fileobj=bad, path_in_repo="README.md", repo_id=repo)
    for client in (alice, api):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            client.upload_file(path_or_fileobj=b"# no metadata\n", path_in_repo="README.md", repo_id=repo)
        assert any("Empty metadata" in str(w.message) for w in seen), client
    good = hfh.ModelCard(SEED)
    good.validate()
    hubkit.ModelCard(SEED).validate()


def test_space_and_dataset_rules(hub) -> None:
    space = "---\ntitle: T\nsdk: gradio\nsdk_version: 4.0\npython_version: 3.10\napp_port: 7860\n---\n"
    hubkit.SpaceCard(space).validate()
    with pytest.raises(ValueError, match='"sdk" must be one of'):
        hubkit.SpaceCard(space.replace("gradio", "flask")).validate()
    hubkit.DatasetCard("---\nlicense: [mit, cc-by-4.0]\ntask_categories: text-classification\n---\n").validate()


def test_card_of_a_private_repo_needs_access(alice: hfh.HfApi, hub, unique: str) -> None:
    repo = alice.create_repo(f"alice/private-card-{unique}", private=True).repo_id
    alice.upload_file(path_or_fileobj=SEED.encode(), path_in_repo="README.md", repo_id=repo)
    with pytest.raises(hubkit.RepositoryNotFoundError):  # before alice's copy is in the (shared) cache
        hubkit.ModelCard.load(repo, token=BOB)
    assert hubkit.ModelCard.load(repo, token=ALICE).data.license == "mit"
    with pytest.raises(hubkit.RepositoryNotFoundError):
        hubkit.metadata_update(repo, {"license": "apache-2.0"}, overwrite=True, token=BOB)
