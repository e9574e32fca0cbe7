"""resolution time: conversations resolved per hour, and since when each open one is open

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 12:00:00.000000

- ``report_resolution_hours``: conversations resolved per channel, hour, resolver and time
  bucket (how long each was open), as ``report_response_hours`` counts first responses.
- ``report_conversation_openings``: the conversations not resolved, since when (the customer's
  first message since the last resolve, or the team's reopening).

Both start empty: ``python -m core reports rebuild`` fills them from the messages and the audit
log's status changes (once, after upgrading).
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_resolution_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('resolutions', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'channel_id', 'hour', 'user_id', 'bucket', 'slot', name='uq_report_resolution_hours'
        ),
    )
    op.create_index('ix_report_resolution_hours_hour', 'report_resolution_hours', ['hour'])
    op.create_table(
        'report_conversation_openings',
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('conversation_id'),
    )


def downgrade() -> None:
    op.drop_table('report_conversation_openings')
    op.drop_index('ix_report_resolution_hours_hour', table_name='report_resolution_hours')
    op.drop_table('report_resolution_hours')
