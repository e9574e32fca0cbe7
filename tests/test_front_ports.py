"""The port the front gives its dashboard child."""

from __future__ import annotations

import pytest

from core.runtime.front import server as front_server


def test_the_dashboards_port_is_never_the_fronts_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The front's port is not bound yet when the child's is chosen: the system may offer it
    (seen once in a full run: the child then failed to start, again and again)."""
    offered = iter([47933, 47933, 51002])

    class Offering:
        def __enter__(self) -> Offering:
            return self

        def __exit__(self, *_exc: object) -> None:
            return None

        def bind(self, _address: tuple[str, int]) -> None:
            self.port = next(offered)

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(front_server.socket, "socket", Offering)
    assert front_server.loopback_port(avoid=47933) == 51002
