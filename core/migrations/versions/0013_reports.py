"""reports: hourly counts, first-response buckets and waiting conversations; template indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 10:30:00.000000

- ``report_activity_hours``: messages (and conversations opened) per channel, UTC hour,
  direction and sender, spread over a few ``slot`` rows that readers add up.
- ``report_response_hours``: first responses per channel, hour, responder and time bucket.
- ``report_reply_waits``: the conversations waiting for the team's answer, since when.
- ``report_template_hours``: replies and button presses per template and the hour it was sent;
  ``report_template_awaiting``: conversations whose last message is an unanswered template.
- A partial index on ``messages`` holding only template messages, by time, with their channel,
  name, status and error code (template performance reads it alone).

The new tables start empty: ``python -m core reports rebuild`` fills them from the messages
already stored (once, after upgrading). Downgrading drops them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_activity_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.Column('conversations_opened', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'channel_id', 'hour', 'direction', 'user_id', 'slot', name='uq_report_activity_hours'
        ),
    )
    op.create_index('ix_report_activity_hours_hour', 'report_activity_hours', ['hour'])
    op.create_table(
        'report_response_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'channel_id', 'hour', 'user_id', 'bucket', 'slot', name='uq_report_response_hours'
        ),
    )
    op.create_index('ix_report_response_hours_hour', 'report_response_hours', ['hour'])
    op.create_table(
        'report_reply_waits',
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('conversation_id'),
    )
    op.create_index(
        'ix_report_reply_waits_channel_since', 'report_reply_waits', ['channel_id', 'since']
    )
    op.create_table(
        'report_template_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('template_name', sa.String(length=512), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('replied', sa.Integer(), nullable=False),
        sa.Column('clicks', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'channel_id', 'hour', 'template_name', 'slot', name='uq_report_template_hours'
        ),
    )
    op.create_index('ix_report_template_hours_hour', 'report_template_hours', ['hour'])
    op.create_table(
        'report_template_awaiting',
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('template_name', sa.String(length=512), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('conversation_id'),
    )
    op.create_index(
        'ix_messages_template_created',
        'messages',
        ['created_at', 'channel_id', 'template_name', 'status', 'error_code'],
        sqlite_where=sa.text('template_name IS NOT NULL'),
        postgresql_where=sa.text('template_name IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_messages_template_created', table_name='messages')
    op.drop_table('report_template_awaiting')
    op.drop_table('report_template_hours')
    op.drop_table('report_reply_waits')
    op.drop_table('report_response_hours')
    op.drop_table('report_activity_hours')
