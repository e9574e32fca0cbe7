"""The template-limits setting: Meta's rules by default, compact buttons when chosen, any other
stored value read safely (as compact buttons); migration 0006 stores the compact choice as
"compact", whatever name it was stored under, and a downgrade leaves it so (earlier versions read
every value but "meta" as compact too)."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine
from sqlmodel import Session

from core import db
from core.access import settings as app_settings
from core.models import AppSetting
from core.templates.limits import COMPACT_LIMITS, META_LIMITS
from core.templates.submission import active_limits


def store_choice(engine: Engine, value: Any) -> None:
    with db.session_scope(engine) as session:
        session.merge(AppSetting(key=app_settings.TEMPLATE_LIMITS, value=value))


def stored_choice(engine: Engine) -> Any:
    with Session(engine) as session:
        row = session.get(AppSetting, app_settings.TEMPLATE_LIMITS)
        return row.value if row is not None else None


def test_meta_rules_unless_compact_buttons_were_chosen(engine: Engine) -> None:
    with Session(engine) as session:
        assert active_limits(session) is META_LIMITS
    for value, limits in [
        ("meta", META_LIMITS),
        ("compact", COMPACT_LIMITS),
        ("seed", COMPACT_LIMITS),  # the name an older version stored
        ("something else", COMPACT_LIMITS),
        (None, COMPACT_LIMITS),
    ]:
        store_choice(engine, value)
        with Session(engine) as session:
            assert active_limits(session) is limits, value


@pytest.mark.parametrize(
    ("before", "after"),
    [("seed", "compact"), ("something else", "compact"), ("meta", "meta"), ("compact", "compact")],
)
def test_migration_stores_the_compact_choice_as_compact_and_downgrading_keeps_it(
    engine: Engine, before: str, after: str
) -> None:
    config = db.alembic_config(engine)
    command.downgrade(config, "0005")
    store_choice(engine, before)
    command.upgrade(config, "0006")
    assert stored_choice(engine) == after
    command.downgrade(config, "0005")
    assert stored_choice(engine) == after  # read as before by earlier versions: all but "meta"
    db.migrate(engine)


def test_migration_without_a_stored_choice(engine: Engine) -> None:
    config = db.alembic_config(engine)
    command.downgrade(config, "0005")
    command.upgrade(config, "0006")
    assert stored_choice(engine) is None
