"""team inbox: assignment, status, labels, canned replies, private notes, business hours

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:30:00.000000

- ``conversations`` gain ``status`` (open for every existing thread), ``assignee_id``,
  ``snoozed_until`` and ``away_sent_at``; two indexes serve the inbox's filtered lists:
  ``ix_conversations_status_last_message`` (a status, newest first) and
  ``ix_conversations_assignee_last_message`` (mine, unassigned or one member's, newest first; also
  a member's open count when automatic assignment checks their limit).
- ``users`` gain ``available`` (everyone available) and ``open_limit``; ``channels`` gain
  ``auto_assign`` (off) and the round-robin's ``last_auto_assignee_id``; ``contacts`` gain
  custom ``attributes``.
- New tables: ``labels`` and ``conversation_labels`` (its ``label_id, conversation_id`` index
  serves the list filtered by a label), ``canned_replies``, ``conversation_notes`` (by
  conversation and time, for the thread) and ``business_hours`` (one row per channel).
"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    'open', 'pending', 'snoozed', 'resolved',
    name='conversationstatus', native_enum=False, create_constraint=False, length=16,
)


def upgrade() -> None:
    op.create_table(
        'labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('color', sa.String(length=7), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.create_index('ix_labels_name', ['name'], unique=True)

    op.create_table(
        'conversation_labels',
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('label_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.ForeignKeyConstraint(['label_id'], ['labels.id']),
        sa.PrimaryKeyConstraint('conversation_id', 'label_id'),
    )
    with op.batch_alter_table('conversation_labels', schema=None) as batch_op:
        batch_op.create_index(
            'ix_conversation_labels_label_conversation', ['label_id', 'conversation_id'],
            unique=False,
        )

    op.create_table(
        'canned_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shortcut', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('canned_replies', schema=None) as batch_op:
        batch_op.create_index('ix_canned_replies_shortcut', ['shortcut'], unique=True)

    op.create_table(
        'conversation_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('conversation_notes', schema=None) as batch_op:
        batch_op.create_index(
            'ix_conversation_notes_conversation_created', ['conversation_id', 'created_at'],
            unique=False,
        )

    op.create_table(
        'business_hours',
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('week', sa.JSON(), nullable=True),
        sa.Column('holidays', sa.JSON(), nullable=True),
        sa.Column('away_message', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id']),
        sa.PrimaryKeyConstraint('channel_id'),
    )

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', STATUS, nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('away_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            'fk_conversations_assignee_id_users', 'users', ['assignee_id'], ['id']
        )
        batch_op.create_index(
            'ix_conversations_status_last_message', ['status', 'last_message_at'], unique=False
        )
        batch_op.create_index(
            'ix_conversations_assignee_last_message', ['assignee_id', 'last_message_at'],
            unique=False,
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('available', sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column('open_limit', sa.Integer(), nullable=True))

    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('auto_assign', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('last_auto_assignee_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_channels_last_auto_assignee_id_users', 'users', ['last_auto_assignee_id'], ['id']
        )

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attributes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('attributes')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_constraint('fk_channels_last_auto_assignee_id_users', type_='foreignkey')
        batch_op.drop_column('last_auto_assignee_id')
        batch_op.drop_column('auto_assign')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('open_limit')
        batch_op.drop_column('available')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_assignee_last_message')
        batch_op.drop_index('ix_conversations_status_last_message')
        batch_op.drop_constraint('fk_conversations_assignee_id_users', type_='foreignkey')
        batch_op.drop_column('away_sent_at')
        batch_op.drop_column('snoozed_until')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('status')
    op.drop_table('business_hours')
    op.drop_table('conversation_notes')
    op.drop_table('canned_replies')
    op.drop_table('conversation_labels')
    op.drop_table('labels')
