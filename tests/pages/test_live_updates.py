"""The live watch: a page says which channels it shows; the tab reruns when their versions move."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.channels import changes, redraws
from core.models import Role
from pages._widgets import live
from tests.store_helpers import make_channel


@pytest.fixture
def fresh_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question read from the store (the shared answer may otherwise be half a second old)."""
    monkeypatch.setattr(changes, "_SHARED", changes.SharedVersions(max_age=0.0))


@pytest.fixture(autouse=True)
def fresh_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the process's redraw budget full (it is shared by every session)."""
    monkeypatch.setattr(redraws, "_SHARED", redraws.RedrawBudget())


@pytest.fixture
def no_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change is noticed however recently the tab drew its page."""
    monkeypatch.setattr(live, "GAP_PER_DRAW", 0)


def follows_everything_once() -> None:
    """A page drawn once, then only the watch's question on each later run."""
    import streamlit as st

    from pages._widgets import live

    if "drawn" not in st.session_state:
        live.follow()
        st.session_state["drawn"] = True
    st.markdown("stale" if live.moved() else "up to date")


def test_the_watch_sees_a_change_made_after_the_page_was_drawn(
    engine, fresh_versions, no_gap
) -> None:
    channel = make_channel(engine).id
    at = AppTest.from_function(follows_everything_once)
    at.run()
    assert at.markdown[0].value == "up to date"
    at.run()
    assert at.markdown[0].value == "up to date"
    with engine.begin() as connection:
        changes.bump(connection, [channel])
    at.run()
    assert at.markdown[0].value == "stale"


def test_a_tab_whose_draws_are_slow_backs_off_before_redrawing(engine, fresh_versions) -> None:
    channel = make_channel(engine).id
    at = AppTest.from_function(follows_everything_once)
    at.run()
    at.session_state[live.DRAW_SECONDS] = 0.2  # a busy server: the last draw took 0.2 s
    with engine.begin() as connection:
        changes.bump(connection, [channel])
    at.run()
    assert at.markdown[0].value == "up to date"  # drawn less than 10 × 0.2 s ago: not yet
    at.session_state[live.DRAWN_AT] = at.session_state[live.DRAWN_AT] - 2.0
    at.run()
    assert at.markdown[0].value == "stale"


def test_the_back_off_has_a_ceiling(engine, fresh_versions) -> None:
    channel = make_channel(engine).id
    at = AppTest.from_function(follows_everything_once)
    at.run()
    at.session_state[live.DRAW_SECONDS] = 30.0  # one very slow draw
    with engine.begin() as connection:
        changes.bump(connection, [channel])
    at.session_state[live.DRAWN_AT] = at.session_state[live.DRAWN_AT] - live.MAX_GAP_SECONDS
    at.run()
    assert at.markdown[0].value == "stale"  # not 10 × 30 s later


def test_the_inbox_follows_the_channel_it_shows(run_page, roles, engine, fresh_versions) -> None:
    channel = make_channel(engine).id
    at = run_page("pages/conversations.py", roles[Role.AGENT])
    shown = at.session_state[live.SHOWN]
    assert (shown.channels, shown.versions) == (None, ())
    at.selectbox(key="viewer_channel").select(channel).run()
    shown = at.session_state[live.SHOWN]
    assert (shown.channels, shown.versions) == ((channel,), ((channel, 0),))


def test_a_page_that_follows_nothing_is_not_rerun_by_changes(open_dashboard, roles) -> None:
    at = open_dashboard(roles[Role.AGENT], page="pages/conversations.py")
    assert live.SHOWN in at.session_state
    at.switch_page("pages/home.py").run()
    assert not at.exception, at.exception
    assert live.SHOWN not in at.session_state


def follows_what_is_read_once() -> None:
    """A page drawn once with a mark of what its reader looks at (here: a session value)."""
    import streamlit as st

    from pages._widgets import live

    if "drawn" not in st.session_state:
        live.follow(mark=lambda: st.session_state.get("reading", 0))
        st.session_state["drawn"] = True
    st.markdown("stale" if live.moved() else "up to date")


def test_with_the_budget_spent_only_a_tab_whose_reader_waits_redraws(
    engine, fresh_versions, no_gap, monkeypatch
) -> None:
    monkeypatch.setattr(redraws, "_SHARED", redraws.RedrawBudget(share=0.0, burst=0.0))
    channel = make_channel(engine).id
    at = AppTest.from_function(follows_what_is_read_once)
    at.run()
    with engine.begin() as connection:
        changes.bump(connection, [channel])
    at.run()
    assert at.markdown[0].value == "up to date"  # the channel moved elsewhere: it waits its turn
    at.session_state["reading"] = 1  # what the reader looks at changed
    at.run()
    assert at.markdown[0].value == "stale"
