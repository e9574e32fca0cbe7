"""Which open tabs the process's live watcher reruns (core.channels.watchers), with a fake clock:
what changed, the back-off after a slow draw, the redraw budget, the reader's mark, logins."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import pytest

from core.access.auth import Actor
from core.channels import watchers
from core.channels.changes import Token
from core.channels.redraws import RedrawBudget
from core.channels.watchers import Shown, Watchers
from core.models import Role

AGENT = Actor(username="agent1", role=Role.AGENT, user_id=4)
MANAGER = Actor(username="agent1", role=Role.MANAGER, user_id=4)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Versions:
    """Channels' versions as ``core.channels.changes.current`` answers them."""

    of: dict[int, int] = field(default_factory=lambda: {1: 1, 2: 1})

    def __call__(self, channels: tuple[int, ...] | None) -> Token:
        chosen = sorted(self.of) if channels is None else channels
        return tuple((channel, self.of.get(channel, 0)) for channel in chosen)


@dataclass(frozen=True)
class Reading:
    """A mark: what a reader looks at (a thread), read from ``values``; counts its reads."""

    thread: int
    values: dict[int, int] = field(hash=False, compare=False)
    reads: list[int] = field(hash=False, compare=False)

    def __call__(self) -> Hashable:
        self.reads.append(self.thread)
        return self.values.get(self.thread, 0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tabs(clock: Clock) -> Watchers:
    """Room for every tab's run at once: the cap on them has its own test."""
    return Watchers(clock, background_runs=100)


FULL = RedrawBudget(share=1.0, burst=100.0)
SPENT = RedrawBudget(share=0.0, burst=0.0)


def drawn(
    tabs: Watchers,
    key: str,
    versions: Versions,
    channels: tuple[int, ...] | None = (1,),
    seconds: float = 0.0,
    mark: Callable[[], Hashable] | None = None,
) -> None:
    """A run of the tab's page that follows ``channels`` as they are now and took ``seconds``."""
    tabs.started(key)
    tabs.follow(key, Shown(channels, versions(channels), mark, None if mark is None else mark()))
    tabs.finished(key, seconds)


def test_a_tab_is_rerun_when_its_channels_move_and_not_before(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions, (1,))
    drawn(tabs, "b", versions, (2,))
    drawn(tabs, "all", versions, None)
    assert tabs.due(versions, FULL) == []
    versions.of[2] += 1
    assert sorted(tabs.due(versions, FULL)) == ["all", "b"]


def test_a_tab_asked_to_rerun_is_not_asked_again_until_its_run_starts(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions)
    versions.of[1] += 1
    assert tabs.due(versions, FULL) == ["a"]
    clock.now += 1
    assert tabs.due(versions, FULL) == []  # asked: its browser is being sent the run
    tabs.started("a")
    assert tabs.due(versions, FULL) == []  # drawing, and follows nothing until it says so
    tabs.follow("a", Shown((1,), ((1, 1),)))
    assert tabs.due(versions, FULL) == []  # drawing: its run reads the store as it is now
    tabs.finished("a", 0.0)
    assert tabs.due(versions, FULL) == ["a"]  # it drew version 1; the channel is at 2


def test_a_rerun_that_could_not_be_given_is_asked_again_at_the_next_look(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions)
    versions.of[1] += 1
    assert tabs.due(versions, FULL) == ["a"]
    tabs.not_rerun("a")  # the tab was running a fragment of its own
    assert tabs.due(versions, FULL) == ["a"]


def test_a_rerun_whose_run_never_started_is_asked_again_after_a_while(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions)
    versions.of[1] += 1
    assert tabs.due(versions, FULL) == ["a"]
    clock.now += watchers.ASK_PATIENCE_SECONDS
    assert tabs.due(versions, FULL) == ["a"]


def test_a_tab_whose_draws_are_slow_backs_off_before_redrawing(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions, seconds=0.2)  # a busy server: the draw took 0.2 s
    versions.of[1] += 1
    assert tabs.due(versions, FULL) == []  # drawn less than 10 × 0.2 s ago: not yet
    clock.now += 2.0
    assert tabs.due(versions, FULL) == ["a"]


def test_the_back_off_has_a_ceiling(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions, seconds=30.0)  # one very slow draw
    versions.of[1] += 1
    clock.now += watchers.MAX_GAP_SECONDS
    assert tabs.due(versions, FULL) == ["a"]  # not 10 × 30 s later


def test_with_the_budget_spent_only_tabs_whose_reader_waits_redraw(tabs, clock) -> None:
    versions, values, reads = Versions(), {7: 0, 8: 0}, []
    drawn(tabs, "reading 7", versions, mark=Reading(7, values, reads))
    drawn(tabs, "also reading 7", versions, mark=Reading(7, values, reads))
    drawn(tabs, "reading 8", versions, mark=Reading(8, values, reads))
    drawn(tabs, "list only", versions)
    versions.of[1] += 1
    values[7] += 1  # a new message in thread 7; the channel moved for everyone
    reads.clear()
    assert sorted(tabs.due(versions, SPENT)) == ["also reading 7", "reading 7"]
    assert sorted(reads) == [7, 8]  # one read per thread, however many tabs read it
    assert sorted(tabs.due(versions, FULL)) == ["list only", "reading 8"]  # their turn


def test_a_tab_whose_login_ends_or_changes_is_rerun_with_the_answer_kept(tabs, clock) -> None:
    tabs.signed_in("a", "token-a", AGENT, looked_up=True)
    tabs.signed_in("b", "token-b", AGENT, looked_up=True)
    tabs.signed_in("c", "token-a", AGENT, looked_up=True)  # a second tab of the same login
    asked: list[list[str]] = []

    def resolve(tokens: list[str]) -> dict[str, Actor]:
        asked.append(tokens)
        return {"token-b": MANAGER}  # token-a ended; token-b's role changed

    assert tabs.logins_moved(resolve) == []  # looked up by the pages just now
    clock.now += watchers.RECHECK_SECONDS
    assert sorted(tabs.logins_moved(resolve)) == ["a", "b", "c"]
    assert asked == [["token-a", "token-b"]]  # one lookup for every tab
    assert tabs.known_login("a", "token-a") == watchers.Login(None)  # the rerun needs no query
    assert tabs.known_login("b", "token-b") == watchers.Login(MANAGER)
    assert tabs.known_login("b", "another token") is None
    tabs.signed_in("a", "token-a", None, looked_up=False)  # the rerun showed the login form
    clock.now += watchers.RECHECK_SECONDS - 0.1
    assert tabs.known_login("a", "token-a") is not None
    clock.now += 0.1
    assert tabs.known_login("a", "token-a") is None  # too old: the page looks it up
    clock.now += watchers.ASK_PATIENCE_SECONDS
    assert tabs.logins_moved(resolve) == ["b", "c"]  # never rerun (their browsers gone?): again


def test_a_tab_that_left_is_forgotten(tabs, clock) -> None:
    versions = Versions()
    drawn(tabs, "a", versions)
    tabs.signed_in("a", "token-a", AGENT, looked_up=True)
    tabs.leave("a")
    versions.of[1] += 1
    clock.now += watchers.RECHECK_SECONDS
    assert tabs.due(versions, FULL) == []
    assert tabs.logins_moved(lambda tokens: pytest.fail("no tab left to look up")) == []
    assert tabs.tab_keys() == [] and tabs.shown("a") is None


def test_tabs_whose_reader_waits_are_rerun_first(tabs, clock) -> None:
    versions, values, reads = Versions(), {7: 0}, []
    drawn(tabs, "list only", versions)
    drawn(tabs, "reading 7", versions, seconds=0.1, mark=Reading(7, values, reads))
    versions.of[1] += 1
    values[7] += 1
    clock.now += 1
    assert tabs.due(versions, FULL) == ["reading 7", "list only"]


def test_a_waiting_reader_backs_off_a_second_at_most_a_list_three(tabs, clock) -> None:
    versions, values, reads = Versions(), {7: 0}, []
    drawn(tabs, "list only", versions, seconds=1.0)  # slow draws on a busy server
    drawn(tabs, "reading 7", versions, seconds=1.0, mark=Reading(7, values, reads))
    versions.of[1] += 1
    values[7] += 1
    clock.now += watchers.READER_GAP_SECONDS
    assert tabs.due(versions, FULL) == ["reading 7"]
    clock.now += watchers.MAX_GAP_SECONDS - watchers.READER_GAP_SECONDS
    assert tabs.due(versions, FULL) == ["list only"]


def test_a_waiting_tabs_mark_is_read_once_per_move_of_the_versions(tabs, clock) -> None:
    versions, values, reads = Versions(), {7: 0}, []
    drawn(tabs, "reading 7", versions, mark=Reading(7, values, reads))
    versions.of[1] += 1  # another conversation changed; no budget for the list
    reads.clear()
    assert tabs.due(versions, SPENT) == [] and tabs.due(versions, SPENT) == []
    assert reads == [7]  # not at every look while it waits its turn
    values[7] += 1
    versions.of[1] += 1  # now its own thread changed
    assert tabs.due(versions, SPENT) == ["reading 7"]
    tabs.not_rerun("reading 7")
    assert tabs.due(versions, SPENT) == ["reading 7"]  # still waiting: asked again


def test_at_most_two_runs_nobody_asked_for_go_at_once_readers_first(clock) -> None:
    tabs, versions, values, reads = Watchers(clock), Versions(), {7: 0}, []
    for key in ("list 1", "reader 1", "reader 2", "reader 3"):
        mark = Reading(7, values, reads) if key.startswith("reader") else None
        drawn(tabs, key, versions, mark=mark)
    drawn(tabs, "agent", versions)
    versions.of[1] += 1
    values[7] += 1
    clock.now += watchers.MAX_GAP_SECONDS
    first = tabs.due(versions, FULL)
    assert len(first) == watchers.BACKGROUND_RUNS == 2
    assert all(key.startswith("reader") for key in first)
    assert tabs.due(versions, FULL) == []  # both asked, not started yet
    tabs.started("agent")  # the agent clicks: their own run takes no turn
    tabs.started(first[0])
    assert tabs.due(versions, FULL) == []  # drawing what the watcher asked for
    tabs.finished(first[0], 0.0)
    reads.clear()
    [third] = tabs.due(versions, FULL)
    assert third.startswith("reader") and third not in first
    assert reads == []  # its thread was read as changed at the first look: not read again
    tabs.started(first[1])
    tabs.finished(first[1], 0.0)
    assert tabs.due(versions, FULL) == ["list 1"]  # the readers first, then the list


def test_a_tab_showing_the_login_form_holds_no_turn_and_follows_nothing(clock) -> None:
    tabs, versions = Watchers(clock), Versions()
    for key in ("ended 1", "ended 2", "reading"):
        drawn(tabs, key, versions)
        tabs.signed_in(key, f"token-{key}", AGENT, looked_up=True)
    clock.now += watchers.RECHECK_SECONDS
    ended = tabs.logins_moved(lambda tokens: {"token-reading": AGENT})
    assert sorted(ended) == ["ended 1", "ended 2"]  # both turns taken
    for key in ended:  # their reruns show the login form (no page run: no started())
        tabs.signed_in(key, f"token-{key}", None, looked_up=False)
    versions.of[1] += 1
    clock.now += watchers.MAX_GAP_SECONDS
    assert tabs.due(versions, FULL) == ["reading"]  # the turns are free; the login forms not rerun
