"""Shared fixtures: an isolated store per test on SQLite and, where reachable, PostgreSQL; a
channel connected to a live sandbox; product processes.

PostgreSQL tests use ``TEST_POSTGRES_URL`` (default: CI's server at 127.0.0.1:5432, database
``test``), each in a schema of its own. Without a reachable server they skip and say so, except
with ``CI=true``, where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from core import config, db
from core.access.auth import CLI_ACTOR, Actor
from core.migrations import HEAD
from core.models import Role
from tests import reference
from tests.live import LiveChannel, live_channel
from tests.pg_schemas import SchemaPool
from tests.process_helpers import PROJECT_DIR, processes  # noqa: F401  (a fixture, registered here)
from tests.tabs import call  # noqa: F401  (a fixture, registered here)

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sandbox(**config): how the sandbox of the ``live`` fixture behaves"
    )


def pytest_report_header() -> list[str]:
    return reference.describe()


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[SchemaPool]:
    pool = SchemaPool(POSTGRES_URL, required=IN_CI)
    yield pool
    pool.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs once on SQLite and once on PostgreSQL (a schema of its own there;
    one a test before emptied, if the test asks for the migrated ``engine`` anyway)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    pool: SchemaPool = request.getfixturevalue("postgres_schemas")
    lease = pool.take(migrated="engine" in request.fixturenames)
    try:
        yield pool.url_of(lease)
    finally:
        pool.give_back(lease)


@pytest.fixture
def app_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Iterator[config.Settings]:
    """Point the whole product (settings, engine, secrets) at a fresh data dir and store."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOGIN_DELAY_SECONDS", "0")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DEMO", raising=False)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield config.get_settings()
    db.get_engine().dispose()
    db.get_engine.cache_clear()
    config.get_settings.cache_clear()


class MigratedStore:
    """The migrated schema, made once per test run and laid down again for each test.

    Running every migration costs about a second (Alembic reads each script), and most tests
    start from an empty store: so the first test's store is migrated for real while its SQL is
    recorded, and later stores replay that SQL (PostgreSQL: into the test's fresh schema) or copy
    the migrated file (SQLite). ``tests/test_store.py`` still migrates for real, step by step."""

    def __init__(self, folder: Path) -> None:
        self.sqlite_file = folder / "migrated.db"
        self.postgres_sql: list[tuple[str, Any, bool]] | None = None

    def lay_down(self, engine: Engine) -> None:
        if engine.dialect.name == "sqlite":
            self._sqlite(engine)
        else:
            self._postgres(engine)

    def _sqlite(self, engine: Engine) -> None:
        target = Path(engine.url.database or "")
        if not self.sqlite_file.exists():
            template = create_engine(f"sqlite:///{self.sqlite_file}")
            db.migrate(template)
            template.dispose()  # the last connection folds the write-ahead log into the file
        shutil.copyfile(self.sqlite_file, target)

    def _postgres(self, engine: Engine) -> None:
        if db.stored_revision(engine) == HEAD:
            return  # an emptied schema from the pool (``tests.pg_schemas``)
        if self.postgres_sql is not None:
            with engine.begin() as connection:
                cursor = connection.connection.cursor()
                for statement, parameters, many in self.postgres_sql:
                    if many:
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters)
            return
        recorded: list[tuple[str, Any, bool]] = []

        def record(
            _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
        ) -> None:
            if not statement.lstrip().upper().startswith("SELECT"):
                recorded.append((statement, parameters, many))

        event.listen(engine, "before_cursor_execute", record)
        try:
            db.migrate(engine)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        self.postgres_sql = recorded


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory: pytest.TempPathFactory) -> MigratedStore:
    return MigratedStore(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def engine(app_settings: config.Settings, migrated_store: MigratedStore) -> Engine:
    migrated_store.lay_down(db.get_engine())
    return db.get_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session left uncommitted: each test sees only what it wrote itself."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def live(request: pytest.FixtureRequest, engine: Engine) -> Iterator[LiveChannel]:
    """A channel connected to a fresh sandbox over real HTTP (see ``tests.live.live_channel``).

    A module tunes the sandbox with ``pytestmark = pytest.mark.sandbox(review_delay=60)`` (any
    ``SandboxConfig`` field); a module needing more (a template in the workspace) overrides
    ``live`` and builds on this one.
    """
    marker = request.node.get_closest_marker("sandbox")
    with live_channel(engine, **(marker.kwargs if marker else {})) as channel:
        yield channel


@pytest.fixture
def team(engine: Engine) -> dict[Role, Actor]:
    """One active user per role, password ``password-<role>``."""
    from core.access.users import actor_for, add_user

    actors: dict[Role, Actor] = {}
    with db.session_scope(engine) as session:
        for role in Role:
            add_user(session, CLI_ACTOR, f"{role.value}1", role, f"password-{role.value}")
        for role in Role:
            actor = actor_for(session, f"{role.value}1")
            assert actor is not None
            actors[role] = actor
    return actors


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """bcrypt's production work factor makes every added user cost a quarter second."""
    from core.access import auth

    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def cli(app_settings: config.Settings):  # type: ignore[no-untyped-def]
    """``python -m core ...`` as an operator runs it: a real process on the test store."""
    env = {**os.environ, "DATA_DIR": str(app_settings.data_dir)}
    env["DATABASE_URL"] = app_settings.database_url
    env.pop("PUBLIC_URL", None)

    def run(*args: str, stdin: str | None = None, **extra_env: str):  # type: ignore[no-untyped-def]
        return subprocess.run(
            [sys.executable, "-m", "core", *args],
            cwd=PROJECT_DIR,
            env={**env, **extra_env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


@pytest.fixture
def run_cli(engine: Engine, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``python -m core ...`` run by ``core.runtime.cli.main`` in this process, on the test store:
    the same parser, handlers and exit status as :func:`cli`, without starting an interpreter
    for each command (a fraction of a second instead of several on a busy machine). Keep a test
    of the real process with :func:`cli` too."""
    import contextlib
    import io

    from core.runtime.cli import main

    monkeypatch.delenv("PUBLIC_URL", raising=False)  # as ``cli``: only where a test sets it
    config.get_settings.cache_clear()

    def run(
        *args: str, stdin: str | None = None, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as scoped:
            scoped.setattr(sys, "stdin", io.StringIO(stdin or ""))
            for name, value in extra_env.items():
                scoped.setenv(name, value)
            config.get_settings.cache_clear()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    status = main(list(args))
                except SystemExit as exit_:  # argparse refusing the arguments
                    status = exit_.code if isinstance(exit_.code, int) else 1
        config.get_settings.cache_clear()
        return subprocess.CompletedProcess(["core", *args], status, out.getvalue(), err.getvalue())

    return run
