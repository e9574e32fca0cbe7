"""Which open dashboard tabs should redraw now, decided for all of them by one thread a process.

A tab says what it drew (:meth:`Watchers.follow`: its channels at their versions, and the mark
of what its reader looks at) and who is signed in it (:meth:`Watchers.signed_in`). The process's
watcher (``pages/_widgets/reruns.py``) asks :meth:`Watchers.due` four times a second and reruns the
tabs it names; a tab with nothing new costs nothing at all: no message to or from its browser, no
script run. (Each tab used to ask from its browser every second: a script run, a thread and four
messages on the server's one event loop per tab and second, so a hundred idle tabs kept that loop
so busy that the updates they were asking about reached them half a minute late.)

A tab is named when:

- its login now resolves to someone else (logout elsewhere, deactivation, role change: every
  login not looked up for ``RECHECK_SECONDS`` is, all in one query), at once;
- its channels' versions (``core.channels.changes``) moved since it drew them, it is not drawing,
  and either the mark of what its reader looks at changed (the open thread:
  ``core.conversations.marks``) and its short back-off is over (``GAP_PER_DRAW`` times its last
  draw, at most ``READER_GAP_SECONDS``), or the process's redraw budget has room
  (``core.channels.redraws``: a stream of messages never queues the thread someone reads behind a
  hundred lists nobody looks at) and its long back-off is over (at most ``MAX_GAP_SECONDS``).

A tab named is not named again until the run it was given has started, or ``ASK_PATIENCE_SECONDS``
passed (its browser may be gone). At most ``BACKGROUND_RUNS`` such runs (asked for or drawing) go
at once, readers first: a person's own click or reply, which Streamlit runs at once, then shares
the interpreter with at most that many redraws nobody asked for, not with every open tab's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from core.access.auth import Actor
from core.channels.changes import Token
from core.channels.redraws import RedrawBudget

GAP_PER_DRAW = 10
"""A tab redraws for changes at most once per ten times its last draw took: a change after a
quiet spell shows at once, but when the versions move every time (hundreds of messages a second)
and draws slow down because many tabs redraw, each tab backs off, so the dashboard does not take
the processor from the webhook intake and the workers, and catches up as the stream calms down."""
MAX_GAP_SECONDS = 3.0
"""The back-off's ceiling: however slow the last draw was, a change shows within about this long
plus a draw (without it, one slow storm of redraws delayed the next change by half a minute)."""
RECHECK_SECONDS = 3.0
"""How stale a tab's signed-in user may be: a logout, deactivation or role change elsewhere shows
in every open tab within this long plus one run, for one query for all of a process's tabs."""
READER_GAP_SECONDS = 1.0
"""The back-off's ceiling when the tab's reader waits for what changed: short, so a message in
the open thread shows within about a second even just after a redraw of the list, yet a thread
changing all the time is not redrawn back to back (a tab then draws at most about half the time)."""
ASK_PATIENCE_SECONDS = 10.0
"""How long a rerun asked for may take to start before the tab may be named again."""
BACKGROUND_RUNS = 2
"""Runs the watcher gave (asked for or drawing) at once, at most. Measured with 100 tabs open on
threads that hundreds of messages a second change, and 20 agents at work: with every reader
redrawn as soon as its back-off allowed, an agent's reply took 4.3 s to show (p50) and one in
two not within 10 s; with one idle tab instead of 100, 0.36 s."""

Key = str
"""A tab: its Streamlit session id."""
Mark = Callable[[], Hashable]
"""Reads the mark of what a reader looks at; hashable and comparable, so tabs reading the same
thing share one read (``core.conversations.marks.ThreadMark``)."""
Resolve = Callable[[list[str]], dict[str, Actor]]
"""Who each login token names now (a token ended, expired or deactivated is absent)."""


@dataclass(frozen=True)
class Shown:
    """What a tab drew: its channels (``None``: all) at these versions, and the mark of what its
    reader looks at with the value it had, when the page gave one."""

    channels: tuple[int, ...] | None
    versions: Token
    mark: Mark | None = None
    marked: Hashable = None


def _back_off(last_draw: float, ceiling: float) -> float:
    """How long after its last draw began a tab waits before the next: ``GAP_PER_DRAW`` times
    that draw, at most ``ceiling``."""
    return min(GAP_PER_DRAW * last_draw, ceiling)


