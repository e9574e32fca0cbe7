"""360Dialog's gateway in front of Meta: its usage limit on configuration calls, and refusals a
test queues.

* Usage limit: an account with ``config_calls_every_seconds`` set answers a second configuration
  call (``/v1/configs/…``) within that many seconds with HTTP 400 and 360Dialog's sentence
  "You have exceeded the limit of 1 request every N seconds. Try again later."
  (https://docs.360dialog.com/docs/useful/api-error-message-list). Measured on the sandbox
  clock, so a test can wait it out by moving the clock.
* Refusals: 360Dialog's own endpoints answer errors as ``{"error": "sentence"}`` (its Messaging
  API reference, e.g. 401 for a wrong key, 409 for a conflict on the multi-webhook endpoints);
  ``PUT /sandbox/api/gateway {"refuse_next": [{"status", "error", "path"?}]}`` makes the next
  provider calls (those under ``path``, when given) answer so, one refusal per call.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from core.sandbox.errors import GatewayError
from core.sandbox.state import Account, Clock

CONFIG_PREFIX = "/v1/configs/"


class Gateway:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._last_config_call: dict[str, float] = {}
        self._refusals: deque[dict[str, Any]] = deque()

    def admit(self, account: Account, path: str) -> None:
        """Raise the gateway's refusal for this call, if it has one."""
        with self._lock:
            refusal = next(
                (r for r in self._refusals if path.startswith(r.get("path") or "/")), None
            )
            if refusal is not None:
                self._refusals.remove(refusal)
                raise GatewayError(refusal["status"], refusal["error"], plain=True)
            if not path.startswith(CONFIG_PREFIX) or account.config_calls_every_seconds <= 0:
                return
            now = self.clock.now()
            every = account.config_calls_every_seconds
            last = self._last_config_call.get(account.api_key)
            if last is not None and now - last < every:
                raise GatewayError(
                    400,
                    f"You have exceeded the limit of 1 request every {every:g} seconds. "
                    "Try again later.",
                )
            self._last_config_call[account.api_key] = now

    def refuse_next(self, refusals: list[dict[str, Any]]) -> None:
        """Queue refusals ``{"status": 4xx/5xx, "error": sentence, "path"?: prefix}``."""
        checked = []
        for refusal in refusals:
            status = int(refusal.get("status", 0))
            if not 400 <= status <= 599:
                raise ValueError("each refusal needs an error 'status' (400-599)")
            error = refusal.get("error")
            if not isinstance(error, str) or not error:
                raise ValueError("each refusal needs its 'error' sentence")
            path = refusal.get("path")
            checked.append({"status": status, "error": error, "path": path or None})
        with self._lock:
            self._refusals.extend(checked)

    def public(self) -> dict[str, Any]:
        with self._lock:
            return {"refuse_next": list(self._refusals)}

    def reset(self) -> None:
        with self._lock:
            self._last_config_call.clear()
            self._refusals.clear()
