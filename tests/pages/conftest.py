"""AppTest helpers: run the real dashboard headless against the test store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from core import db
from core.access import sessions
from core.access.auth import Actor
from core.models import Role
from pages._widgets import session as session_widgets
from tests.conftest import PROJECT_DIR

DASHBOARD = str(PROJECT_DIR / "dashboard.py")
TIMEOUT = 30


def texts(at: AppTest) -> str:
    """Everything a user reads on the page, as one string."""
    parts = [element.value for element in (*at.title, *at.header, *at.subheader, *at.markdown)]
    parts += [element.value for element in (*at.error, *at.info, *at.success, *at.caption)]
    return "\n".join(str(part) for part in parts)


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run pages the way the server does: through ``st.navigation`` only.

    AppTest re-detects the ``pages/`` folder before every run and would then run a page script on
    its own (Streamlit's old multipage mode) instead of ``dashboard.py``; ``server.py`` switches
    that mode off for the real process.
    """
    original_init = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def no_open_tabs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no open tab known to the live watch: every AppTest is the same
    session (``"test session id"``), which would otherwise find the last test's login known."""
    from core.channels.watchers import Watchers
    from pages._widgets import live

    monkeypatch.setattr(live, "WATCHERS", Watchers())


@pytest.fixture
def cookie_jar(monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    """The login cookie this test's "browser" presents: AppTest cannot fill in ``st.context.cookies``,
    so the one function reading it answers from here."""
    jar: dict[str, str | None] = {"token": None}
    monkeypatch.setattr(session_widgets, "presented_token", lambda: jar["token"])
    monkeypatch.setattr(session_widgets, "presented_binding", lambda: BINDING)
    return jar


BINDING = "apptest-login-binding"
"""The login binding cookie this test's "browser" holds (``core.access.session_routes``)."""


def session_token(engine, ticket: str) -> str:
    """What the ``/auth/session`` route would put in this browser's cookie for ``ticket``."""
    with db.session_scope(engine) as session:
        issued = sessions.exchange(session, ticket, BINDING)
    assert issued is not None
    return issued.token


@pytest.fixture
def open_dashboard(engine, cookie_jar) -> Callable[..., AppTest]:
    """A fresh dashboard session, optionally already logged in as ``actor``, in ``language``."""

    def open_(actor: Actor | None = None, language: str = "en", page: str | None = None) -> AppTest:
        at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
        at.session_state["language"] = language
        if actor is not None:
            with db.session_scope(engine) as session:
                ticket = sessions.start(session, actor.username, "AppTest", binding=BINDING)
            cookie_jar["token"] = session_token(engine, ticket)
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return open_


@pytest.fixture
def run_page(engine) -> Callable[..., AppTest]:
    """Run one page script on its own, as a hand-typed URL would, with ``actor`` logged in."""

    def run(page: str, actor: Actor, language: str = "en") -> AppTest:
        at = AppTest.from_file(str(PROJECT_DIR / page), default_timeout=TIMEOUT)
        at.session_state["actor"] = actor
        at.session_state["language"] = language
        at.run()
        assert not at.exception, at.exception
        return at

    return run


@pytest.fixture
def roles(team: dict[Role, Actor]) -> dict[Role, Actor]:
    return team
