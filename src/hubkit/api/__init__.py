"""``HfApi``: the Hub's HTTP API as methods, one mixin per protocol area.

Each area module lists the method names it exposes in ``PUBLIC``; ``hubkit`` turns those into
module-level functions bound to a default ``HfApi()`` (``from hubkit import create_repo``).
"""

from __future__ import annotations

from . import commits, discussions, listing, repos, safetensors, users
from ._base import ApiBase
from .commits import CommitMixin
from .discussions import DiscussionMixin
from .listing import ListingMixin
from .repos import RepoMixin
from .safetensors import SafetensorsMixin
from .urls import RepoUrl

__all__ = ["API_FUNCTIONS", "ApiBase", "HfApi", "RepoUrl"]


class HfApi(RepoMixin, ListingMixin, users.UserMixin, CommitMixin, DiscussionMixin, SafetensorsMixin):
    """Client for the Hub's HTTP API.

    Args:
        endpoint: the Hub's URL (default: ``HF_ENDPOINT``, else https://huggingface.co).
        token: a token, ``False`` to send none, ``None`` for the saved/``HF_TOKEN`` one.
        library_name, library_version, user_agent: identify the calling library in the user-agent.
        headers: extra headers sent with every request.
    """


API_FUNCTIONS: frozenset[str] = frozenset(
    repos.PUBLIC + listing.PUBLIC + users.PUBLIC + commits.PUBLIC + discussions.PUBLIC + safetensors.PUBLIC
)
