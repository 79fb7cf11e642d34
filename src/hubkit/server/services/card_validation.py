"""``POST /api/validate-yaml``: check a README's metadata the way the Hub does before a commit.

Clients call it before committing a README (``create_commit``, ``upload_folder``,
``RepoCard.push_to_hub``, ``metadata_update``): errors make them refuse the commit ("Invalid
metadata in README.md"), warnings are shown. Checked: the block is a YAML mapping; ``license``
is one of the Hub's license ids; list-or-string fields (``tags``, ``datasets``, ``language``,
``base_model``, ``metrics``...) hold strings; ``model-index`` has the structure evaluation results
need (each result names its task type, dataset type and name, and metrics with a type and a
value). A README without metadata is accepted with a warning, as on the Hub. Messages name the
offending key with its path, in the Hub's style: ``"model-index[0].results" is required``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .cards import CardError, parse_front_matter

__all__ = ["LICENSES", "Report", "validate"]

# License ids the Hub accepts in card metadata (https://huggingface.co/docs/hub/repositories-licenses).
LICENSES = (
    "apache-2.0", "mit", "openrail", "bigscience-openrail-m", "creativeml-openrail-m", "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m", "afl-3.0", "artistic-2.0", "bsl-1.0", "bsd", "bsd-2-clause", "bsd-3-clause",
    "bsd-3-clause-clear", "c-uda", "cc", "cc0-1.0", "cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-4.0",
    "cc-by-sa-3.0", "cc-by-sa-4.0", "cc-by-nc-2.0", "cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0", "cc-by-nc-nd-4.0", "cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0", "cdla-permissive-1.0", "cdla-permissive-2.0", "wtfpl", "ecl-2.0", "epl-1.0", "epl-2.0",
    "etalab-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gfdl", "gpl", "gpl-2.0", "gpl-3.0", "lgpl", "lgpl-2.1",
    "lgpl-3.0", "isc", "h-research", "intel-research", "lppl-1.3c", "ms-pl", "apple-ascl", "apple-amlr", "mpl-2.0",
    "odc-by", "odbl", "open-mdw", "openrail++", "osl-3.0", "postgresql", "ofl-1.1", "ncsa", "unlicense", "zlib",
    "pddl", "lgpl-lr", "deepfloyd-if-license", "fair-noncommercial-research-license", "llama2", "llama3",
    "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma", "unknown", "other",
)  # fmt: skip
_LICENSE_SET = frozenset(LICENSES)

# keys whose value is a string or a list of strings
_STRINGS_OR_LISTS = {
    "model": ("tags", "datasets", "language", "base_model", "metrics", "license_name"),
    "dataset": ("tags", "language", "task_categories", "task_ids", "size_categories", "source_datasets",
                "annotations_creators", "language_creators", "multilinguality", "config_names"),
    "space": ("tags", "models", "datasets"),
}  # fmt: skip
_STRINGS = {
    "model": ("library_name", "pipeline_tag", "model_name", "license_link", "new_version"),
    "dataset": ("pretty_name", "paperswithcode_id"),
    # sdk_version / python_version are often written as numbers (``python_version: 3.10``): not checked
    "space": ("title", "sdk", "app_file", "emoji", "colorFrom", "colorTo"),
}
SPACE_SDKS = ("gradio", "streamlit", "docker", "static")


@dataclass
class Report:
    """What validation found: ``errors`` refuse the card, ``warnings`` are only shown."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [{"message": m} for m in self.errors], "warnings": [{"message": m} for m in self.warnings]}

    def as_text(self) -> str:
        lines = [f"- Error: {m}" for m in self.errors] + [f"- Warning: {m}" for m in self.warnings]
        return "\n".join(lines)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _string_or_list(report: Report, key: str, value: Any) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, list):
        report.errors.append(f'"{key}" must be a string or an array of strings, not {_kind(value)}')
        return
    for i, item in enumerate(value):
        if not isinstance(item, str):
            report.errors.append(f'"{key}[{i}]" must be a string, not {_kind(item)}')


