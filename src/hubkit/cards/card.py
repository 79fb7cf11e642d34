"""Repo cards: a README.md made of a YAML metadata block and a Markdown body.

``RepoCard`` (and ``ModelCard``, ``DatasetCard``, ``SpaceCard``) read a card from text, a local
file or a repo; ``.data`` is the metadata (``CardData`` of the matching kind), ``.text`` the body
and ``.content`` the whole card as it would be written. Rewriting a card keeps its line endings
and the order of its metadata keys, so an edit makes a small diff.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Literal

import yaml

from .. import constants
from .data import CardData, DatasetCardData, ModelCardData, SpaceCardData

__all__ = ["DatasetCard", "ModelCard", "RepoCard", "SpaceCard", "split_card"]

logger = logging.getLogger(__name__)

_TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_MODELCARD_PATH = _TEMPLATES / "modelcard_template.md"
TEMPLATE_DATASETCARD_PATH = _TEMPLATES / "datasetcard_template.md"

# Where the metadata block is: optional leading whitespace, a "---" line, the YAML (as little as
# possible), then a closing "---" line. The Hub finds the block the same way, so both agree on
# where the metadata ends and the body starts.
YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")


def split_card(content: str) -> tuple[dict[str, Any] | None, str]:
    """The metadata (``None`` without a block) and the body of a card's text.

    Raises ``ValueError`` when the block is not a YAML mapping (``yaml.YAMLError`` when it is not
    YAML at all).
    """
    match = YAML_BLOCK.search(content)
    if match is None:
        return None, content
    data = yaml.safe_load(match.group(2))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError("repo card metadata block should be a dict")
    return data, content[match.end() :]


def _line_ending(content: str) -> Literal["\r", "\n", "\r\n"] | None:
    """The line ending a text uses: CRLF only when every line ends so, else the majority."""
    cr, lf, crlf = content.count("\r"), content.count("\n"), content.count("\r\n")
    if cr + lf == 0:
        return None
    if crlf == cr and crlf == lf:
        return "\r\n"
    return "\r" if cr > lf else "\n"


class RepoCard:
    """A repo card (README.md): metadata in ``.data``, Markdown body in ``.text``.

    Args:
        content: the whole card text (a YAML block between ``---`` lines, then Markdown).
        ignore_metadata_errors: load the card even if some metadata cannot be parsed (for
            example an invalid ``model-index``); that part is lost.

    Raises ``ValueError`` when the metadata block is not a YAML mapping.
    """

    card_data_class: type[CardData] = CardData
    default_template_path: Path = TEMPLATE_MODELCARD_PATH
    repo_type = "model"

    def __init__(self, content: str, ignore_metadata_errors: bool = False) -> None:
        self.ignore_metadata_errors = ignore_metadata_errors
        self.content = content

    @property
    def content(self) -> str:
        """The card as it is written: the metadata block (from ``.data``) then ``.text``."""
        lb = _line_ending(self._content) or "\n"
        block = self.data.to_yaml(line_break=lb, original_order=self._original_order)
        return f"---{lb}{block}{lb}---{lb}{self.text}"

    @content.setter
    def content(self, content: str) -> None:
        self._content = content
        data, self.text = split_card(content)
        if data is None:
            logger.warning("Repo card metadata block was not found. Setting CardData to empty.")
            data = {}
        if not all(isinstance(key, str) for key in data):
            raise ValueError("repo card metadata keys should be strings")
        self.data = self.card_data_class(**data, ignore_metadata_errors=self.ignore_metadata_errors)
        self._original_order = list(data)

    def __str__(self) -> str:
        return self.content

    def save(self, filepath: Path | str) -> None:
        """Write the card to ``filepath`` (parent folders created, line endings kept)."""
        path = Path(filepath)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, mode="w", newline="", encoding="utf-8") as f:
            f.write(str(self))

    @classmethod
    def load(
        cls,
        repo_id_or_path: str | Path,
        repo_type: str | None = None,
        token: str | None = None,
        ignore_metadata_errors: bool = False,
    ) -> Any:
        """A card from a local file, or from the README.md of a repo (downloaded into the cache).

        Args:
            repo_id_or_path: a path to a file, else a repo id.
            repo_type: the repo's type (default: the card class's, ``"model"`` for ``ModelCard``).
            token: the token to download with (default: the saved one).
            ignore_metadata_errors: see ``RepoCard``.
        """
        if Path(repo_id_or_path).is_file():
            card_path = Path(repo_id_or_path)
        elif isinstance(repo_id_or_path, str):
            from ..download import hf_hub_download

            card_path = Path(
                hf_hub_download(
                    repo_id_or_path, constants.REPOCARD_NAME, repo_type=repo_type or cls.repo_type, token=token
                )
            )
        else:
            raise ValueError(f"Cannot load RepoCard: path not found on disk ({repo_id_or_path}).")
        # utf-8-sig: a byte-order mark is not part of the metadata; newline="": keep CRLF as is
        with card_path.open(mode="r", newline="", encoding="utf-8-sig") as f:
            return cls(f.read(), ignore_metadata_errors=ignore_metadata_errors)

    def validate(self, repo_type: str | None = None) -> None:
        """Have the Hub check the card's metadata (``POST /api/validate-yaml``).

        Raises ``ValueError`` with the Hub's explanation when the metadata is refused, and
        ``HfHubHTTPError`` when the request fails for another reason.
        """
        from .._http import get_session, raise_for_status
        from ..errors import HfHubHTTPError

        body = {"repoType": repo_type or self.repo_type, "content": str(self)}
        response = get_session().post(
            f"{constants.ENDPOINT}/api/validate-yaml", json=body, headers={"Accept": "text/plain"}
        )
        try:
            raise_for_status(response)
        except HfHubHTTPError:
            if response.status_code == 400:
                raise ValueError(response.text) from None
            raise

    def push_to_hub(
        self,
        repo_id: str,
        token: str | None = None,
        repo_type: str | None = None,
        commit_message: str | None = None,
        commit_description: str | None = None,
        revision: str | None = None,
        create_pr: bool | None = None,
        parent_commit: str | None = None,
    ) -> Any:
        """Validate the card, then commit it as the repo's README.md; returns the commit's URL.

        Args:
            repo_id: the repo to write to.
            token: the token to write with (default: the saved one).
            repo_type: the repo's type (default: the card class's).
            commit_message, commit_description: of the commit.
            revision: the branch to commit to (default: main).
            create_pr: open a pull request with the change instead.
            parent_commit: commit only if the branch is still at this commit (with ``create_pr``:
                open the pull request from it).
        """
        from ..api import HfApi

        repo_type = repo_type or self.repo_type
        self.validate(repo_type=repo_type)
        return HfApi().upload_file(
            path_or_fileobj=str(self).encode("utf-8"),
            path_in_repo=constants.REPOCARD_NAME,
            repo_id=repo_id,
            token=token,
            repo_type=repo_type,
            commit_message=commit_message,
            commit_description=commit_description,
            create_pr=create_pr,
            revision=revision,
            parent_commit=parent_commit,
        )

    @classmethod
    def from_template(
        cls,
        card_data: CardData,
        template_path: str | None = None,
        template_str: str | None = None,
        **template_kwargs: Any,
    ) -> Any:
        """A card rendered from a Jinja2 template.

        The template gets ``card_data`` (the metadata as YAML, for the block at the top), every
        metadata key as a variable, and ``template_kwargs`` (which win over metadata keys).

        Args:
            card_data: the card's metadata.
            template_path: a template file (default: hubkit's template for the card type).
            template_str: a template as a string, used when ``template_path`` is not given.
        """
        try:
            import jinja2
        except ImportError:
            raise ImportError(
                "Using RepoCard.from_template requires Jinja2 to be installed. Please install it with "
                "`pip install Jinja2`."
            ) from None
        variables = {**card_data.to_dict(), **template_kwargs}
        if template_path is not None:
            template_str = Path(template_path).read_text(encoding="utf-8")
        if template_str is None:
            template_str = Path(cls.default_template_path).read_text(encoding="utf-8")
        content = jinja2.Template(template_str).render(card_data=card_data.to_yaml(), **variables)
        return cls(content)


class ModelCard(RepoCard):
    """A model card: ``.data`` is a ``ModelCardData`` (eval results parsed from ``model-index``)."""

    card_data_class = ModelCardData
    default_template_path = TEMPLATE_MODELCARD_PATH
    repo_type = "model"

    @classmethod
    def from_template(  # type: ignore[override]
        cls,
        card_data: ModelCardData,
        template_path: str | None = None,
        template_str: str | None = None,
        **template_kwargs: Any,
    ) -> ModelCard:
        """A model card from a template (default: hubkit's model card template); see
        ``RepoCard.from_template``. Variables of the default template include ``model_id``,
        ``model_summary``, ``model_description``, ``developers``, ``repo``, ``paper``,
        ``training_data``, ``results`` and ``citation_bibtex``."""
        return super().from_template(card_data, template_path, template_str, **template_kwargs)  # type: ignore[no-any-return]


class DatasetCard(RepoCard):
    """A dataset card: ``.data`` is a ``DatasetCardData``."""

    card_data_class = DatasetCardData
    default_template_path = TEMPLATE_DATASETCARD_PATH
    repo_type = "dataset"

    @classmethod
    def from_template(  # type: ignore[override]
        cls,
        card_data: DatasetCardData,
        template_path: str | None = None,
        template_str: str | None = None,
        **template_kwargs: Any,
    ) -> DatasetCard:
        """A dataset card from a template (default: hubkit's dataset card template); see
        ``RepoCard.from_template``. Variables of the default template include ``pretty_name``,
        ``dataset_summary``, ``curated_by``, ``repo``, ``dataset_structure`` and ``citation_bibtex``."""
        return super().from_template(card_data, template_path, template_str, **template_kwargs)  # type: ignore[no-any-return]


class SpaceCard(RepoCard):
    """A Space card: ``.data`` is a ``SpaceCardData``."""

    card_data_class = SpaceCardData
    default_template_path = TEMPLATE_MODELCARD_PATH
    repo_type = "space"
