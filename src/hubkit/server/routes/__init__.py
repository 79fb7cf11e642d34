"""The route table, one module per protocol area."""

from __future__ import annotations

from ..http import Route
from . import auth, browse, commit, discussions, gating, inference, lfs, listing, refs, repos, resolve, safetensors, xet


def all_routes() -> list[Route]:
    # order matters only where patterns overlap: API routes before the catch-all web routes
    return [
        *auth.ROUTES,
        *repos.ROUTES,
        *safetensors.ROUTES,
        *listing.ROUTES,
        *gating.ROUTES,
        *browse.ROUTES,
        *refs.ROUTES,
        *commit.ROUTES,
        *discussions.ROUTES,
        *xet.ROUTES,
        *lfs.ROUTES,
        *resolve.ROUTES,
        *inference.ROUTES,
    ]
