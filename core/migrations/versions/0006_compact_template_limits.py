"""template limits setting: the stricter layout is stored as "compact", its name in the product

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:30:00.000000

The setting ``template_limits`` chooses between the compact buttons layout (at most 3 quick
replies, one website and one call button) and Meta's own limits. Every version reads any stored
value other than "meta" as the compact layout, so an installation that stored the compact choice
under the name earlier versions wrote (or under any other value) keeps that meaning and now
stores it as "compact". Downgrading changes nothing: earlier versions read "compact" as the
compact layout too.
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
META = 'meta'
COMPACT = 'compact'

app_settings = sa.table(
    'app_settings',
    sa.column('key', sa.String),
    sa.column('value', sa.JSON),
)


def upgrade() -> None:
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(app_settings.c.value).where(app_settings.c.key == SETTING)
    ).first()
    if stored is not None and stored.value not in (META, COMPACT):
        connection.execute(
            app_settings.update().where(app_settings.c.key == SETTING).values(value=COMPACT)
        )


def downgrade() -> None:
    """Nothing to undo: earlier versions read "compact" as the compact layout."""
