"""Cards and card metadata, offline, checked against the real huggingface_hub 2.4.0 on the same input.

Every ``cardData`` recorded from huggingface.co (tests/data/recorded_card_data.json, taken from
/work/shared/fixtures/hub-responses) goes through both libraries: same dict, same YAML, same card
text, and the metadata survives the round trip.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import huggingface_hub as hfh
import pytest

import hubkit
from hubkit.cards import eval_results_to_model_index, model_index_to_eval_results

RECORDED = json.loads((Path(__file__).parent.parent / "data" / "recorded_card_data.json").read_text())["cards"]


def both(data: dict[str, Any], name: str = "ModelCardData") -> tuple[Any, Any]:
    ours = getattr(hubkit, name)(**copy.deepcopy(data), ignore_metadata_errors=True)
    theirs = getattr(hfh, name)(**copy.deepcopy(data), ignore_metadata_errors=True)
    return ours, theirs


def without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("source", sorted(RECORDED))
def test_recorded_card_data_round_trips(source: str) -> None:
    recorded = RECORDED[source]
    ours, theirs = both(recorded)
    assert ours.to_dict() == theirs.to_dict() == without_none(recorded)
    assert ours.to_yaml() == theirs.to_yaml()
    # as a README: written by hubkit, read by both; written by huggingface_hub, read by hubkit
    text = f"---\n{ours.to_yaml()}\n---\n\n# {source}\n\nbody: café 🤗\n"
    mine, real = hubkit.ModelCard(text), hfh.ModelCard(text)
    assert mine.data.to_dict() == real.data.to_dict() == without_none(recorded)
    assert mine.text == real.text and str(mine) == str(real)
    again = hubkit.ModelCard(str(real))
    assert again.data.to_dict() == without_none(recorded) and again.text == real.text


def test_dataset_and_space_card_data_match() -> None:
    data = {"license": ["mit", "cc-by-4.0"], "task_categories": "text-classification", "pretty_name": "P",
            "train-eval-index": [{"config": "default"}], "configs": [{"config_name": "c"}], "extra": 1}  # fmt: skip
    ours, theirs = both(data, "DatasetCardData")
    assert ours.to_dict() == theirs.to_dict() and ours.to_yaml() == theirs.to_yaml()
    assert list(ours.to_dict())[-1] == "train-eval-index"
    space = {"title": "T", "sdk": "gradio", "app_port": 7860, "tags": ["a", "a", "b"], "emoji": "🤗"}
    ours, theirs = both(space, "SpaceCardData")
    assert ours.to_dict() == theirs.to_dict() and ours.tags == ["a", "b"]


def test_card_data_behaves_like_a_dict() -> None:
    data = hubkit.ModelCardData(license="mit", tags="single", custom={"nested": [1]})
    assert data.tags == ["single"] and data["custom"] == {"nested": [1]} and "license" in data
    assert data.get("language", "en") == "en" and data.get("license") == "mit"
    data["new_key"] = 1
    assert data.pop("new_key") == 1 and data.pop("missing", "d") == "d"
    assert str(data) == data.to_yaml() and "custom" in repr(data)
    copied = data.to_dict()
    copied["custom"]["nested"].append(2)
    assert data["custom"] == {"nested": [1]}  # to_dict is a deep copy


def test_eval_results_and_model_index_match_huggingface_hub() -> None:
    index = RECORDED["GET_models_HuggingFaceH4_zephyr-7b-beta.json"]["model-index"]
    name, results = model_index_to_eval_results(copy.deepcopy(index))
    ref_name, ref_results = hfh.repocard_data.model_index_to_eval_results(copy.deepcopy(index))
    assert name == ref_name and [vars(r) for r in results] == [vars(r) for r in ref_results]
    assert eval_results_to_model_index(name, results) == hfh.repocard_data.eval_results_to_model_index(
        ref_name, ref_results
    )
    with_source = hubkit.EvalResult(
        task_type="t", dataset_type="d", dataset_name="D", metric_type="m", metric_value=1,
        source_url="https://x", source_name="X",
    )  # fmt: skip
    assert eval_results_to_model_index("n", [with_source])[0]["results"][0]["source"] == {
        "url": "https://x",
        "name": "X",
    }
    with pytest.raises(ValueError, match="source_url"):
        hubkit.EvalResult(task_type="t", dataset_type="d", dataset_name="D", metric_type="m", metric_value=1,
                          source_name="X")  # fmt: skip
    with pytest.raises(ValueError, match="non-empty"):
        model_index_to_eval_results([])


def test_invalid_model_index() -> None:
    bad = {"model-index": [{"name": "x", "results": [{"task": {}}]}]}
    with pytest.raises(ValueError, match="Invalid `model_index`"):
        hubkit.ModelCardData(**copy.deepcopy(bad))
    kept = hubkit.ModelCardData(**copy.deepcopy(bad), ignore_metadata_errors=True)
    assert kept.eval_results is None and "model-index" not in kept.to_dict()
    with pytest.raises(ValueError, match="model_name"):
        hubkit.ModelCardData(eval_results=[hubkit.EvalResult("t", "d", "D", "m", 1)])
    with pytest.raises(ValueError, match="should be a dict"):
        hubkit.RepoCard("---\n- a\n- b\n---\ntext")


def test_card_text_line_endings_and_key_order_are_kept(caplog: pytest.LogCaptureFixture) -> None:
    crlf = "---\r\nzeta: 1\r\nlicense: mit\r\nalpha: 2\r\n---\r\n# Title\r\n\r\nbody\r\n"
    card, ref = hubkit.RepoCard(crlf), hfh.RepoCard(crlf)
    assert str(card) == str(ref) == crlf  # unchanged card: byte-identical
    card.data["beta"] = 3
    ref.data["beta"] = 3
    assert str(card) == str(ref) and str(card).startswith("---\r\nzeta: 1\r\nlicense: mit\r\nalpha: 2\r\nbeta: 3")
    with caplog.at_level(logging.WARNING):
        plain = hubkit.RepoCard("no metadata at all\n")
    assert plain.data.to_dict() == {} and plain.text == "no metadata at all\n"
    assert "metadata block was not found" in caplog.text
    for text in ("---\n\n---\nbody", "---\n---\nbody", "  \n---\nlicense: mit\n---"):
        ours, theirs = hubkit.RepoCard(text), hfh.RepoCard(text)
        assert (ours.data.to_dict(), ours.text, str(ours)) == (theirs.data.to_dict(), theirs.text, str(theirs))


def test_save_load_and_bom(tmp_path: Path) -> None:
    card = hubkit.ModelCard("---\nlicense: mit\n---\nbody é\n")
    card.save(tmp_path / "deep" / "README.md")
    assert hfh.ModelCard.load(tmp_path / "deep" / "README.md").data.license == "mit"
    (tmp_path / "bom.md").write_bytes("\ufeff---\nlicense: mit\n---\nx".encode())
    assert hubkit.ModelCard.load(tmp_path / "bom.md").data.license == "mit"
    with pytest.raises(ValueError, match="path not found"):
        hubkit.ModelCard.load(tmp_path / "missing.md")


def test_from_template_is_read_identically(tmp_path: Path) -> None:
    data = hubkit.ModelCardData(
        language="en", license="mit", model_name="m",
        eval_results=[hubkit.EvalResult("text-classification", "imdb", "IMDb", "accuracy", 0.9)],
    )  # fmt: skip
    card = hubkit.ModelCard.from_template(data, model_id="my-model", model_description="Does things.")
    assert "# my-model" in card.text and "Does things." in card.text
    ref = hfh.ModelCard(str(card))
    assert ref.data.to_dict() == card.data.to_dict() and ref.text == card.text
    dataset = hubkit.DatasetCard.from_template(hubkit.DatasetCardData(pretty_name="Cats"), dataset_summary="S")
    assert "# Cats" in dataset.text and hfh.DatasetCard(str(dataset)).data.pretty_name == "Cats"
    template = tmp_path / "t.md"
    template.write_text("---\n{{ card_data }}\n---\n{{ greeting }} {{ license }}")
    custom = hubkit.ModelCard.from_template(hubkit.ModelCardData(license="mit"), template_path=str(template),
                                            greeting="hi")  # fmt: skip
    assert custom.text == "hi mit"
    assert hubkit.RepoCard.from_template(hubkit.CardData(a=1), template_str="---\n{{card_data}}\n---\nx").text == "x"


def test_metadata_save_and_load_match_huggingface_hub(tmp_path: Path) -> None:
    data = {"license": "mit", "tags": ["é", "b"], "model-index": [{"name": "n", "results": []}]}
    for name, start in (
        ("new.md", None),
        ("lf.md", "# Title\n\nbody\n"),
        ("crlf.md", "---\r\nold: 1\r\n---\r\nbody\r\n"),
    ):
        ours, theirs = tmp_path / f"ours-{name}", tmp_path / f"theirs-{name}"
        if start is not None:
            ours.write_bytes(start.encode())
            theirs.write_bytes(start.encode())
        hubkit.metadata_save(ours, data)
        hfh.metadata_save(theirs, data)
        assert ours.read_bytes() == theirs.read_bytes(), name
        assert hubkit.metadata_load(ours) == hfh.metadata_load(theirs) == data
    (tmp_path / "none.md").write_text("just text")
    assert hubkit.metadata_load(tmp_path / "none.md") is None


def test_metadata_eval_result_matches_huggingface_hub() -> None:
    kwargs = dict(
        model_pretty_name="M", task_pretty_name="T", task_id="text-classification", metrics_pretty_name="Acc",
        metrics_id="accuracy", metrics_value=0.5, dataset_pretty_name="D", dataset_id="imdb", dataset_split="test",
        dataset_config="default", metrics_verified=False,
    )  # fmt: skip
    assert hubkit.metadata_eval_result(**kwargs) == hfh.metadata_eval_result(**kwargs)
