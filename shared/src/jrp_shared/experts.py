"""Experts drawn at random from a pool for a recognition meeting (002 二(二)2) or a complaint
hearing (002 二(三)2), reproducibly: the seed is recorded, so anyone can redo the draw."""

from __future__ import annotations

import random
from collections.abc import Sequence

from jrp_shared.errors import InvalidInput


def draw_experts(pool: Sequence[str], count: int, seed: int | str) -> list[str]:
    """`count` distinct experts from `pool`, reproducible from `seed` by anyone who checks:
    `random.Random(seed).sample(sorted(set(pool)), count)`."""
    candidates = sorted(set(pool))
    if count > len(candidates):
        raise InvalidInput.for_field(
            "body.count",
            "count_exceeds_pool",
            f"cannot draw {count} experts from a pool of {len(candidates)} distinct experts",
            pool_size=len(candidates),
        )
    return random.Random(seed).sample(candidates, count)
