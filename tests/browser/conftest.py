"""A real server process and Debian's chromium driven by Playwright."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PROJECT_DIR
from tests.live import free_port
from tests.process_helpers import environment, spawn_server, stop, wait_until_serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_DIR / "test-artifacts"
WAIT_MS = 20_000
"""How long an action or an ``expect`` waits for the page by default: Playwright's own 5 s for an
``expect`` is short for a page run while other test workers keep the machine busy."""

expect.set_options(timeout=WAIT_MS)

JOURNEYS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each journey may run a second time after a failure (pytest-rerunfailures): it drives a
    real chromium against three server processes while other workers keep the two cores busy,
    and a page that misses its wait once is not a product failure. Its first screenshot stays in
    ``test-artifacts/`` and the output counts the rerun (R); a second failure fails the suite."""
    for item in items:
        if JOURNEYS in item.path.parents:
            item.add_marker(pytest.mark.flaky(reruns=1))


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    restart: Callable[[], None]

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )


@dataclass
class BrowserStore:
    """The server's own data directory and SQLite file."""

    data_dir: Path
    database_url: str


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """``python -m core serve`` on a free port with its own data directory (SQLite)."""
    store = BrowserStore(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'whatsapp.db'}")
    port = free_port()
    settings = {
        "LOGIN_DELAY_SECONDS": "0",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",  # 360Dialog here is the local sandbox
    }
    server = spawn_server(store, port=port, log=tmp_path / "server.log", **settings)
    live = LiveServer(server.url, environment(store, **settings), server.process, lambda: None)

    def restart() -> None:
        """Stop the process as an operator would and start it again on the same port and store."""
        stop([live.process])
        again = spawn_server(store, port=port, log=tmp_path / "server-restarted.log", **settings)
        live.process = again.process
        wait_until_serving(again)

    live.restart = restart
    try:
        wait_until_serving(server)
        yield live
    finally:
        stop([live.process])


@pytest.fixture
def browser_page(request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:
    """Open pages in chromium; on failure a screenshot lands in test-artifacts/."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    pages = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(locale: str = "en-US"):  # type: ignore[no-untyped-def]
            context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            pages.append(page)
            return page

        yield open_page
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for index, page in enumerate(pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}.png"))
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
