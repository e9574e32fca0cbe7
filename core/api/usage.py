"""How much each token is used: a rate limit per token, and its requests counted per minute.

The limit is a token bucket kept **per process** (``API_RATE_LIMIT`` requests a second, twice
that in a burst): a shared counter in the store would cost a write per request, which is the
load the limit protects against. With several servers sharing a store a token may make up to
that many requests a second at each; the README says so.

Every use is audited as a count per token per minute (``api_usage``), added up in memory and
written every :data:`FLUSH_SECONDS` by one upsert per token and minute; a row per request would
be hundreds of audit rows a second. A process killed outright loses at most that long's counts.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.db import session_scope
from core.models import ApiToken, ApiUsage, utcnow

DEFAULT_RATE = 50.0
FLUSH_SECONDS = 10.0


def configured_rate() -> float:
    """``API_RATE_LIMIT``: requests per second per token (per server process)."""
    return float(os.environ.get("API_RATE_LIMIT", DEFAULT_RATE))


class RateLimiter:
    """A token bucket per API token: ``rate`` a second, bursts up to twice that."""

    def __init__(self, rate: float | None = None) -> None:
        self.rate = rate if rate is not None else configured_rate()
        self.burst = max(self.rate * 2, 1.0)
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, token_id: int, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds until one may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            level, then = self._buckets.get(token_id, (self.burst, now))
            level = min(self.burst, level + (now - then) * self.rate)
            if level < 1:
                self._buckets[token_id] = (level, now)
                return (1 - level) / self.rate
            self._buckets[token_id] = (level - 1, now)
            return 0.0


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


class UsageCounter:
    """Requests per token and minute, kept in memory and written to the store now and then."""

    def __init__(self, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.flush_seconds = flush_seconds
        self._counts: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
        self._lock = threading.Lock()
        self._flushed = time.monotonic()

    def count(self, token_id: int, refused: bool) -> None:
        with self._lock:
            counts = self._counts[(token_id, _minute(utcnow()))]
            counts[0] += 1
            counts[1] += int(refused)

    def due(self) -> bool:
        return bool(self._counts) and time.monotonic() - self._flushed >= self.flush_seconds

    def flush(self, engine: Engine) -> int:
        """Add the counts gathered so far to the store; returns how many rows were written."""
        with self._lock:
            counts, self._counts = self._counts, defaultdict(lambda: [0, 0])
            self._flushed = time.monotonic()
        if not counts:
            return 0
        try:
            _write(engine, counts)
        except Exception:
            with self._lock:  # kept for the next flush rather than lost
                for key, (requests, refused) in counts.items():
                    self._counts[key][0] += requests
                    self._counts[key][1] += refused
            raise
        return len(counts)


def _write(engine: Engine, counts: dict[tuple[int, datetime], list[int]]) -> None:
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    table = ApiUsage.__table__
    rows = [
        {"token_id": token_id, "minute": minute, "requests": requests, "refused": refused}
        for (token_id, minute), (requests, refused) in sorted(counts.items())
    ]
    statement = insert(table)  # type: ignore[arg-type]
    statement = statement.on_conflict_do_update(
        index_elements=["token_id", "minute"],
        set_={
            "requests": table.c.requests + statement.excluded.requests,  # type: ignore[attr-defined]
            "refused": table.c.refused + statement.excluded.refused,  # type: ignore[attr-defined]
        },
    )
    last_used = {token_id: minute for token_id, minute in counts}
    tokens = ApiToken.__table__.c  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        connection = session.connection()
        connection.execute(statement, rows)
        for token_id in sorted(last_used):
            connection.execute(
                update(ApiToken.__table__)  # type: ignore[arg-type]
                .where(tokens.id == token_id)
                .values(last_used_at=utcnow())
            )
