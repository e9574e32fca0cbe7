"""number health: a number's standing over time, and campaigns that hold for their template

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:45:00.000000

- ``number_health``: one row per change of what WhatsApp says about a number (whether it can
  send and why not, quality rating, messaging limit, display name status), from checks and from
  the webhooks that announce changes. Downgrading drops the history.
- ``campaigns.held_reason``: the status of the template a running campaign waits for (``PAUSED``,
  ``DISABLED``); empty while it sends.
"""

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'number_health',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=True),
        sa.Column('can_send', sa.String(length=16), nullable=True),
        sa.Column('quality_rating', sa.String(length=16), nullable=True),
        sa.Column('messaging_limit', sa.String(length=32), nullable=True),
        sa.Column('name_status', sa.String(length=32), nullable=True),
        sa.Column('reasons', sa.JSON(), nullable=True),
        sa.Column('worsened', sa.JSON(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('number_health', schema=None) as batch_op:
        batch_op.create_index(
            'ix_number_health_channel_recorded', ['channel_id', 'recorded_at'], unique=False
        )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_reason', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('held_reason')
    op.drop_table('number_health')
