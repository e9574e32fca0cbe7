"""send answers and template ids: Meta's template id, the number WhatsApp reports, no "NONE"

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00.000000

- ``templates.external_id``: Meta's id of a template (360Dialog's listing has it beside its own
  ``id``, kept in ``remote_id``); status webhooks find their template by it. Filled by the next
  sync; until then webhooks match by name and language as before.
- ``contacts.reported_wa_id``: the ``wa_id`` WhatsApp answered a send with, when it differs from
  the number we sent to.
- A rejection reason "NONE" is 360Dialog's and Meta's way of saying there is none: stored as
  none. Downgrading leaves it empty (the older code shows nothing for an empty reason).
- Messages ``held`` or ``paused`` (new statuses) go back to ``sent`` on downgrade, which is what
  the older code recorded for them.
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NO_REASON = 'NONE'


def upgrade() -> None:
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.create_index(
            'ix_templates_channel_external_id', ['channel_id', 'external_id'], unique=False
        )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_wa_id', sa.String(length=32), nullable=True))
    templates = sa.table('templates', sa.column('rejected_reason', sa.String))
    op.execute(
        templates.update()
        .where(templates.c.rejected_reason == NO_REASON)
        .values(rejected_reason=None)
    )
    changes = sa.table('template_status_changes', sa.column('reason', sa.String))
    op.execute(changes.update().where(changes.c.reason == NO_REASON).values(reason=None))


def downgrade() -> None:
    messages = sa.table('messages', sa.column('status', sa.String))
    op.execute(
        messages.update().where(messages.c.status.in_(['held', 'paused'])).values(status='sent')
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('reported_wa_id')
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.drop_index('ix_templates_channel_external_id')
        batch_op.drop_column('external_id')
