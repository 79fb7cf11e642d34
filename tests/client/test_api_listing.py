"""list_models / list_datasets / list_spaces with hubkit against a real ``hubkit serve``."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import httpx
import pytest
from huggingface_hub import HfApi as RealHfApi

from hubkit import HfApi, _http
from hubkit.api.types import DatasetInfo, ModelCardData, ModelInfo, SpaceInfo


@pytest.fixture
def requests_seen() -> Iterator[list[httpx.Request]]:
    """Every request the shared client sends (to the real server), in order."""
    seen: list[httpx.Request] = []

    def factory() -> httpx.Client:
        client = _http.default_client_factory()
        client.event_hooks["request"].append(seen.append)
        return client

    _http.set_client_factory(factory)
    yield seen
    _http.set_client_factory(_http.default_client_factory)


@pytest.fixture
def catalog(alice_api: RealHfApi, hub, tokens, unique: str) -> list[str]:
    """Three models with cards (one private), liked differently."""
    ids = [f"alice/cat-{unique}-{n}" for n in ("a", "b", "c")]
    for i, repo in enumerate(ids):
        alice_api.create_repo(repo, private=(i == 2))
        card = (f"---\nlicense: mit\ntags: [t-{unique}, n{i}]\nlibrary_name: transformers\n"
                f"pipeline_tag: text-generation\nco2_eq_emissions: {10 ** i}\n---\n# card\n")  # fmt: skip
        alice_api.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo)
    HfApi(endpoint=hub.url, token=tokens["bob"]).like(ids[1])
    return ids


def test_search_author_filter(api: HfApi, hub, tokens, catalog: list[str], unique: str) -> None:
    assert sorted(m.id for m in api.list_models(search=f"cat-{unique}")) == catalog
    bob = HfApi(endpoint=hub.url, token=tokens["bob"])
    anon = HfApi(endpoint=hub.url, token=False)
    assert sorted(m.id for m in bob.list_models(search=f"cat-{unique}")) == catalog[:2]  # private stays hidden
    assert sorted(m.id for m in anon.list_models(search=f"cat-{unique}")) == catalog[:2]
    assert [m.id for m in api.list_models(filter=f"t-{unique}", search="-b")] == [catalog[1]]
    assert [m.id for m in api.list_models(filter=["n0", f"t-{unique}"])] == [catalog[0]]
    assert all(m.author == "alice" for m in api.list_models(author="alice", limit=5))
    assert list(api.list_models(author="acme", search=f"cat-{unique}")) == []
    first = next(iter(api.list_models(search=f"cat-{unique}-a")))
    assert isinstance(first, ModelInfo) and first.siblings is None and first.library_name == "transformers"
    assert first.pipeline_tag == "text-generation" and f"t-{unique}" in (first.tags or [])


def test_sort_and_limit(api: HfApi, catalog: list[str], unique: str) -> None:
    by_likes = [m.id for m in api.list_models(search=f"cat-{unique}", sort="likes")]
    assert by_likes[0] == catalog[1]
    newest = [m.id for m in api.list_models(search=f"cat-{unique}", sort="created_at")]
    assert newest == catalog[::-1]  # descending, as on the Hub
    recent = [m.id for m in api.list_models(search=f"cat-{unique}", sort="last_modified")]
    assert set(recent) == set(catalog)
    assert len(list(api.list_models(search=f"cat-{unique}", limit=2))) == 2
    likes = {m.id: m.likes for m in api.list_models(search=f"cat-{unique}")}
    assert likes[catalog[1]] == 1 and likes[catalog[0]] == 0


def test_full_card_data_and_expand(api: HfApi, catalog: list[str], unique: str) -> None:
    full = next(iter(api.list_models(search=f"cat-{unique}-a", full=True, cardData=True)))
    assert full.sha and [s.rfilename for s in full.siblings or []] == [".gitattributes", "README.md"]
    assert isinstance(full.card_data, ModelCardData) and full.card_data.license == "mit"
    expanded = next(iter(api.list_models(search=f"cat-{unique}-a", expand=["likes", "downloads"])))
    assert expanded.id == catalog[0] and expanded.likes == 0 and expanded.tags is None
    with pytest.raises(ValueError, match="expand"):
        next(iter(api.list_models(expand=["likes"], full=True)))


def test_emissions_thresholds(api: HfApi, catalog: list[str], unique: str) -> None:
    found = [m.id for m in api.list_models(search=f"cat-{unique}", cardData=True, emissions_thresholds=(5, 50))]
    assert found == [catalog[1]]
    with pytest.raises(ValueError, match="cardData"):
        next(iter(api.list_models(emissions_thresholds=(0, 1))))


def test_listing_is_lazy(api: HfApi, catalog: list[str], unique: str, requests_seen: list[httpx.Request]) -> None:
    listing = api.list_models(search=f"cat-{unique}")
    assert inspect.isgenerator(listing) and requests_seen == []
    next(listing)
    assert len(requests_seen) == 1
    url = requests_seen[0].url
    assert url.path == "/api/models" and url.params["search"] == f"cat-{unique}"


def test_query_parameters_on_the_wire(api: HfApi, requests_seen: list[httpx.Request]) -> None:
    list(api.list_models(filter=["a", "b"], trained_dataset="squad", sort="trending_score", limit=3, gated=True,
                         fetch_config=True, cardData=True, apps="ollama", num_parameters="min:1B"))  # fmt: skip
    params = requests_seen[-1].url.params
    assert params.get_list("filter") == ["a", "b", "dataset:squad"] and params["sort"] == "trendingScore"
    assert (params["limit"], params["gated"], params["config"], params["cardData"]) == ("3", "true", "true", "true")
    assert params["apps"] == "ollama" and params["num_parameters"] == "min:1B"
    list(api.list_datasets(language=["en", "language:fr"], task_categories="qa", benchmark=True, dataset_name="x",
                           search="y", expand=["likes", "downloads"]))  # fmt: skip
    params = requests_seen[-1].url.params
    assert params.get_list("filter") == ["language:en", "language:fr", "task_categories:qa", "benchmark:official"]
    assert params.get_list("search") == ["x", "y"] and params.get_list("expand") == ["likes", "downloads"]
    list(api.list_spaces(datasets=["d1", "d2"], models="m", linked=True, sort="created_at"))
    params = requests_seen[-1].url.params
    assert params.get_list("datasets") == ["d1", "d2"] and params["models"] == "m" and params["linked"] == "true"
    assert params["sort"] == "createdAt"


def test_datasets_and_spaces(api: HfApi, unique: str) -> None:
    api.create_repo(f"alice/ds-{unique}", repo_type="dataset")
    api.create_repo(f"alice/sp-{unique}", repo_type="space", space_sdk="static")
    datasets = list(api.list_datasets(search=f"ds-{unique}"))
    assert [d.id for d in datasets] == [f"alice/ds-{unique}"] and isinstance(datasets[0], DatasetInfo)
    spaces = list(api.list_spaces(search=f"sp-{unique}", full=True))
    assert [s.id for s in spaces] == [f"alice/sp-{unique}"] and isinstance(spaces[0], SpaceInfo)
    assert spaces[0].sdk == "static" and spaces[0].siblings is not None
    assert list(api.list_models(search=f"ds-{unique}")) == []
    assert [d.id for d in api.list_datasets(author="alice", search=f"ds-{unique}", sort="likes")] == [
        f"alice/ds-{unique}"
    ]
