"""Pagination without counting: fetch one row more than a page to know whether another follows.

``COUNT(*)`` over millions of messages is a full scan on SQLite; pages only need "next/previous".
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session

T = TypeVar("T")

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def fetch_page(session: Session, query: Any, page: int, page_size: int) -> Page[Any]:
    """Run ``query`` (already ordered) for 1-based ``page``."""
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    rows = list(session.exec(query.offset((page - 1) * page_size).limit(page_size + 1)))
    return Page(
        items=rows[:page_size], page=page, page_size=page_size, has_next=len(rows) > page_size
    )


@dataclass(frozen=True)
class CursorPage(Generic[T]):
    """One page of a listing read by cursor (the API's): ``next_cursor`` asks for the next one.

    A cursor names the last row seen, not an offset: rows added meanwhile shift nothing, and
    reading page 1,000 costs what reading page 1 does (an index seek)."""

    items: list[T]
    next_cursor: str | None


class InvalidCursor(ValueError):
    """A cursor this server did not hand out."""


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The row id a cursor names (``None``: from the start)."""
    if not cursor:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor(cursor) from exc
    if not isinstance(after, int):
        raise InvalidCursor(cursor)
    return after


def fetch_after(
    session: Session,
    query: Any,
    id_column: Any,
    cursor: str | None,
    limit: int,
    *,
    newest_first: bool = False,
) -> CursorPage[Any]:
    """``query`` in ``id_column`` order from ``cursor`` on, ``limit`` rows (one more is read to
    know whether another page follows)."""
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(id_column < after if newest_first else id_column > after)
    query = query.order_by(id_column.desc() if newest_first else id_column).limit(limit + 1)
    rows = list(session.exec(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return CursorPage(rows, encode_cursor(_id_of(rows[-1])) if more and rows else None)


def _id_of(row: Any) -> int:
    return row.id if hasattr(row, "id") else row[0].id
