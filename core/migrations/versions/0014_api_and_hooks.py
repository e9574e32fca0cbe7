"""api and hooks: tokens for the HTTP API, their use per minute, outgoing webhooks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 11:30:00.000000

- ``api_tokens``: hashed tokens with scopes, owner, expiry and revocation.
- ``api_usage``: requests per token per minute (the audit of API use at any rate).
- ``hook_subscriptions`` and ``hook_deliveries``: URLs subscribed to events, and each event's
  delivery to each, with its attempts. Downgrading drops the four tables.
"""

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('scopes', sa.String(length=100), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_api_tokens_token_hash', 'api_tokens', ['token_hash'], unique=True)
    op.create_table(
        'api_usage',
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('minute', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requests', sa.Integer(), nullable=False),
        sa.Column('refused', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id']),
        sa.PrimaryKeyConstraint('token_id', 'minute'),
    )
    op.create_table(
        'hook_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('events', sa.JSON(), nullable=True),
        sa.Column('secret_encrypted', sa.LargeBinary(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'hook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('ordering_key', sa.String(length=80), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['subscription_id'], ['hook_subscriptions.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_hook_deliveries_state_due', 'hook_deliveries', ['state', 'next_attempt_at']
    )
    op.create_index(
        'ix_hook_deliveries_order',
        'hook_deliveries',
        ['subscription_id', 'ordering_key', 'state', 'id'],
    )
    op.create_index('ix_hook_deliveries_subscription', 'hook_deliveries', ['subscription_id', 'id'])


def downgrade() -> None:
    op.drop_table('hook_deliveries')
    op.drop_table('hook_subscriptions')
    op.drop_table('api_usage')
    op.drop_table('api_tokens')
