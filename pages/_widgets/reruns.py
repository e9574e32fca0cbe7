"""The process's live watcher: one thread that reruns open tabs' pages from the server.

Four times a second it asks ``core.channels.watchers`` which tabs to rerun (what they show changed,
or who is signed in them) and hands each to Streamlit's event loop, which reruns that session's
page as if its browser had asked, the way Streamlit itself reruns a page when its source is saved
(``AppSession.request_rerun`` with the session's last client state: same page, same query string;
widget values live on the server). A tab with nothing new therefore costs nothing: no timer in
its browser, no message, no script run.

Streamlit has no public call for this, so this module is the one place that touches its
internals (``Runtime``'s event loop and session manager, ``AppSession``'s script runner and
client state; ``tests/test_live_reruns.py`` drives it through a real server, so an upgrade of
the pinned Streamlit that changes them fails there). Where no Streamlit server runs (AppTest, a
bare script), there is nothing to rerun and no thread starts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime

from core.access import sessions
from core.access.auth import Actor
from core.channels import changes, redraws
from core.channels.watchers import Key, Watchers
from core.db import session_scope

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25
"""How often the watcher looks: a change shows within this plus the shared read's age
(``core.channels.changes.MAX_AGE_SECONDS``, the same) plus one page run. A look with no tab
whose channels moved is one read of a one-row-per-channel table."""
PRUNE_EVERY_SECONDS = 10.0
"""How often tabs whose browser has gone are forgotten."""

_lock = threading.Lock()
_thread: threading.Thread | None = None


def start(watchers: Watchers) -> None:
    """Start the process's watcher for ``watchers`` unless it runs (called by every followed page
    run; after the first, one attribute read)."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    loop = _server_loop()
    if loop is None:
        return
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(
                target=_watch, args=(watchers, loop), name="live-watcher", daemon=True
            )
            _thread.start()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the Streamlit server this process runs, if it runs one (AppTest's
    stand-in runtime has none)."""
    if not Runtime.exists():
        return None
    running = getattr(Runtime.instance(), "_async_objs", None)
    return None if running is None or running.eventloop.is_closed() else running.eventloop


def _resolve(tokens: list[str]) -> dict[str, Actor]:
    with session_scope() as session:
        return sessions.resolve_many(session, tokens)


def _watch(watchers: Watchers, loop: asyncio.AbstractEventLoop) -> None:
    """The watcher's loop, for the life of the process; a failed look is logged and retried
    (the store may be briefly unreachable), never the end of live updates."""
    pruned_at = time.monotonic()
    while not loop.is_closed():
        time.sleep(TICK_SECONDS)
        try:
            keys = watchers.logins_moved(_resolve)
            keys += watchers.due(changes.current, redraws.shared())
            if time.monotonic() - pruned_at >= PRUNE_EVERY_SECONDS:
                pruned_at = time.monotonic()
                loop.call_soon_threadsafe(_prune, watchers)
            for key in dict.fromkeys(keys):
                loop.call_soon_threadsafe(_rerun, watchers, key)
        except RuntimeError:  # the event loop closed: the server is stopping
            return
        except Exception:
            log.exception("The live watcher could not look at the open tabs; retrying")


def _rerun(watchers: Watchers, key: Key) -> None:
    """On Streamlit's event loop: rerun the tab's page, unless it is running (its run reads the
    store as it is now) or gone."""
    info = Runtime.instance()._session_mgr.get_active_session_info(key)
    if info is None:
        watchers.leave(key)
        return
    session = info.session
    if session._scriptrunner is not None:
        watchers.not_rerun(key)
        return
    state = ClientState()
    state.CopyFrom(session._client_state)
    state.ClearField("fragment_id")  # the whole page, not the fragment that ran last
    state.is_auto_rerun = False
    session.request_rerun(state)


def _prune(watchers: Watchers) -> None:
    """On Streamlit's event loop: forget the tabs whose browser has gone."""
    manager = Runtime.instance()._session_mgr
    for key in watchers.tab_keys():
        if manager.get_active_session_info(key) is None:
            watchers.leave(key)
