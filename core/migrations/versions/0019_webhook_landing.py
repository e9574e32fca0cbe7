"""webhook landing marks: how far the worker moved a SQLite landing file into webhook_events

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 17:00:00.000000

On SQLite the front stores webhook bodies in a file of its own next to the database (so no
other writer can make a webhook wait); the worker moves them into ``webhook_events`` and records
the last moved id here, in the same transaction. PostgreSQL stores bodies in ``webhook_events``
directly and leaves this table empty.
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook_landing_marks',
        sa.Column('generation', sa.String(length=36), nullable=False),
        sa.Column('last_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('generation'),
    )


def downgrade() -> None:
    op.drop_table('webhook_landing_marks')
