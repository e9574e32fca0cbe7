"""error codes of media files and channels

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 08:10:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error_code', sa.Integer(), nullable=True))
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error_code', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('last_error_code')
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_column('last_error_code')
