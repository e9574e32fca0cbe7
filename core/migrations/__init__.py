"""The store's schema history as Alembic migrations (``versions/``), applied by ``core.db.migrate``.

Every change to ``core.models`` comes with a migration here, so an existing store is upgraded in
place on the next start; a test compares the migrated schema with the models.
"""

HEAD = "0019"
"""The newest revision in ``versions/``: a store at it needs no upgrade, which ``core.db.migrate``
tells with one query instead of loading Alembic and every script. A new migration moves it (a
test compares it with Alembic's own head)."""
