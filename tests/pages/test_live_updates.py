"""What a page tells the live watch (``pages/_widgets/live.py``): the channels it shows, the mark
of the thread its reader reads, and nothing once it shows something else. Which tabs are then
rerun is ``tests/test_live_watchers.py``; the rerun itself, over a real server,
``tests/test_live_reruns.py``."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.conversations import marks
from core.models import Role
from pages._widgets import live
from tests.store_helpers import make_channel

TAB = "test session id"  # every AppTest's session


def test_the_inbox_follows_the_channel_it_shows(run_page, roles, engine) -> None:
    channel = make_channel(engine).id
    at = run_page("pages/conversations.py", roles[Role.AGENT])
    shown = live.WATCHERS.shown(TAB)
    assert shown is not None and (shown.channels, shown.versions, shown.mark) == (None, (), None)
    at.selectbox(key="viewer_channel").select(channel).run()
    shown = live.WATCHERS.shown(TAB)
    assert shown is not None and (shown.channels, shown.versions) == ((channel,), ((channel, 0),))


def test_the_open_thread_is_marked_for_its_reader(run_page, roles, engine) -> None:
    make_channel(engine)
    at = run_page("pages/conversations.py", roles[Role.AGENT])
    at.session_state["viewer_open"] = 42
    at.run()
    shown = live.WATCHERS.shown(TAB)
    assert shown is not None and isinstance(shown.mark, marks.ThreadMark)
    assert shown.mark.conversation_id == 42 and shown.marked == shown.mark()


def test_a_page_that_follows_nothing_is_not_rerun_by_changes(open_dashboard, roles) -> None:
    at = open_dashboard(roles[Role.AGENT], page="pages/conversations.py")
    assert live.WATCHERS.shown(TAB) is not None
    at.switch_page("pages/home.py").run()
    assert not at.exception, at.exception
    assert live.WATCHERS.shown(TAB) is None


def test_outside_a_page_run_nothing_is_followed() -> None:
    live.follow([1])
    assert live.WATCHERS.tab_keys() == []


def test_a_bare_page_starts_no_watcher_thread(engine, monkeypatch) -> None:
    """AppTest runs pages without a Streamlit server: nothing to rerun, so no thread."""
    monkeypatch.setattr(live.reruns, "_thread", None)
    at = AppTest.from_function(runs_a_page_following_a_channel)
    at.run()
    assert not at.exception
    assert live.WATCHERS.shown(TAB) is not None
    assert live.reruns._thread is None


def runs_a_page_following_a_channel() -> None:
    from pages._widgets import live

    live.timed(lambda: live.follow([1]))
