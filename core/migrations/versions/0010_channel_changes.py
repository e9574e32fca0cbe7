"""channel changes: one version per channel that open dashboards compare to know they are stale

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:40:00.000000

- ``channel_changes``: ``version`` is raised once by every transaction that changes what a page
  shows for the channel (messages, statuses, templates, campaigns); an open page reruns only when
  it moved. Rows are made on the first change; downgrading drops the table.
"""

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'channel_changes',
        sa.Column('channel_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('channel_id'),
    )


def downgrade() -> None:
    op.drop_table('channel_changes')
