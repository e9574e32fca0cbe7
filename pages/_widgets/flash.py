"""Run a core action and say what came of it: the one way a page reports an outcome.

An action runs either inline (a button just pressed) or in a widget callback, which Streamlit calls
before the page script, so before the page has set this run's language. The outcome is therefore
kept in ``st.session_state`` as translation keys and values, and worded by :func:`show_flash` at the
place the page wants it said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from core.access.auth import PermissionDenied
from core.errors import UserFacingError
from core.i18n import t
from pages._widgets.session import store

T = TypeVar("T")
SUCCESS_ICON = ":material/check_circle:"
ERROR_ICON = ":material/error:"


class Words:
    """A translation key and its values, worded only when shown (in that run's language)."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values

    def __str__(self) -> str:
        return t(self.key, **self.values)


@dataclass(frozen=True)
class Flash:
    """What the last action came to: its success (one paragraph per line), a note beside it, or
    the reason it was refused."""

    said: tuple[Words, ...] = ()
    note: Words | None = None
    refusal: UserFacingError | None = None


Outcome = Words | Flash | None


def act(
    where: str,
    action: Callable[[Session], T],
    said: Outcome | Callable[[T], Outcome] = None,
    *,
    rerun: bool = False,
) -> bool:
    """Run ``action`` in one transaction and keep its outcome at ``where`` for :func:`show_flash`.

    ``action`` calls core, and may keep in ``st.session_state`` what the page needs from the
    result. ``said`` is the success, or a function of the action's result that returns it (called
    in the same session, so the rows it returns can still be read). A refusal replaces it: a
    :class:`UserFacingError` from core, or a role that may not do this. ``rerun`` draws the page
    again at once, for an action whose change shows above the place it was started from (never
    from a callback: the run that follows a callback draws it anyway). Returns whether it
    succeeded."""
    try:
        with store() as session:
            result = action(session)
            outcome = said(result) if callable(said) else said
    except UserFacingError as exc:
        st.session_state[where] = Flash(refusal=exc)
        return False
    except PermissionDenied:
        st.session_state[where] = Flash(refusal=UserFacingError("action.not_allowed"))
        return False
    if outcome is None:
        st.session_state.pop(where, None)
    else:
        st.session_state[where] = outcome if isinstance(outcome, Flash) else Flash(said=(outcome,))
    if rerun:
        st.rerun()
    return True


def act_and_redraw(
    where: str, action: Callable[[Session], T], said: Outcome | Callable[[T], Outcome]
) -> None:
    """Run a form's action whose change shows above the form: a success draws the page again (and
    is said where the page shows ``where``); a refusal is said here, beside the form it refuses."""
    act(where, action, said, rerun=True)
    show_flash(where)


def say_refusal(refusal: UserFacingError) -> None:
    """Why core refused, in the user's words (also for refused reads)."""
    st.error(refusal.message(), icon=ERROR_ICON)


def show_flash(where: str, *, keep: bool = False) -> None:
    """Say the outcome kept at ``where``, once; ``keep`` says it on every run until the next action
    replaces it (for a part of a page that is drawn again whenever what it shows changes)."""
    flash = st.session_state.get(where) if keep else st.session_state.pop(where, None)
    if flash is None:
        return
    if flash.refusal is not None:
        say_refusal(flash.refusal)
    if flash.said:
        st.success("\n\n".join(str(words) for words in flash.said), icon=SUCCESS_ICON)
    if flash.note is not None:
        st.info(str(flash.note))
