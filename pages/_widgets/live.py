"""Open pages that cost almost nothing while nothing changes, and show a change within seconds.

A page calls :func:`follow` before it reads what it shows, naming its channels. One small
fragment per tab (:func:`watch`, in the sidebar) asks every second the one cheap question "have
these channels' versions moved since this tab drew them?" (``core.channels.changes``, answered
from one read per process at most twice a second) and reruns the whole page only when they did.
When they did, a page that shows one thing a person is reading (the open conversation) has also
given a *mark* of it (``core.conversations.marks``): a changed mark redraws at once, while a tab
whose mark did not change waits for the process's redraw budget (``core.channels.redraws``), so a
stream of messages never queues the thread someone reads behind a hundred lists.
The same fragment notices a login that ended elsewhere (logout, deactivation, role change), so an
idle tab runs one fragment, not two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import streamlit as st

from core.access.auth import Actor
from core.channels import changes, redraws
from pages._widgets.session import signed_in

TICK_SECONDS = 1.0
"""How often an open tab asks: a change shows within this plus the shared read's age."""
GAP_PER_DRAW = 10
"""A tab redraws for changes at most once per ten times its last draw took (and at most every
tick): a change after a quiet spell shows at the next tick, but when every tick finds the versions
moved (hundreds of messages a second) and draws slow down because a hundred tabs redraw at once,
each tab backs off, so the dashboard does not take the processor from the webhook intake and the
workers, and catches up as the stream calms down."""
MAX_GAP_SECONDS = 3.0
"""The back-off's ceiling: however slow the last draw was, a change shows within about this long
plus a draw (without it, one slow storm of redraws delayed the next change by half a minute)."""
SHOWN = "live_shown"  # the Shown of this tab's last draw of a following page
DRAWN_AT = "live_drawn_at"  # time.monotonic() of this tab's last draw of a followed page
DRAW_SECONDS = "live_draw_seconds"  # how long this tab's last page run took


@dataclass(frozen=True)
class Shown:
    """What a tab drew: its channels (``None``: all) at these versions, and the mark of what its
    reader looks at (with how to read it again), when the page gave one."""

    channels: tuple[int, ...] | None
    versions: changes.Versions
    mark: Callable[[], Hashable] | None = None
    marked: Hashable = None

    def reader_waits(self) -> bool:
        """Whether what the reader looks at changed since the draw (then it redraws at once)."""
        return self.mark is not None and self.mark() != self.marked


def forget() -> None:
    """Before each page: a page that does not :func:`follow` anything is not rerun by changes."""
    st.session_state.pop(SHOWN, None)


def follow(
    channel_ids: Iterable[int] | None = None, mark: Callable[[], Hashable] | None = None
) -> None:
    """This run draws these channels (every channel when ``None``) as they are now: called
    before the page reads them, so a change made while it draws still reruns it. ``mark`` reads
    the mark of what the reader looks at (see the module's docstring)."""
    watched = None if channel_ids is None else tuple(sorted(set(channel_ids)))
    versions = changes.current(watched)
    st.session_state[SHOWN] = Shown(watched, versions, mark, None if mark is None else mark())
    st.session_state[DRAWN_AT] = time.monotonic()


def timed(run: Callable[[], None]) -> None:
    """Run the page, keeping how long it took: :func:`moved` spaces redraws by it."""
    started = time.monotonic()
    try:
        run()
    finally:
        st.session_state[DRAW_SECONDS] = time.monotonic() - started


def moved() -> bool:
    """Whether this tab redraws now: what it shows is stale, its back-off since the last draw is
    over, and either its reader waits for the change or the process's budget has room."""
    shown: Shown | None = st.session_state.get(SHOWN)
    if shown is None:
        return False
    since = time.monotonic() - st.session_state.get(DRAWN_AT, 0.0)
    last_draw = st.session_state.get(DRAW_SECONDS, 0.0)
    if since < min(GAP_PER_DRAW * last_draw, MAX_GAP_SECONDS):
        return False
    if changes.current(shown.channels) == shown.versions:
        return False
    return shown.reader_waits() or redraws.shared().take(last_draw)


@st.fragment(run_every=TICK_SECONDS)
def watch(actor: Actor) -> None:
    """An idle tab's only periodic work: a full rerun when its channels changed, or when its
    login ended or changed elsewhere (looked up at most every ``RECHECK_SECONDS``)."""
    if moved() or signed_in() != actor:
        st.rerun()
