"""sessions: server-side logins that last across reloads, tabs and restarts

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 07:30:00.000000

- ``login_sessions``: one row per login; the browser's cookie holds a random token whose hash is
  ``token_hash``; ``ticket_hash`` is the one-time, short-lived ticket the login form hands to the
  server's ``/auth/session`` route. Downgrading drops the table (everyone logs in again).
"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('ticket_hash', sa.String(length=64), nullable=True),
        sa.Column('ticket_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('client', sa.String(length=200), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_login_sessions_token_hash', ['token_hash'], unique=True)
        batch_op.create_index('ix_login_sessions_ticket_hash', ['ticket_hash'], unique=True)
        batch_op.create_index(
            'ix_login_sessions_user_id_ended_at', ['user_id', 'ended_at'], unique=False
        )


def downgrade() -> None:
    op.drop_table('login_sessions')
