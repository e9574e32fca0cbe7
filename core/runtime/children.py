"""Child processes that ``serve`` starts, restarts when they die, and never leaves behind.

``serve`` runs the front (``core.runtime.front``), which starts two children: the Streamlit
dashboard and the background worker. Each child is told its supervisor's process id
(:data:`SUPERVISOR_PID_ENV`) and ends on its own within :data:`RESTART_SECONDS` once that process
is gone, even when it was killed with no chance to stop them: Linux re-parents an orphan, so
``os.getppid()`` changing is the sign.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from core.config import PROJECT_DIR

log = logging.getLogger(__name__)

SUPERVISOR_PID_ENV = "SUPERVISOR_PID"
RESTART_SECONDS = 1.0


def supervisor_pid() -> int:
    """The process that started this one as its child, or 0 when it runs on its own."""
    return int(os.environ.get(SUPERVISOR_PID_ENV, "0") or 0)


def supervisor_gone(pid: int) -> bool:
    """True once the supervisor ``pid`` is no longer this process's parent."""
    return bool(pid) and os.getppid() != pid


@asynccontextmanager
async def ending_with_supervisor() -> AsyncIterator[None]:
    """In an asyncio server started by a supervisor: SIGTERM ourselves once it is gone, so the
    server shuts down as an operator would stop it."""
    pid = supervisor_pid()

    async def watch() -> None:
        while not supervisor_gone(pid):
            await asyncio.sleep(RESTART_SECONDS)
        log.warning("supervisor %s is gone; stopping", pid)
        os.kill(os.getpid(), signal.SIGTERM)

    task = asyncio.get_running_loop().create_task(watch()) if pid else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()


class ChildProcess:
    """One supervised child: started, restarted :data:`RESTART_SECONDS` after it exits on its
    own, terminated (then killed if stuck) by :meth:`stop`. A positive ``niceness`` lets the
    supervisor go first when both want the processor."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        niceness: int = 0,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.niceness = niceness
        self.env = {**os.environ, SUPERVISOR_PID_ENV: str(os.getpid())}
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._spawning = threading.Lock()  # so a restart never races a stop
        self._watcher = threading.Thread(target=self._watch, name=f"{name}-watch", daemon=True)

    def start(self) -> ChildProcess:
        self._spawn()
        self._watcher.start()
        return self

    def stop(self, timeout: float = 20) -> None:
        with self._spawning:
            self._stopping.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._watcher.join(timeout)

    def _spawn(self) -> None:
        # stdout only says where a child listens, which is the front's business, not the user's;
        # stderr (logs, errors) is kept
        self._process = subprocess.Popen(
            self.command, cwd=PROJECT_DIR, env=self.env, stdout=subprocess.DEVNULL
        )
        if self.niceness:
            # set while the child is still starting, one thread: its threads inherit it
            os.setpriority(os.PRIO_PROCESS, self._process.pid, self.niceness)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            assert self._process is not None
            code = self._process.wait()
            if self._stopping.wait(RESTART_SECONDS):
                return
            with self._spawning:
                if self._stopping.is_set():
                    return
                log.error("%s exited with %s; starting it again", self.name, code)
                self._spawn()
