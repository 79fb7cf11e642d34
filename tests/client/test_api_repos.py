"""Repo management and browsing with hubkit's HfApi against a real ``hubkit serve``.

Content is committed with the real huggingface_hub (``alice_api``, ``seeded``): hubkit's own
commit API is another issue. Everything else goes through hubkit.
"""

from __future__ import annotations

import inspect

import huggingface_hub
import pytest
from huggingface_hub import CommitOperationAdd

import hubkit
from hubkit import HfApi
from hubkit.api.types import DatasetInfo, ModelInfo, RepoFile, RepoFolder, SpaceInfo
from hubkit.api.types_refs import DuplicatedRepoUrl, GitRefs
from hubkit.errors import (
    BadRequestError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)


@pytest.fixture
def anon(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


# --- lifecycle -----------------------------------------------------------------------------


def test_create_repo_of_each_type(api: HfApi, hub, unique: str) -> None:
    model = api.create_repo(f"alice/m-{unique}")
    assert (
        model == f"{hub.url}/alice/m-{unique}" and model.repo_type == "model" and model.repo_id == f"alice/m-{unique}"
    )
    dataset = api.create_repo(f"alice/d-{unique}", repo_type="dataset", private=True)
    assert dataset == f"{hub.url}/datasets/alice/d-{unique}" and dataset.repo_type == "dataset"
    space = api.create_repo(f"alice/s-{unique}", repo_type="space", space_sdk="gradio")
    assert space.repo_type == "space" and space.endpoint == hub.url
    assert api.dataset_info(f"alice/d-{unique}").private is True
    assert api.model_info(f"alice/m-{unique}").private is False
    info = api.space_info(f"alice/s-{unique}")
    assert isinstance(info, SpaceInfo) and info.sdk == "gradio" and info.sha
    # name only: the token's namespace
    assert api.create_repo(f"bare-{unique}").repo_id == f"alice/bare-{unique}"


def test_create_repo_exist_ok_and_conflict(api: HfApi, bob: HfApi, unique: str) -> None:
    repo = f"alice/dup-{unique}"
    first = api.create_repo(repo)
    assert api.create_repo(repo, exist_ok=True) == first
    with pytest.raises(HfHubHTTPError) as info:
        api.create_repo(repo)
    assert info.value.response.status_code == 409
    # bob may not create in alice's namespace, but may read the (public) repo: exist_ok answers its URL
    assert bob.create_repo(repo, exist_ok=True).repo_id == repo
    with pytest.raises(HfHubHTTPError):
        bob.create_repo(f"alice/not-bobs-{unique}", exist_ok=True)


def test_create_repo_checks_arguments_locally(api: HfApi, unique: str) -> None:
    with pytest.raises(ValueError, match="space_sdk"):
        api.create_repo("alice/x", repo_type="space")
    with pytest.raises(ValueError, match="both"):
        api.create_repo("alice/x", private=True, visibility="private")
    with pytest.raises(ValueError, match="protected"):
        api.create_repo("alice/x", visibility="protected")
    with pytest.raises(ValueError, match="repo type"):
        api.create_repo("alice/x", repo_type="bucket")
    with pytest.raises(HFValidationError):
        api.create_repo("alice/../x")
    with pytest.warns(UserWarning, match="space_sdk"):
        api.create_repo(f"alice/warn-{unique}", space_sdk="static")
    assert api.model_info(f"alice/warn-{unique}").id == f"alice/warn-{unique}"


def test_delete_repo(api: HfApi, unique: str) -> None:
    repo = f"alice/del-{unique}"
    api.create_repo(repo, repo_type="dataset")
    api.delete_repo(repo, repo_type="dataset")
    assert not api.repo_exists(repo, repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo(repo, repo_type="dataset")
    api.delete_repo(repo, repo_type="dataset", missing_ok=True)


def test_move_repo_keeps_old_name_working(api: HfApi, unique: str) -> None:
    api.create_repo(f"alice/old-{unique}")
    api.move_repo(f"alice/old-{unique}", f"acme/new-{unique}")
    assert api.model_info(f"acme/new-{unique}").id == f"acme/new-{unique}"
    assert api.model_info(f"alice/old-{unique}").id == f"acme/new-{unique}"  # redirected
    with pytest.raises(ValueError, match="namespace"):
        api.move_repo("no-namespace", "alice/x")


def test_update_repo_settings(api: HfApi, anon: HfApi, unique: str) -> None:
    repo = f"alice/settings-{unique}"
    api.create_repo(repo)
    api.update_repo_settings(repo, private=True)
    assert api.model_info(repo).private is True
    assert not anon.repo_exists(repo)
    api.update_repo_settings(repo, visibility="public", gated="auto")
    info = api.model_info(repo)
    assert (info.private, info.gated) == (False, "auto")
    api.update_repo_settings(repo, gated=False)
    assert api.model_info(repo).gated is False
    with pytest.raises(ValueError, match="At least one"):
        api.update_repo_settings(repo)
    with pytest.raises(ValueError, match="gated"):
        api.update_repo_settings(repo, gated="sometimes")  # type: ignore[arg-type]


def test_duplicate_repo(api: HfApi, bob: HfApi, seeded, unique: str) -> None:
    url = api.duplicate_repo(seeded.repo_id, f"acme/copy-{unique}", private=True)
    assert isinstance(url, DuplicatedRepoUrl) and url.repo_id == f"acme/copy-{unique}"
    assert url.files_copy_pending is False
    copied = api.model_info(f"acme/copy-{unique}")
    assert copied.private is True
    assert sorted(api.list_repo_files(f"acme/copy-{unique}")) == sorted(api.list_repo_files(seeded.repo_id))
    # no namespace: the token's user (found with whoami)
    assert bob.duplicate_repo(seeded.repo_id, f"mine-{unique}").repo_id == f"bob/mine-{unique}"
    with pytest.raises(HfHubHTTPError):
        bob.duplicate_repo(seeded.repo_id, f"mine-{unique}")
    assert bob.duplicate_repo(seeded.repo_id, f"mine-{unique}", exist_ok=True).repo_id == f"bob/mine-{unique}"


def test_super_squash_history(api: HfApi, alice_api, unique: str) -> None:
    repo = f"alice/squash-{unique}"
    alice_api.create_repo(repo)
    for i in range(3):
        alice_api.upload_file(path_or_fileobj=f"{i}".encode(), path_in_repo=f"f{i}.txt", repo_id=repo)
    files = sorted(api.list_repo_files(repo))
    assert len(api.list_repo_commits(repo)) == 4
    api.super_squash_history(repo, commit_message="squashed")
    commits = api.list_repo_commits(repo)
    assert [c.title for c in commits] == ["squashed"]
    assert sorted(api.list_repo_files(repo)) == files
    with pytest.raises(RevisionNotFoundError):
        api.super_squash_history(repo, branch="nope")


# --- branches, tags, refs, commits ---------------------------------------------------------


def test_branches_and_tags(api: HfApi, seeded, unique: str) -> None:
    repo = f"alice/refs-{unique}"
    api.duplicate_repo(seeded.repo_id, repo)
    main = api.model_info(repo).sha
    api.create_branch(repo, branch="feature/x")
    api.create_branch(repo, branch="feature/x", exist_ok=True)
    with pytest.raises(HfHubHTTPError) as info:
        api.create_branch(repo, branch="feature/x")
    assert info.value.response.status_code == 409
    first = api.list_repo_commits(repo)[-1].commit_id
    api.create_branch(repo, branch="old", revision=first)
    api.create_tag(repo, tag="v1.0", tag_message="first release")
    api.create_tag(repo, tag="v1.0", exist_ok=True)
    api.create_tag(repo, tag="feature/x", revision="old")  # a tag may share a branch's name
    refs = api.list_repo_refs(repo)
    assert isinstance(refs, GitRefs) and refs.pull_requests is None
    branches = {b.name: b for b in refs.branches}
    assert branches["feature/x"].target_commit == main and branches["old"].target_commit == first
    assert branches["feature/x"].ref == "refs/heads/feature/x"
    assert {t.name: t.target_commit for t in refs.tags} == {"v1.0": main, "feature/x": first}
    assert api.revision_exists(repo, "feature/x") and api.revision_exists(repo, "v1.0")
    api.delete_branch(repo, branch="feature/x")
    api.delete_tag(repo, tag="v1.0")
    assert not api.revision_exists(repo, "v1.0")
    with pytest.raises(RevisionNotFoundError):
        api.delete_tag(repo, tag="v1.0")
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(repo, tag="v2", revision="no-such-branch")
    with pytest.raises(BadRequestError):
        api.create_branch(repo, branch="refs/pr/5")
    with pytest.raises(HfHubHTTPError):
        api.delete_branch(repo, branch="main")


def test_refs_include_pull_requests(api: HfApi, seeded) -> None:
    refs = api.list_repo_refs(seeded.repo_id, include_pull_requests=True)
    assert refs.pull_requests is not None
    assert [(p.ref, p.target_commit) for p in refs.pull_requests] == [(seeded.pr_revision, seeded.pr_commit)]
    assert {b.name for b in refs.branches} == {"main", "dev"}
    assert [t.name for t in refs.tags] == ["v1"]


def test_list_repo_commits(api: HfApi, seeded) -> None:
    commits = api.list_repo_commits(seeded.repo_id)
    assert [c.commit_id for c in commits[:2]] == [seeded.main_commit, seeded.first_commit]
    assert commits[0].title == "second" and commits[0].authors == ["alice"]
    assert commits[0].created_at.tzinfo is not None and commits[0].formatted_title is None
    dev = api.list_repo_commits(seeded.repo_id, revision="dev")
    assert dev[0].commit_id == seeded.dev_commit
    pr = api.list_repo_commits(seeded.repo_id, revision=seeded.pr_revision)  # refs/pr/1 in one segment
    assert pr[0].commit_id == seeded.pr_commit
    formatted = api.list_repo_commits(seeded.repo_id, formatted=True)
    assert formatted[0].formatted_title is not None
    with pytest.raises(RevisionNotFoundError):
        api.list_repo_commits(seeded.repo_id, revision="missing")


def test_commits_follow_link_pages(api: HfApi, alice_api, unique: str) -> None:
    repo = f"alice/history-{unique}"
    alice_api.create_repo(repo)
    for i in range(104):  # the server sends 100 commits per page
        alice_api.create_commit(repo, operations=[CommitOperationAdd(f"{i}.txt", b"x")], commit_message=f"c{i}")
    commits = api.list_repo_commits(repo)
    assert len(commits) == 105 and len({c.commit_id for c in commits}) == 105
    assert commits[0].title == "c103"


# --- files ---------------------------------------------------------------------------------


def test_list_repo_files_and_tree(api: HfApi, seeded) -> None:
    assert sorted(api.list_repo_files(seeded.repo_id)) == sorted([".gitattributes", *seeded.files])
    assert sorted(api.list_repo_files(seeded.repo_id, revision=seeded.first_commit)) == sorted(
        [".gitattributes", *seeded.old_files]
    )
    top = {e.path: e for e in api.list_repo_tree(seeded.repo_id)}
    assert isinstance(top["nested"], RepoFolder) and isinstance(top["config.json"], RepoFile)
    assert "nested/deeper/notes.txt" not in top
    deep = {e.path for e in api.list_repo_tree(seeded.repo_id, recursive=True)}
    assert {"nested", "nested/deeper", "nested/deeper/notes.txt"} <= deep
    sub = [e.path for e in api.list_repo_tree(seeded.repo_id, "nested/deeper")]
    assert sub == ["nested/deeper/notes.txt"]
    weights = next(iter(api.list_repo_tree(seeded.repo_id, "weights", expand=True)))
    assert isinstance(weights, RepoFile) and weights.lfs is not None
    assert weights.size == len(seeded.files["weights/model.bin"]) and weights.lfs.sha256 == seeded.etag(weights.path)
    assert weights.last_commit is not None and weights.last_commit.title == "second"
    with pytest.raises(RemoteEntryNotFoundError):
        list(api.list_repo_tree(seeded.repo_id, "no/such/folder"))
    with pytest.raises(RevisionNotFoundError):
        list(api.list_repo_tree(seeded.repo_id, revision="nope"))


def test_list_repo_tree_is_lazy_and_follows_pages(api: HfApi, alice_api, unique: str) -> None:
    repo = f"alice/tree-{unique}"
    alice_api.create_repo(repo)
    ops = [CommitOperationAdd(f"dir/{i:03}.txt", str(i).encode()) for i in range(120)]
    alice_api.create_commit(repo, operations=ops, commit_message="many")
    listing = api.list_repo_tree(repo, "dir", expand=True)  # 50 entries per page when expanded
    assert inspect.isgenerator(listing)
    paths = [e.path for e in listing]
    assert sorted(paths) == [f"dir/{i:03}.txt" for i in range(120)]


def test_get_paths_info(api: HfApi, seeded) -> None:
    wanted = ["config.json", "nested", "weights/model.bin", "missing.txt", "with space & sign.txt"]
    infos = {i.path: i for i in api.get_paths_info(seeded.repo_id, wanted)}
    assert set(infos) == {"config.json", "nested", "weights/model.bin", "with space & sign.txt"}
    assert isinstance(infos["nested"], RepoFolder)
    config = infos["config.json"]
    assert isinstance(config, RepoFile) and config.blob_id == seeded.etag("config.json") and config.lfs is None
    one = api.get_paths_info(seeded.repo_id, "config.json", revision=seeded.first_commit, expand=True)
    assert len(one) == 1 and one[0].size == len(seeded.old_files["config.json"])
    assert one[0].last_commit is not None and one[0].last_commit.oid == seeded.first_commit


# --- info and existence --------------------------------------------------------------------


def test_model_info(api: HfApi, seeded) -> None:
    info = api.model_info(seeded.repo_id)
    assert isinstance(info, ModelInfo) and info.sha == seeded.main_commit and info.id == seeded.repo_id
    assert info.author == "alice" and info.private is False and info.created_at is not None
    assert {s.rfilename for s in info.siblings or []} == {".gitattributes", *seeded.files}
    assert all(s.size is None for s in info.siblings or [])
    old = api.model_info(seeded.repo_id, revision=seeded.first_commit)
    assert old.sha == seeded.first_commit
    assert api.model_info(seeded.repo_id, revision="v1").sha == seeded.first_commit
    assert api.model_info(seeded.repo_id, revision=seeded.pr_revision).sha == seeded.pr_commit
    full = api.model_info(seeded.repo_id, files_metadata=True)
    siblings = {s.rfilename: s for s in full.siblings or []}
    lfs = siblings["weights/model.bin"]
    assert lfs.size == len(seeded.files["weights/model.bin"]) and lfs.lfs is not None
    assert lfs.lfs.sha256 == seeded.etag("weights/model.bin") and lfs.lfs.pointer_size > 100
    assert siblings["config.json"].blob_id == seeded.etag("config.json")
    some = api.model_info(seeded.repo_id, expand=["sha", "private"])
    assert some.sha == seeded.main_commit and some.siblings is None and some.tags is None
    with pytest.raises(ValueError, match="expand"):
        api.model_info(seeded.repo_id, expand=["sha"], files_metadata=True)
    with pytest.raises(RevisionNotFoundError):
        api.model_info(seeded.repo_id, revision="missing")


def test_repo_info_dispatches_on_type(api: HfApi, unique: str) -> None:
    api.create_repo(f"alice/ri-{unique}", repo_type="dataset")
    assert isinstance(api.repo_info(f"alice/ri-{unique}", repo_type="dataset"), DatasetInfo)
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info(f"alice/ri-{unique}")  # no model of that name
    with pytest.raises(ValueError):
        api.repo_info(f"alice/ri-{unique}", repo_type="bucket")


def test_existence_helpers(api: HfApi, bob: HfApi, anon: HfApi, seeded, private_repo: str, unique: str) -> None:
    assert api.repo_exists(seeded.repo_id) and anon.repo_exists(seeded.repo_id)
    assert not api.repo_exists(f"alice/none-{unique}")
    assert api.repo_exists(private_repo) and not bob.repo_exists(private_repo) and not anon.repo_exists(private_repo)
    assert api.file_exists(seeded.repo_id, "nested/deeper/notes.txt")
    assert api.file_exists(seeded.repo_id, "with space & sign.txt")
    assert not api.file_exists(seeded.repo_id, "nope.txt")
    assert api.file_exists(seeded.repo_id, "dev-only.txt", revision="dev")
    assert not api.file_exists(seeded.repo_id, "dev-only.txt")
    assert not api.file_exists(seeded.repo_id, "config.json", revision="missing")
    assert api.file_exists(private_repo, "secret.txt") and not bob.file_exists(private_repo, "secret.txt")
    assert api.revision_exists(seeded.repo_id, "dev") and api.revision_exists(seeded.repo_id, seeded.first_commit)
    assert not api.revision_exists(seeded.repo_id, "nope") and not bob.revision_exists(private_repo, "main")


def test_gated_repo_exists_and_auth_check(api: HfApi, bob: HfApi, anon: HfApi, alice_api, unique: str) -> None:
    repo = f"alice/gate-{unique}"
    alice_api.create_repo(repo)
    alice_api.upload_file(path_or_fileobj=b"w", path_in_repo="w.txt", repo_id=repo)
    api.update_repo_settings(repo, gated="manual")
    assert bob.repo_exists(repo) and anon.repo_exists(repo)
    with pytest.raises(GatedRepoError):
        bob.file_exists(repo, "w.txt")
    with pytest.raises(GatedRepoError):
        bob.auth_check(repo)
    with pytest.raises(GatedRepoError):
        anon.auth_check(repo)
    api.auth_check(repo)
    api.auth_check(repo, write=True)
    with pytest.raises(HfHubHTTPError) as info:
        bob.auth_check(repo, write=True)
    assert info.value.response.status_code == 403
    with pytest.raises(RepositoryNotFoundError):
        bob.auth_check(f"alice/missing-{unique}")


def test_read_token_cannot_write(hub, tokens, api: HfApi, unique: str) -> None:
    reader = HfApi(endpoint=hub.url, token=tokens["alice_read"])
    with pytest.raises(HfHubHTTPError) as info:
        reader.create_repo(f"alice/ro-{unique}")
    assert info.value.response.status_code == 403
    api.create_repo(f"alice/ro-{unique}")
    reader.auth_check(f"alice/ro-{unique}")
    with pytest.raises(HfHubHTTPError):
        reader.auth_check(f"alice/ro-{unique}", write=True)
    with pytest.raises(HfHubHTTPError):
        reader.create_branch(f"alice/ro-{unique}", branch="x")
    reader.create_branch(f"alice/ro-{unique}", branch="main", exist_ok=True)  # 403, but it exists


def test_get_full_repo_name(api: HfApi) -> None:
    assert api.get_full_repo_name("model") == "alice/model"
    assert api.get_full_repo_name("model", organization="acme") == "acme/model"


def test_module_level_functions(hub, tokens, seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", tokens["alice"])
    assert hubkit.model_info(seeded.repo_id).sha == seeded.main_commit
    assert hubkit.repo_exists(seeded.repo_id)
    assert "config.json" in hubkit.list_repo_files(seeded.repo_id)


METHODS = [
    "create_repo", "delete_repo", "move_repo", "update_repo_settings", "duplicate_repo", "super_squash_history",
    "create_branch", "delete_branch", "create_tag", "delete_tag", "list_repo_refs", "list_repo_commits",
    "list_repo_files", "list_repo_tree", "get_paths_info", "repo_info", "model_info", "dataset_info", "space_info",
    "kernel_info", "repo_exists", "file_exists", "revision_exists", "get_full_repo_name", "auth_check",
    "list_models", "list_datasets", "list_spaces", "whoami", "get_user_overview", "get_organization_overview",
    "list_organization_members", "unlike", "list_liked_repos", "list_repo_likers", "list_pending_access_requests",
    "list_accepted_access_requests", "list_rejected_access_requests", "accept_access_request",
    "reject_access_request", "cancel_access_request", "grant_access",
]  # fmt: skip


@pytest.mark.parametrize("name", METHODS)
def test_signatures_match_huggingface_hub(name: str) -> None:
    ours = inspect.signature(getattr(HfApi, name)).parameters
    theirs = inspect.signature(getattr(huggingface_hub.HfApi, name)).parameters
    assert list(ours) == list(theirs)
    for param in ours:
        assert ours[param].kind == theirs[param].kind, param
        assert ours[param].default == theirs[param].default, param
    assert getattr(HfApi, name).__doc__, "public API needs a docstring"
