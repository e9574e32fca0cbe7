"""A headless Streamlit client: a dashboard tab without a browser, for measuring the server alone.

It speaks what Streamlit's own frontend speaks (read from the frontend shipped in the streamlit
package and from ``streamlit/web/server/starlette/starlette_websocket.py``):

- before the websocket, ``GET /`` (the page, whose answer sets the login-binding cookie a login's
  ticket is issued to) and ``GET /_stcore/health``, which sets the ``_streamlit_xsrf`` cookie;
- ``ws://HOST/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf cookie or
  PLACEHOLDER_AUTH_TOKEN>]``, the page's ``Origin``, and every cookie the browser holds (Streamlit
  hands the websocket request's cookies to the app as ``st.context.cookies``);
- binary frames: ``BackMsg`` up, ``ForwardMsg`` down. A run is asked for with
  ``BackMsg(rerun_script=ClientState(...))`` carrying the page, the query string and the widget
  states; widgets inside a fragment ask for a rerun of that fragment only;
- ``auto_rerun`` (a ``st.fragment(run_every=...)``) is a timer the *browser* keeps: every
  ``interval`` seconds it sends a rerun of that fragment (``is_auto_rerun``), until a full run or a
  page change clears the timers or ``stop_auto_rerun`` names the fragment;
- large messages marked cacheable are kept, and their hashes sent back with each rerun, so the
  server may answer with a reference instead of the whole message, as it does for a browser.

It keeps a small model of what is on screen (elements by delta path, pruned when a run finishes as
the frontend prunes them) so a benchmark can find a widget by key or label, type, click, and wait
for a text to appear. It is a measuring instrument, not a product feature.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Common_pb2 import ChatInputValue
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import ClientConnection, connect

STREAM_PATH = "/_stcore/stream"
HEALTH_PATH = "/_stcore/health"
XSRF_COOKIE = "_streamlit_xsrf"
NO_XSRF_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends without the cookie
CACHED_MESSAGE_RUNS = 2  # Streamlit's global.maxCachedMessageAge: the frontend's cache horizon
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) bench.st_client"
TICKET_LINK = re.compile(r"/auth/session\?ticket=[A-Za-z0-9_\-]+")
FINISHED = ForwardMsg.ScriptFinishedStatus


@dataclass
class Node:
    """One element or block on screen: where the delta put it, which run and fragment drew it."""

    path: tuple[int, ...]
    element: Element | None  # None for a block (container)
    run_id: str
    fragment_id: str

    @property
    def kind(self) -> str:
        if self.element is None:
            return "block"
        return self.element.WhichOneof("type") or ""

    @property
    def inner(self) -> Any:
        return getattr(self.element, self.kind) if self.element is not None else None

    @property
    def widget_id(self) -> str:
        return str(getattr(self.inner, "id", "") or "")

    @property
    def key(self) -> str:
        """The ``key=`` the page gave the widget: Streamlit ids end with it (``$$ID-<hash>-key``)."""
        parts = self.widget_id.split("-", 2)
        return parts[2] if len(parts) == 3 and parts[2] != "None" else ""

    @property
    def text(self) -> str:
        """What a reader sees of the element: its body, label or placeholder."""
        inner = self.inner
        if inner is None:
            return ""
        fields = inner.DESCRIPTOR.fields_by_name
        return " ".join(
            str(getattr(inner, name))
            for name in ("body", "label", "placeholder")
            if name in fields and getattr(inner, name)
        )


class SessionLost(RuntimeError):
    """The websocket closed, or the server did not answer in time."""


@dataclass
class StreamlitClient:
    """One dashboard tab. ``await connect()``, act, ``await close()``; all in one event loop."""

    base_url: str
    language: str = "es-ES"
    patience: float = 60.0  # seconds to wait for the server at each step (a loaded one is slow)
    cookies: dict[str, str] = field(default_factory=dict)
    query_string: str = ""
    nodes: dict[tuple[int, ...], Node] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    page_script_hash: str = ""
    session_id: str = ""
    run_id: str = ""  # the run drawing now: only new_session and script_finished name it
    runs_finished: int = 0
    script_running: bool = False  # the server's session status: its last frame after each run
    bytes_received: int = 0
    _websocket: ClientConnection | None = None
    _reader: asyncio.Task[None] | None = None
    _timers: dict[str, tuple[float, asyncio.Task[None]]] = field(default_factory=dict)
    _values: dict[str, WidgetState] = field(default_factory=dict)
    _cache: dict[str, tuple[ForwardMsg, int]] = field(default_factory=dict)
    _waiters: list[tuple[Callable[[], Any], asyncio.Future[Any], bool]] = field(
        default_factory=list
    )
    _text_waiters: list[tuple[str, asyncio.Future[float]]] = field(default_factory=list)
    _closed: bool = False

    # -- connection -------------------------------------------------------------------------

    async def connect(self, page_name: str = "") -> None:
        """Open the tab at ``/<page_name>`` as a browser does, and wait for its first run."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.patience) as http:
            self._keep_cookies(await http.get(f"/{page_name}", headers=self._http_headers()))
            self._keep_cookies(await http.get(HEALTH_PATH, headers=self._http_headers()))
        split = urlsplit(self.base_url)
        scheme = "wss" if split.scheme == "https" else "ws"
        self._websocket = await connect(
            f"{scheme}://{split.netloc}{STREAM_PATH}",
            subprotocols=["streamlit", self.cookies.get(XSRF_COOKIE, NO_XSRF_TOKEN)],  # type: ignore[list-item]
            origin=f"{split.scheme}://{split.netloc}",  # type: ignore[arg-type]
            additional_headers={
                key: value for key, value in self._http_headers().items() if key != "User-Agent"
            },
            user_agent_header=USER_AGENT,
            max_size=None,
            open_timeout=self.patience,
        )
        self._closed = False
        self._reader = asyncio.create_task(self._read())
        finished = self.runs_finished
        await self._send_rerun(page_script_hash="", page_name=page_name)  # a page load: by URL
        await self.until(lambda: self.runs_finished > finished)

    async def close(self) -> None:
        """Close the tab: timers stop, the websocket closes (the server ends the session)."""
        self._closed = True
        self._stop_timers()
        if self._websocket is not None:
            await self._websocket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self._websocket = self._reader = None

    async def login(self, username: str, password: str) -> None:
        """Log in as a person does: fill the login form and submit it; follow the link the page
        then renders to ``/auth/session``, keep the HttpOnly cookie it sets, and reopen the tab
        with it (the browser reloads the page; a new websocket is a new Streamlit session)."""
        if self._websocket is None:
            await self.connect()
        self.set_value("login_username", username)
        self.set_value("login_password", password)
        await self.click(form="login")
        link = await self.until(self._ticket_link, each_delta=True)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.patience) as http:
            answer = await http.get(link, headers=self._http_headers())
        if answer.status_code != 303:
            raise SessionLost(f"{link} answered {answer.status_code}: {answer.text[:200]}")
        self._keep_cookies(answer)
        await self.close()
        self.nodes.clear()
        self._values.clear()
        await self.connect()
        if self.find(key="login_username"):
            raise SessionLost(f"{username} still sees the login form after {link}")

    def _ticket_link(self) -> str | None:
        for node in self.nodes.values():
            if node.kind in ("markdown", "html"):
                found = TICKET_LINK.search(node.inner.body)
                if found:
                    return urljoin(self.base_url, found.group())
        for node in self.nodes.values():  # a refusal (st.error) instead of the link: say it
            if node.kind == "alert" and node.inner.format == Alert.Format.ERROR:
                raise SessionLost(f"login refused: {node.text}")
        return None

    def _http_headers(self) -> dict[str, str]:
        headers = {
            "User-Agent": USER_AGENT,
            "Accept-Language": f"{self.language},{self.language[:2]};q=0.9",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def _keep_cookies(self, response: httpx.Response) -> None:
        for name, value in response.cookies.items():
            self.cookies[name] = value

    # -- what is on screen --------------------------------------------------------------------

    def find(
        self,
        *,
        kind: str | None = None,
        key: str | None = None,
        key_prefix: str | None = None,
        label: str | None = None,
        form: str | None = None,
    ) -> list[Node]:
        """Elements on screen, in page order, matching every criterion given."""
        found = []
        for path in sorted(self.nodes):
            node = self.nodes[path]
            if node.element is None or (kind and node.kind != kind):
                continue
            if key is not None and node.key != key:
                continue
            if key_prefix is not None and not node.key.startswith(key_prefix):
                continue
            if label is not None and label not in node.text:
                continue
            if form is not None and getattr(node.inner, "form_id", None) != form:
                continue
            found.append(node)
        return found

    def texts(self) -> list[str]:
        return [node.text for node in self.find() if node.text]

    async def until(
        self, condition: Callable[[], Any], timeout: float | None = None, each_delta: bool = False
    ) -> Any:
        """The condition's first truthy answer, asked whenever a run finishes (with
        ``each_delta``, at every element drawn: what a browser acts on at once, such as the
        login's redirect); ``SessionLost`` after ``timeout`` s (default: the tab's patience)."""
        timeout = self.patience if timeout is None else timeout
        answer = condition()
        if answer:
            return answer
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        waiter = (condition, future, each_delta)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise SessionLost(f"not seen within {timeout:g} s: {condition!r}") from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def settled(self) -> None:
        """Until the server says no run is going: after ``script_finished`` it still sends the
        session's status, so a tab counted as idle before that frame would see two more bytes."""
        await self.until(lambda: not self.script_running)

    def watch_text(self, text: str) -> asyncio.Future[float]:
        """A future resolved with ``time.monotonic()`` when a delta containing ``text`` arrives."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._text_waiters.append((text, future))
        return future

    # -- acting -------------------------------------------------------------------------------

    def set_value(self, key: str, value: str | bool | int | float) -> None:
        """Type into a text input, tick a toggle, choose an option: sent with the next rerun."""
        node = self._only(key)
        state = WidgetState(id=node.widget_id)
        if isinstance(value, bool):
            state.bool_value = value
        elif isinstance(value, int):
            state.int_value = value
        elif isinstance(value, float):
            state.double_value = value
        else:
            state.string_value = value
        self._values[node.widget_id] = state

    async def click(
        self, key: str | None = None, *, key_prefix: str | None = None, form: str | None = None
    ) -> None:
        """Press a button (by key, key prefix, or a form's submit button): one trigger rerun."""
        if form is not None:
            buttons = [n for n in self.find(kind="button", form=form) if n.inner.is_form_submitter]
        else:
            buttons = self.find(kind="button", key=key, key_prefix=key_prefix)
        if not buttons:
            raise SessionLost(f"no button {key or key_prefix or form!r} on screen")
        button = buttons[0]
        trigger = WidgetState(id=button.widget_id, trigger_value=True)
        await self._send_rerun(fragment_id=button.fragment_id, extra=[trigger])

    async def send_chat(self, key: str, text: str) -> None:
        """Type into a chat input and press Enter (its value is a one-shot trigger)."""
        node = self._only(key)
        value = WidgetState(id=node.widget_id, chat_input_value=ChatInputValue(data=text))
        await self._send_rerun(fragment_id=node.fragment_id, extra=[value])

    async def navigate(self, url_path: str) -> None:
        """Choose a page in the menu and wait for its run."""
        page_hash = self.pages.get(url_path)
        if page_hash is None:
            raise SessionLost(f"no page {url_path!r} in the menu: {sorted(self.pages)}")
        self._stop_timers()  # as the frontend's page change does
        finished = self.runs_finished
        await self._send_rerun(page_script_hash=page_hash)
        await self.until(
            lambda: self.runs_finished > finished and self.page_script_hash == page_hash
        )

    def _only(self, key: str) -> Node:
        nodes = self.find(key=key)
        if not nodes:
            raise SessionLost(f"no widget with key {key!r} on screen")
        return nodes[0]

    async def _send_rerun(
        self,
        *,
        fragment_id: str = "",
        page_script_hash: str | None = None,
        page_name: str = "",
        auto: bool = False,
        extra: list[WidgetState] | None = None,
    ) -> None:
        """``BackMsg(rerun_script=...)`` with the values of the widgets on screen, as the
        frontend's ``sendRerunBackMsg`` builds it."""
        if self._websocket is None:
            raise SessionLost("not connected")
        on_screen = {node.widget_id for node in self.nodes.values() if node.element is not None}
        states = [s for wid, s in self._values.items() if wid in on_screen] + list(extra or ())
        state = ClientState(
            query_string=self.query_string,
            widget_states=WidgetStates(widgets=states),
            page_script_hash=self.page_script_hash
            if page_script_hash is None
            else page_script_hash,
            page_name=page_name,
            fragment_id=fragment_id,
            is_auto_rerun=auto,
            cached_message_hashes=list(self._cache),
            context_info=ContextInfo(
                timezone="UTC",
                timezone_offset=0,
                locale=self.language,
                url=f"{self.base_url}/{page_name}",
                is_embedded=False,
                color_scheme="light",
            ),
        )
        try:
            await self._websocket.send(BackMsg(rerun_script=state).SerializeToString())
        except Exception as exc:  # noqa: BLE001  (any transport failure is a lost session)
            raise SessionLost(f"could not send a rerun: {exc}") from exc

    # -- the browser's timers -----------------------------------------------------------------

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        running = self._timers.get(fragment_id)
        if running and running[0] == interval:
            return  # the frontend keeps a timer whose interval did not change
        if running:
            running[1].cancel()
        self._timers[fragment_id] = (
            interval,
            asyncio.create_task(self._tick(fragment_id, interval)),
        )

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """``setInterval``: fires every ``interval`` seconds whether or not the last run ended."""
        next_at = time.monotonic() + interval
        while not self._closed:
            await asyncio.sleep(max(next_at - time.monotonic(), 0))
            next_at += interval
            try:
                await self._send_rerun(fragment_id=fragment_id, auto=True)
            except SessionLost:
                return

    def _stop_timers(self, fragment_ids: list[str] | None = None) -> None:
        for fragment_id in list(self._timers) if fragment_ids is None else fragment_ids:
            running = self._timers.pop(fragment_id, None)
            if running:
                running[1].cancel()

    # -- messages from the server -------------------------------------------------------------

    async def _read(self) -> None:
        assert self._websocket is not None
        try:
            async for frame in self._websocket:
                data = frame if isinstance(frame, bytes) else frame.encode()
                self.bytes_received += len(data)
                message = ForwardMsg()
                message.ParseFromString(data)
                self._handle(message)
                kind = message.WhichOneof("type")
                if kind in ("script_finished", "session_status_changed"):
                    self._wake_waiters()  # once a run, not at each of its hundreds of deltas
                elif kind == "delta" and any(eager for _, _, eager in self._waiters):
                    self._wake_waiters(eager_only=True)
        except Exception as exc:  # noqa: BLE001  (closing is how every session ends)
            reason = f"the websocket closed: {exc!r}"
        else:
            reason = "the websocket closed"
        self._stop_timers()
        if not self._closed:
            self._fail_waiters(SessionLost(reason))

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(message.ref_hash)
            if cached is None:
                return  # not in our cache: we never sent its hash, so the server never refers to it
            referred = ForwardMsg()
            referred.CopyFrom(cached[0])
            referred.metadata.CopyFrom(message.metadata)
            message, kind = referred, referred.WhichOneof("type")
        elif message.metadata.cacheable and message.hash:
            self._cache[message.hash] = (message, self.runs_finished)
        run = message.metadata.run
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id or self.session_id
            self.page_script_hash = message.new_session.page_script_hash
            self.run_id = run.script_run_id
            if not run.fragment_ids:
                self._stop_timers()  # a full run starts: the frontend clears every timer
        elif kind == "navigation":
            self.pages = {
                page.url_pathname: page.page_script_hash for page in message.navigation.app_pages
            }
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
        elif kind == "session_status_changed":
            self.script_running = message.session_status_changed.script_is_running
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta":
            self._apply(message, self.run_id)
        elif kind == "auto_rerun":
            self._start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(message.stop_auto_rerun.fragment_ids))
        elif kind == "script_finished":
            self._finish(message.script_finished, run.script_run_id, list(run.fragment_ids))

    def _apply(self, message: ForwardMsg, run_id: str) -> None:
        delta = message.delta
        path = tuple(message.metadata.delta_path)
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            node = Node(path, delta.new_element, run_id, delta.fragment_id)
            self.nodes[path] = node
            if self._text_waiters:
                self._match_text(node.text)
        elif kind == "add_block":
            self.nodes[path] = Node(path, None, run_id, delta.fragment_id)

    def _match_text(self, text: str) -> None:
        if not text:
            return
        now = time.monotonic()
        for waiter in list(self._text_waiters):
            wanted, future = waiter
            if future.done():  # its watcher gave up
                self._text_waiters.remove(waiter)
            elif wanted in text:
                self._text_waiters.remove(waiter)
                future.set_result(now)

    def _finish(self, status: int, run_id: str, fragment_ids: list[str]) -> None:
        """What the frontend removes at the end of a run: elements the run did not draw again
        (for a fragment run, only those of its fragments); cached messages too old to keep."""
        if status == FINISHED.FINISHED_SUCCESSFULLY:
            stale = [p for p, n in self.nodes.items() if n.run_id != run_id]
        elif status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            stale = [
                p
                for p, n in self.nodes.items()
                if n.fragment_id in fragment_ids and n.run_id != run_id
            ]
        else:
            stale = []
        for path in stale:
            del self.nodes[path]
        self.runs_finished += 1
        horizon = self.runs_finished - CACHED_MESSAGE_RUNS
        for digest in [h for h, (_, seen) in self._cache.items() if seen < horizon]:
            del self._cache[digest]

    def _wake_waiters(self, eager_only: bool = False) -> None:
        for condition, future, eager in list(self._waiters):
            if future.done() or (eager_only and not eager):
                continue
            try:
                answer = condition()
            except Exception as exc:  # noqa: BLE001  (the waiting caller sees it)
                future.set_exception(exc)
                continue
            if answer:
                future.set_result(answer)

    def _fail_waiters(self, error: Exception) -> None:
        for _, future, _ in self._waiters:
            if not future.done():
                future.set_exception(error)
        for _, future in self._text_waiters:
            if not future.done():
                future.set_exception(error)