def _license(report: Report, value: Any) -> None:
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        where = f"license[{i}]" if isinstance(value, list) else "license"
        if not isinstance(item, str):
            report.errors.append(f'"{where}" must be a string, not {_kind(item)}')
        elif item not in _LICENSE_SET:
            report.errors.append(
                f'"{where}" must be one of [{", ".join(LICENSES)}] (got {item!r}); for another license use '
                '"other" with license_name and license_link'
            )


def _object(report: Report, value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        report.errors.append(f'"{where}" is required')
        return None
    if not isinstance(value, dict):
        report.errors.append(f'"{where}" must be an object, not {_kind(value)}')
        return None
    return value


def _required_string(report: Report, obj: dict[str, Any], key: str, where: str) -> None:
    value = obj.get(key)
    if value is None:
        report.errors.append(f'"{where}.{key}" is required')
    elif not isinstance(value, str):
        report.errors.append(f'"{where}.{key}" must be a string, not {_kind(value)}')


def _model_index(report: Report, value: Any) -> None:
    if not isinstance(value, list):
        report.errors.append(f'"model-index" must be an array, not {_kind(value)}')
        return
    for i, entry in enumerate(value):
        where = f"model-index[{i}]"
        entry = _object(report, entry, where)
        if entry is None:
            continue
        _required_string(report, entry, "name", where)
        results = entry.get("results")
        if results is None:
            report.errors.append(f'"{where}.results" is required')
            continue
        if not isinstance(results, list):
            report.errors.append(f'"{where}.results" must be an array, not {_kind(results)}')
            continue
        for j, result in enumerate(results):
            _result(report, result, f"{where}.results[{j}]")


def _result(report: Report, result: Any, where: str) -> None:
    result = _object(report, result, where)
    if result is None:
        return
    task = _object(report, result.get("task"), f"{where}.task")
    if task is not None:
        _required_string(report, task, "type", f"{where}.task")
    dataset = _object(report, result.get("dataset"), f"{where}.dataset")
    if dataset is not None:
        _required_string(report, dataset, "type", f"{where}.dataset")
        _required_string(report, dataset, "name", f"{where}.dataset")
    metrics = result.get("metrics")
    if metrics is None:
        report.errors.append(f'"{where}.metrics" is required')
        return
    if not isinstance(metrics, list):
        report.errors.append(f'"{where}.metrics" must be an array, not {_kind(metrics)}')
        return
    for k, metric in enumerate(metrics):
        metric = _object(report, metric, f"{where}.metrics[{k}]")
        if metric is None:
            continue
        _required_string(report, metric, "type", f"{where}.metrics[{k}]")
        if "value" not in metric or metric["value"] is None:
            report.errors.append(f'"{where}.metrics[{k}].value" is required')


def validate(content: str, repo_type: str) -> Report:
    """Check the metadata block of a README for a repo of ``repo_type``."""
    report = Report()
    try:
        data = parse_front_matter(content)
    except CardError as err:
        report.errors.append(str(err))
        return report
    if not data:
        report.warnings.append(
            "Empty metadata: README.md has no YAML metadata block (license, tags...). Add one so the repo can be "
            "found and its terms are clear: https://huggingface.co/docs/hub/model-cards#model-card-metadata"
        )
        return report
    kind = repo_type if repo_type in _STRINGS_OR_LISTS else "model"
    if "license" in data and data["license"] is not None:
        _license(report, data["license"])
    for key in _STRINGS_OR_LISTS[kind]:
        if data.get(key) is not None:
            _string_or_list(report, key, data[key])
    for key in _STRINGS[kind]:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            report.errors.append(f'"{key}" must be a string, not {_kind(value)}')
    if kind == "model" and "model-index" in data and data["model-index"] is not None:
        _model_index(report, data["model-index"])
    if kind == "space" and isinstance(data.get("sdk"), str) and data["sdk"] not in SPACE_SDKS:
        report.errors.append(f'"sdk" must be one of [{", ".join(SPACE_SDKS)}]')
    return report
