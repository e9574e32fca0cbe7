"""campaign reach: messaging limit, 131049 retries, sending windows, retargeting

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 11:30:00.000000

- ``channels.messaging_limit``: Meta's limit of unique people a number may send templates to in
  24 hours (None: unlimited or not known); the campaign estimate splits an audience by it.
- ``campaigns.retry_delays`` (hours after a 131049 to try again, in turn), ``send_from`` and
  ``send_until`` (a sending window in each recipient's local time), ``retarget_of`` (the past
  campaign a retarget was made from).
- ``campaign_recipients.attempts`` and ``due_at`` (not before: a retry's time or the start of the
  person's window), indexed with the campaign and state for the runner.
- ``segments``: saved filters over a channel's contacts (conditions as JSON), a campaign audience.
"""

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'segments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('conditions', sa.JSON(), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel_id', 'name', name='uq_segments_channel_name'),
    )
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('messaging_limit', sa.Integer(), nullable=True))
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_delays', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('send_from', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('send_until', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('retarget_of', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_campaigns_retarget_of', 'campaigns', ['retarget_of'], ['id'])
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('attempts', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_campaign_recipients_due', ['campaign_id', 'state', 'due_at'], unique=False
        )


def downgrade() -> None:
    op.drop_table('segments')
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_recipients_due')
        batch_op.drop_column('due_at')
        batch_op.drop_column('attempts')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint('fk_campaigns_retarget_of', type_='foreignkey')
        batch_op.drop_column('retarget_of')
        batch_op.drop_column('send_until')
        batch_op.drop_column('send_from')
        batch_op.drop_column('retry_delays')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('messaging_limit')
