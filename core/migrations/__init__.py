"""The store's schema history as Alembic migrations (``versions/``), applied by ``core.db.migrate``.

Every change to ``core.models`` comes with a migration here, so an existing store is upgraded in
place on the next start; a test compares the migrated schema with the models.
"""