@dataclass(frozen=True)
class Login:
    """A login token's answer: who it names (``None``: nobody, it ended or expired)."""

    actor: Actor | None


@dataclass
class Tab:
    """What the watcher knows of one open tab."""

    shown: Shown | None = None
    drawn_at: float = 0.0
    draw_seconds: float = 0.0
    drawing: bool = False
    by_watcher: bool = False  # the run drawing now is one the watcher asked for
    asked_at: float | None = None
    mark_read_at: Token | None = None  # the versions at which the mark was last read unchanged
    mark_moved: bool = False  # the mark was read changed: the reader waits for a redraw
    token: str | None = None
    drawn_actor: Actor | None = None  # who the tab's last run showed as signed in
    actor: Actor | None = None  # who the token named when last looked up
    login_checked_at: float = field(default=float("-inf"))


class Watchers:
    """Every open tab of a process (one Streamlit session each); every method is thread-safe
    (pages run in their sessions' threads, the watcher in its own)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        background_runs: int = BACKGROUND_RUNS,
    ) -> None:
        self._clock = clock
        self._background_runs = background_runs
        self._tabs: dict[Key, Tab] = {}
        self._lock = threading.Lock()

    def _tab(self, key: Key) -> Tab:
        return self._tabs.setdefault(key, Tab())

    def started(self, key: Key) -> None:
        """A run of the tab's page began: it is drawing, and the rerun asked for (if any) came."""
        with self._lock:
            tab = self._tab(key)
            tab.by_watcher = tab.asked_at is not None
            tab.drawing, tab.asked_at, tab.shown = True, None, None

    def follow(self, key: Key, shown: Shown) -> None:
        """This run draws ``shown`` (called before the page reads it, so a change made while it
        draws still reruns it)."""
        with self._lock:
            tab = self._tab(key)
            tab.shown, tab.drawn_at, tab.mark_read_at = shown, self._clock(), None
            tab.mark_moved = False

    def finished(self, key: Key, seconds: float) -> None:
        """The run ended after ``seconds``: the tab's back-off is spaced by it."""
        with self._lock:
            tab = self._tab(key)
            tab.drawing, tab.by_watcher, tab.draw_seconds = False, False, seconds

    def signed_in(
        self, key: Key, token: str | None, actor: Actor | None, *, looked_up: bool
    ) -> None:
        """The tab's run shows ``actor`` as signed in with ``token``; ``looked_up`` when the run
        asked the store (not :meth:`known_login`). With nobody signed in, the run shows the login
        form, not a page: the rerun asked for (if any) came, and the tab follows nothing (else it
        would keep one of the ``BACKGROUND_RUNS`` for ``ASK_PATIENCE_SECONDS`` at a time)."""
        with self._lock:
            tab = self._tab(key)
            tab.token, tab.drawn_actor = token, actor
            if looked_up:
                tab.actor, tab.login_checked_at = actor, self._clock()
            if actor is None:
                tab.shown, tab.asked_at = None, None

    def known_login(self, key: Key, token: str | None) -> Login | None:
        """Who ``token`` names, as looked up for this tab less than ``RECHECK_SECONDS`` ago, or
        ``None`` when that is not known (then the page looks it up and says :meth:`signed_in`)."""
        with self._lock:
            tab = self._tabs.get(key)
            if tab is None or tab.token != token:
                return None
            if self._clock() - tab.login_checked_at >= RECHECK_SECONDS:
                return None
            return Login(tab.actor)

    def not_rerun(self, key: Key) -> None:
        """The rerun asked for could not be given (the tab was running something else): the tab
        may be named again at the next look."""
        with self._lock:
            tab = self._tabs.get(key)
            if tab is not None:
                tab.asked_at = None

    def leave(self, key: Key) -> None:
        """The tab is gone (its browser disconnected)."""
        with self._lock:
            self._tabs.pop(key, None)

    def shown(self, key: Key) -> Shown | None:
        """What the tab's last run said it draws (``None``: nothing followed)."""
        with self._lock:
            tab = self._tabs.get(key)
            return None if tab is None else tab.shown

    def tab_keys(self) -> list[Key]:
        with self._lock:
            return list(self._tabs)

    def logins_moved(self, resolve: Resolve) -> list[Key]:
        """The tabs whose token names someone else (or nobody) than their last run showed.
        Every token not looked up for ``RECHECK_SECONDS`` is, all in one lookup (the answers are
        kept for the pages' runs: :meth:`known_login`)."""
        now = self._clock()
        with self._lock:
            tokens = {
                tab.token
                for tab in self._tabs.values()
                if tab.token and now - tab.login_checked_at >= RECHECK_SECONDS
            }
        actors = resolve(sorted(tokens)) if tokens else {}
        moved: list[Key] = []
        with self._lock:
            for key, tab in self._tabs.items():
                if tab.token in tokens:
                    tab.actor, tab.login_checked_at = actors.get(tab.token), now
                if tab.token and tab.actor != tab.drawn_actor and self._may_ask(tab, now, 0.0):
                    moved.append(key)
        return self._ask(moved, now)

    def due(
        self, versions: Callable[[tuple[int, ...] | None], Token], budget: RedrawBudget
    ) -> list[Key]:
        """The tabs to rerun for changes to what they show (see the module's docstring);
        ``versions`` reads channels' versions now (``core.channels.changes.current``)."""
        now = self._clock()
        with self._lock:
            room = self._background_runs - sum(
                1 for tab in self._tabs.values() if self._background(tab, now)
            )
            if room <= 0:
                return []
            candidates = [
                (key, tab)
                for key, tab in self._tabs.items()
                if tab.shown is not None
                and self._may_ask(tab, now, _back_off(tab.draw_seconds, READER_GAP_SECONDS))
            ]
        stale = [
            (key, tab, moved_to)
            for key, tab in candidates
            if tab.shown is not None
            and (moved_to := versions(tab.shown.channels)) != tab.shown.versions
        ]
        marks: dict[Mark, Hashable] = {}
        readers: list[Key] = []  # first: Streamlit's event loop starts their runs first
        others: list[tuple[Key, Tab]] = []
        for key, tab, moved_to in sorted(stale, key=lambda entry: entry[1].draw_seconds):
            if self._reader_waits(tab, moved_to, marks):
                readers.append(key)
            else:
                others.append((key, tab))
        chosen = readers[:room]
        for key, tab in others:
            if len(chosen) >= room:
                break
            if now - tab.drawn_at >= _back_off(tab.draw_seconds, MAX_GAP_SECONDS) and budget.take(
                tab.draw_seconds
            ):
                chosen.append(key)
        return self._ask(chosen, now)

    def _reader_waits(self, tab: Tab, moved_to: Token, marks: dict[Mark, Hashable]) -> bool:
        """Whether what the tab's reader looks at changed since it drew it. Its mark is read
        once per move of the versions (not at every look while the tab waits for the budget:
        a hundred such reads four times a second would take the processor), and once for all
        tabs reading the same thing (``marks``: this look's reads)."""
        shown = tab.shown
        if tab.mark_moved:  # read changed at an earlier look, still waiting for its turn
            return True
        if shown is None or shown.mark is None or tab.mark_read_at == moved_to:
            return False
        if shown.mark not in marks:
            marks[shown.mark] = shown.mark()
        moved = marks[shown.mark] != shown.marked
        with self._lock:
            if tab.shown is shown:
                tab.mark_moved, tab.mark_read_at = moved, moved_to
        return moved

    @staticmethod
    def _background(tab: Tab, now: float) -> bool:
        """Whether the tab holds one of the ``BACKGROUND_RUNS``: asked to rerun, or drawing a
        run the watcher asked for."""
        if tab.drawing:
            return tab.by_watcher
        return tab.asked_at is not None and now - tab.asked_at < ASK_PATIENCE_SECONDS

    @staticmethod
    def _may_ask(tab: Tab, now: float, gap: float) -> bool:
        """Whether the tab may be rerun now: not drawing, not already asked, ``gap`` after its
        last draw."""
        if tab.drawing:
            return False
        if tab.asked_at is not None and now - tab.asked_at < ASK_PATIENCE_SECONDS:
            return False
        return now - tab.drawn_at >= gap

    def _ask(self, keys: Iterable[Key], now: float) -> list[Key]:
        """Mark ``keys`` as asked to rerun (not named again until their run starts)."""
        asked: list[Key] = []
        with self._lock:
            for key in keys:
                tab = self._tabs.get(key)
                if tab is not None:
                    tab.asked_at = now
                    asked.append(key)
        return asked
