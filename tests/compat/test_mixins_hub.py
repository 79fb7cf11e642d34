"""Model mixins through a real hub: pushed by hubkit, loaded by huggingface_hub 2.4.0, and back.

Skipped without torch (``pip install 'hubkit[torch]'``; scripts/test installs the CPU wheel).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import huggingface_hub as hfh
import pytest

import hubkit
from hubserver import ALICE

torch = pytest.importorskip("torch")
nn = torch.nn

REPO_URL, DOCS_URL = "https://example.org/code", "https://example.org/docs"


def net_class(mixin: type) -> type:
    """The same model class on both sides; only the mixin differs."""

    class Net(nn.Module, mixin, library_name="netlib", tags=["demo"], license="mit", pipeline_tag="tabular-regression",
              repo_url=REPO_URL, docs_url=DOCS_URL):  # fmt: skip
        def __init__(self, hidden: int = 8, depth: int = 1, act: str = "relu") -> None:
            super().__init__()
            self.hidden, self.depth, self.act = hidden, depth, act
            self.inp = nn.Linear(4, hidden)
            self.blocks = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(depth))
            self.out = nn.Linear(hidden, 4)
            self.register_buffer("scale", torch.linspace(0, 1, hidden, dtype=torch.float64))

    return Net


@pytest.fixture(autouse=True)
def _endpoint(hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(hfh.constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(
        hfh.constants, "HUGGINGFACE_CO_URL_TEMPLATE", hub.url + "/{repo_id}/resolve/{revision}/{filename}"
    )


def same_state(a: Any, b: Any) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sorted(sa) == sorted(sb) and all(sa[k].dtype == sb[k].dtype and torch.equal(sa[k], sb[k]) for k in sa)


def config_of(repo: str) -> dict[str, Any]:
    return json.loads(Path(hfh.hf_hub_download(repo, "config.json", token=ALICE)).read_text())  # type: ignore[no-any-return]


def test_pushed_by_hubkit_loaded_by_huggingface_hub_and_back(hub, unique: str) -> None:
    Ours, Theirs = net_class(hubkit.PyTorchModelHubMixin), net_class(hfh.PyTorchModelHubMixin)
    torch.manual_seed(1)
    mine = Ours(hidden=12, depth=2, act="gelu")
    url = mine.push_to_hub(f"alice/mixin-ours-{unique}", token=ALICE)
    assert "/commit/" in str(url)
    loaded = Theirs.from_pretrained(f"alice/mixin-ours-{unique}", token=ALICE)
    assert same_state(loaded, mine) and (loaded.hidden, loaded.depth, loaded.act) == (12, 2, "gelu")
    assert not loaded.training  # from_pretrained puts the model in eval mode

    torch.manual_seed(2)
    real = Theirs(hidden=12, depth=2, act="gelu")
    real.push_to_hub(f"alice/mixin-theirs-{unique}", token=ALICE)
    back = Ours.from_pretrained(f"alice/mixin-theirs-{unique}", token=ALICE)
    assert same_state(back, real) and (back.hidden, back.depth, back.act) == (12, 2, "gelu")

    assert config_of(f"alice/mixin-ours-{unique}") == config_of(f"alice/mixin-theirs-{unique}")
    ours_card = hfh.ModelCard.load(f"alice/mixin-ours-{unique}", token=ALICE)
    theirs_card = hfh.ModelCard.load(f"alice/mixin-theirs-{unique}", token=ALICE)
    assert ours_card.data.to_dict() == theirs_card.data.to_dict()
    assert ours_card.data.tags == ["demo", "model_hub_mixin", "pytorch_model_hub_mixin"]
    assert REPO_URL in ours_card.text and DOCS_URL in ours_card.text
    info = hfh.HfApi(endpoint=hub.url, token=ALICE).model_info(f"alice/mixin-ours-{unique}")
    assert info.safetensors.total == sum(p.numel() for p in mine.state_dict().values())


def test_from_pretrained_local_cache_and_options(hub, tmp_path: Path, unique: str) -> None:
    Ours = net_class(hubkit.PyTorchModelHubMixin)
    model = Ours(hidden=6)
    model.save_pretrained(tmp_path / "local")
    assert sorted(p.name for p in (tmp_path / "local").iterdir()) == ["README.md", "config.json", "model.safetensors"]
    assert same_state(Ours.from_pretrained(tmp_path / "local"), model)
    assert Ours.from_pretrained(tmp_path / "local", hidden=6, depth=1).hidden == 6  # explicit arguments win

    repo = f"alice/mixin-cache-{unique}"
    model.save_pretrained(tmp_path / "push", repo_id=repo, push_to_hub=True, token=ALICE)
    first = Ours.from_pretrained(repo, token=ALICE, map_location="cpu")
    offline = Ours.from_pretrained(repo, local_files_only=True)  # from the cache, no request
    assert same_state(first, model) and same_state(offline, model)
    assert offline.scale.device.type == "cpu"

    class Wider(nn.Module, hubkit.PyTorchModelHubMixin):
        def __init__(self, hidden: int = 6, depth: int = 1, act: str = "relu") -> None:
            super().__init__()
            self.inp = nn.Linear(4, hidden)
            self.extra = nn.Linear(2, 2)

    loose = Wider.from_pretrained(repo, token=ALICE)  # strict=False: missing/unexpected keys ignored
    assert torch.equal(loose.inp.weight, model.inp.weight)
    with pytest.raises(RuntimeError, match="Missing key"):
        Wider.from_pretrained(repo, token=ALICE, strict=True)


@dataclass
class Config:
    width: int = 3
    name: str = "cfg"


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y


def test_generic_mixin_configs_and_coders(tmp_path: Path) -> None:
    class WithDataclass(hubkit.ModelHubMixin):
        def __init__(self, config: Config) -> None:
            self.config = config

        def _save_pretrained(self, save_directory: Path) -> None:
            (save_directory / "weights.txt").write_text(str(self.config.width))

        @classmethod
        def _from_pretrained(cls, *, model_id: str, **kwargs: Any) -> WithDataclass:
            for key in ("revision", "cache_dir", "force_download", "local_files_only", "token"):
                kwargs.pop(key)
            return cls(**kwargs)

    WithDataclass(Config(width=7)).save_pretrained(tmp_path / "dc")
    assert json.loads((tmp_path / "dc" / "config.json").read_text()) == {"name": "cfg", "width": 7}
    loaded = WithDataclass.from_pretrained(tmp_path / "dc")
    assert loaded.config == Config(width=7, name="cfg")

    class WithCoders(hubkit.ModelHubMixin, coders={Point: (lambda p: [p.x, p.y], lambda v: Point(*v))}):
        def __init__(self, origin: Point, scale: float = 1.5, **kwargs: Any) -> None:
            self.origin, self.scale, self.kwargs = origin, scale, kwargs

        def _save_pretrained(self, save_directory: Path) -> None:
            pass

        @classmethod
        def _from_pretrained(cls, *, model_id: str, config: dict[str, Any], **kwargs: Any) -> WithCoders:
            for key in ("revision", "cache_dir", "force_download", "local_files_only", "token"):
                kwargs.pop(key)
            instance = cls(**kwargs)
            instance.seen_config = config  # type: ignore[attr-defined]
            return instance

    WithCoders(Point(1, 2), extra="kept").save_pretrained(tmp_path / "coders", model_card_kwargs={"paper_note": "p"})
    saved = json.loads((tmp_path / "coders" / "config.json").read_text())
    assert saved == {"origin": [1, 2], "scale": 1.5, "extra": "kept"}
    back = WithCoders.from_pretrained(tmp_path / "coders")
    assert (back.origin.x, back.origin.y, back.scale, back.kwargs) == (1, 2, 1.5, {"extra": "kept"})
    assert back.seen_config["origin"].x == 1  # decoded in place, handed to _from_pretrained
    card = hfh.ModelCard.load(tmp_path / "coders" / "README.md")
    assert card.data.tags == ["model_hub_mixin"]
