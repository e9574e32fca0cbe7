"""template limits setting: the stricter layout is stored as "compact", its name in the product

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:30:00.000000

The setting ``template_limits`` chooses between the compact buttons layout (at most 3 quick
replies, one website and one call button) and Meta's own limits. An installation that stored the
compact choice under the name earlier versions wrote keeps it under the new one; downgrading writes
that earlier name back.
The value column is JSON, which PostgreSQL cannot compare with ``=``, so the row is read and
compared here rather than in SQL.
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SETTING = 'template_limits'
EARLIER_NAME = 'seed'  # the stored value versions before this one wrote for the compact layout
NEW_NAME = 'compact'

app_settings = sa.table(
    'app_settings',
    sa.column('key', sa.String),
    sa.column('value', sa.JSON),
)


def _rename(old: str, new: str) -> None:
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(app_settings.c.value).where(app_settings.c.key == SETTING)
    ).first()
    if stored is not None and stored.value == old:
        connection.execute(
            app_settings.update().where(app_settings.c.key == SETTING).values(value=new)
        )


def upgrade() -> None:
    _rename(EARLIER_NAME, NEW_NAME)


def downgrade() -> None:
    _rename(NEW_NAME, EARLIER_NAME)
