"""First-response times: the buckets they are counted in, percentiles from bucket counts, and
the answer target an admin sets.

A percentile over millions of answers is an expensive sort; counts per bucket are cheap to keep
and to add up. Buckets are narrow where people look (seconds and minutes) and wide beyond a day.
A percentile is interpolated inside its bucket, so it is exact to within that bucket's width;
the share answered within the target is exact, because every target offered is a bucket edge.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from core.access import settings
from core.access.auth import Actor
from core.errors import UserFacingError

BUCKET_EDGES: tuple[int, ...] = (
    *(5, 10, 15, 20, 30, 45),
    *(m * 60 for m in (1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45)),
    *(int(h * 3600) for h in (1, 1.5, 2, 3, 4, 6, 8, 12, 24, 48, 72, 168)),
)
"""Upper edges in seconds: bucket ``i`` holds times in ``(BUCKET_EDGES[i-1], BUCKET_EDGES[i]]``;
one more bucket holds everything longer than a week."""

TARGET_MINUTES: tuple[int, ...] = tuple(
    edge // 60 for edge in BUCKET_EDGES if edge % 60 == 0 and edge <= 24 * 3600
)
"""The answer targets an admin can choose, in minutes (each a bucket edge)."""


def bucket_of(seconds: float) -> int:
    return bisect_left(BUCKET_EDGES, max(seconds, 0))


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The times bucket ``bucket`` holds, lower (exclusive) and upper (inclusive) edge."""
    lower = 0.0 if bucket == 0 else float(BUCKET_EDGES[bucket - 1])
    upper = float(BUCKET_EDGES[bucket]) if bucket < len(BUCKET_EDGES) else math.inf
    return lower, upper


def percentile(counts: Mapping[int, int], fraction: float) -> float | None:
    """The ``fraction`` percentile (0.5: median) of the times counted per bucket; ``None``
    without any. The rank is the nearest rank; the value is interpolated within its bucket."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, math.ceil(fraction * total))
    below = 0
    for bucket in sorted(counts):
        count = counts[bucket]
        if count and below + count >= rank:
            lower, upper = bucket_bounds(bucket)
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - below) / count
        below += count
    raise AssertionError("unreachable: the ranks add up to the total")


@dataclass(frozen=True)
class Percentiles:
    """Median and 90th percentile in seconds (``None`` when nothing was answered)."""

    median: float | None
    p90: float | None

    @classmethod
    def of(cls, counts: Mapping[int, int]) -> Percentiles:
        return cls(percentile(counts, 0.5), percentile(counts, 0.9))

    def as_dict(self) -> dict[str, float | None]:
        return {"median": rounded(self.median), "p90": rounded(self.p90)}


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def answered_within(counts: Mapping[int, int], target_seconds: int) -> int:
    """How many answers took at most ``target_seconds`` (a bucket edge: exact)."""
    last = bucket_of(target_seconds)
    return sum(count for bucket, count in counts.items() if bucket <= last)


RESPONSE_TARGET = "response_target_minutes"
"""How quickly customers should get the team's first answer (minutes; one of
:data:`TARGET_MINUTES`): the overview shows the share answered within it."""
DEFAULT_TARGET_MINUTES = 15


def target_minutes(session: Session) -> int:
    value = settings.get(session, RESPONSE_TARGET)
    return value if value in TARGET_MINUTES else DEFAULT_TARGET_MINUTES


def set_target_minutes(session: Session, actor: Actor, minutes: int) -> None:
    """Admins only (``settings.put`` checks and audits)."""
    if minutes not in TARGET_MINUTES:
        raise UserFacingError(
            "reports.error.target", choices=", ".join(str(m) for m in TARGET_MINUTES)
        )
    settings.put(session, actor, RESPONSE_TARGET, minutes)
