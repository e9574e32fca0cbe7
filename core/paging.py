"""Pagination without counting: fetch one row more than a page to know whether another follows.

``COUNT(*)`` over millions of messages is a full scan on SQLite; pages only need "next/previous".
"""

from __future__ import annotations

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
