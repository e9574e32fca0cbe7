"""Open pages that cost nothing while nothing changes, and show a change within about a second.

A page calls :func:`follow` before it reads what it shows, naming its channels and, when it shows
one thing a person reads (the open conversation), the mark of it (``core.conversations.marks``).
The process's watcher (``pages/_widgets/reruns.py``, deciding with ``core.channels.watchers``)
reruns the page from the server when those channels' versions move: at once when the mark
changed, otherwise when the process's redraw budget allows. It also reruns a tab whose login
ended or changed elsewhere (logout, deactivation, role change). Between changes an open tab sends
and receives nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.access.auth import Actor
from core.channels import changes
from core.channels.watchers import Key, Login, Mark, Shown, Watchers
from pages._widgets import reruns

WATCHERS = Watchers()
"""Every open tab of this process."""


def tab_key() -> Key | None:
    """This tab (its Streamlit session), or ``None`` outside a page run."""
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def follow(channel_ids: Iterable[int] | None = None, mark: Mark | None = None) -> None:
    """This run draws these channels (every channel when ``None``) as they are now: called
    before the page reads them, so a change made while it draws still reruns it."""
    key = tab_key()
    if key is None:
        return
    watched = None if channel_ids is None else tuple(sorted(set(channel_ids)))
    marked = None if mark is None else mark()
    WATCHERS.follow(key, Shown(watched, changes.current(watched), mark, marked))


def timed(run: Callable[[], None]) -> None:
    """Run a signed-in tab's page: what it follows is what this run says (nothing, unless it
    calls :func:`follow`), and its redraws are spaced by how long it took."""
    key = tab_key()
    if key is None:
        run()
        return
    reruns.start(WATCHERS)
    WATCHERS.started(key)
    started = time.monotonic()
    try:
        run()
    finally:
        WATCHERS.finished(key, time.monotonic() - started)


def known_login(token: str | None) -> Login | None:
    """Who ``token`` names, if this tab's watcher looked it up lately."""
    key = tab_key()
    return None if key is None else WATCHERS.known_login(key, token)


def signed_in(token: str | None, actor: Actor | None, *, looked_up: bool) -> None:
    """This tab's run shows ``actor`` signed in with ``token`` (the watcher reruns the tab when
    that stops being true)."""
    key = tab_key()
    if key is not None:
        WATCHERS.signed_in(key, token, actor, looked_up=looked_up)
