"""Schemas on the test PostgreSQL: one per test, each emptied and reused by this test process.

A migrated schema costs about 130 DDL statements to make (0.3 s on an idle machine, 1–3 s while
the suite's workers share two cores) and more to drop; deleting the few rows a test left costs a
fraction of that (``TRUNCATE`` was tried: it makes new files for every table, and under the
suite's load took longer than the DELETEs). A schema goes back into the pool only while it is still exactly what the
migrations make (the models' tables, at the newest revision); anything else is dropped, as every
schema used to be. Connections left on it (a product process that outlived its test) are ended
first: each test's URL names its lease as the ``application_name``, which also keeps every URL
new (the product caches a few answers per process and store URL).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from core.migrations import HEAD

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class Lease:
    """One test's use of a schema; ``name`` is unique to this use."""

    schema: str
    name: str


class SchemaPool:
    """This test process's schemas on the server at ``url``: ``take`` one, ``give_back`` it."""

    def __init__(self, url: str, required: bool) -> None:
        self.url = url
        self.required = required  # CI: an unreachable server fails the test instead of skipping
        self._admin: Engine | None = None
        self._unreachable: str | None = None
        self._emptied: list[str] = []  # migrated, every table empty, nobody connected
        self._uses = itertools.count(1)

    def url_of(self, lease: Lease) -> str:
        return f"{self.url}?options=-csearch_path%3D{lease.schema}&application_name={lease.name}"

    def take(self, migrated: bool) -> Lease:
        """An emptied migrated schema if ``migrated`` is acceptable and one is free, else a new
        empty one (a test that migrates for itself, or runs a first start, gets that)."""
        if migrated and self._emptied:
            schema = self._emptied.pop()
        else:
            schema = f"t_{uuid.uuid4().hex[:12]}"
            with self._engine().connect() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        return Lease(schema, f"{schema}_{next(self._uses)}")

    def give_back(self, lease: Lease) -> None:
        schema = lease.schema
        with self._engine().connect() as connection:
            try:
                emptied = self._empty(connection, lease)
            except DBAPIError:  # still locked 10 s after its connections were ended
                emptied = False
            if emptied:
                self._emptied.append(schema)
            else:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))

    def close(self) -> None:
        if self._admin is None:
            return
        with self._admin.connect() as connection:
            for schema in self._emptied:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        self._emptied.clear()
        self._admin.dispose()

    def _engine(self) -> Engine:
        if self._unreachable is None and self._admin is None:
            admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    connection.execute(text("SELECT 1"))
                self._admin = admin
            except Exception as exc:  # noqa: BLE001  (any failure to connect is "unreachable")
                admin.dispose()
                self._unreachable = f"PostgreSQL not reachable at {self.url}: {exc}"
        if self._admin is None:
            if self.required:
                pytest.fail(f"required in CI: {self._unreachable}")
            pytest.skip(str(self._unreachable))
        return self._admin

    @staticmethod
    def _empty(connection, lease: Lease) -> bool:  # type: ignore[no-untyped-def]
        """Empty the lease's schema if it is still the migrated one; ``False`` if it is not."""
        schema = lease.schema
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": lease.name},
        )
        tables = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": schema},
            ).scalars()
        )
        if tables != set(SQLModel.metadata.tables) | {VERSION_TABLE}:
            return False
        revision = connection.execute(text(f"SELECT version_num FROM {schema}.{VERSION_TABLE}"))
        if revision.scalar() != HEAD:
            return False
        filled = connection.execute(
            text(
                " UNION ALL ".join(
                    f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {schema}.{table})"
                    for table in sorted(tables - {VERSION_TABLE})
                )
            )
        ).scalars()
        # Deleting the few rows a test leaves costs much less than TRUNCATE (new files for each
        # table); foreign-key triggers off, so in any order; one round trip, one transaction.
        connection.execute(
            text(
                "SET lock_timeout = '10s'; SET session_replication_role = replica; "
                + "".join(f"DELETE FROM {schema}.{table}; " for table in filled)
                + "SET session_replication_role = DEFAULT"
            )
        )
        connection.execute(  # ids start at 1 again, as in a new schema
            text(
                "SELECT setval(oid, 1, false) FROM pg_class"
                " WHERE relkind = 'S' AND relnamespace = CAST(:schema AS regnamespace)"
            ),
            {"schema": schema},
        )
        return True
