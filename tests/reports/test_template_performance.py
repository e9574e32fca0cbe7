"""Template performance agrees with the template messages in the store (SQLite and PostgreSQL):
sends, statuses, replies, button presses and failures in words."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlmodel import Session

from core.access.auth import CLI_ACTOR, PermissionDenied
from core.failures import describe
from core.models import Role, utcnow
from core.reports import template_performance
from core.reports.periods import Period
from core.reports.rebuild import rebuild
from core.reports.recording import hour_of
from tests.reports.timeline import Timeline
from tests.store_helpers import make_channel

MARKETING_LIMIT = (
    131049,
    "This message was not delivered to maintain healthy ecosystem engagement.",
)


@pytest.fixture
def sends(engine, team, monkeypatch):  # type: ignore[no-untyped-def]
    channel = make_channel(engine)
    base = hour_of(utcnow()) - timedelta(days=1)
    line = Timeline(engine, channel, monkeypatch)
    at = lambda n: base + timedelta(minutes=n)  # noqa: E731
    pressed = line.ours("34622000001", at(0), template="promo", status="read")
    line.customer("34622000001", at(2), kind="button", quoting=pressed)  # a press: replied
    line.ours("34622000002", at(1), template="promo", status="delivered")
    line.customer("34622000002", at(5))  # the next message is the customer's: replied
    line.ours("34622000003", at(3), template="promo", status="failed", error=MARKETING_LIMIT)
    line.ours("34622000004", at(4), template="aviso", status="sent")
    line.ours("34622000004", at(6), by=team[Role.AGENT].user_id)  # ours came first …
    line.customer("34622000004", at(8))  # … so this answers the agent, not the template
    line.ours("34622000005", at(9), template="aviso", status="failed", error=(1, "reason:network"))
    return {"channel": channel, "base": base}


def test_each_template_as_the_messages_say(engine, sends) -> None:
    with Session(engine) as session:
        rows = template_performance.performance(
            session, CLI_ACTOR, Period(sends["base"], utcnow()), language="en"
        )
    promo, aviso = rows
    assert (promo.name, promo.sent, promo.delivered, promo.read) == ("promo", 3, 2, 1)
    assert (promo.replied, promo.clicks, promo.failed) == (2, 1, 1)
    assert promo.failures == [(describe(*MARKETING_LIMIT, "en"), 1)]
    assert "131049" not in promo.failures[0][0]  # said in words, not as a code
    assert (aviso.name, aviso.sent, aviso.delivered, aviso.replied, aviso.failed) == (
        "aviso",
        2,
        0,
        0,
        1,
    )
    assert promo.rate(promo.read) == pytest.approx(1 / 3)


def test_a_period_and_a_channel_choose_their_messages(engine, sends) -> None:
    with Session(engine) as session:
        before = template_performance.performance(
            session, CLI_ACTOR, Period(sends["base"] - timedelta(days=1), sends["base"])
        )
        other = template_performance.performance(
            session, CLI_ACTOR, Period(sends["base"], utcnow()), sends["channel"].id + 1
        )
    assert before == [] and other == []


def test_agents_may_not_read_it(engine, sends, team) -> None:
    with Session(engine) as session, pytest.raises(PermissionDenied):
        template_performance.performance(session, team[Role.AGENT], Period(sends["base"], utcnow()))


def test_the_csv_has_a_row_per_template_in_the_readers_language(engine, sends) -> None:
    with Session(engine) as session:
        rows = template_performance.performance(
            session, CLI_ACTOR, Period(sends["base"], utcnow()), language="es"
        )
    table = list(csv.reader(io.StringIO(template_performance.as_csv(rows, "es"))))
    assert table[0][:3] == ["Plantilla", "Enviadas", "Entregadas"]
    assert [row[:7] for row in table[1:]] == [
        ["promo", "3", "2", "1", "2", "1", "1"],
        ["aviso", "2", "0", "0", "0", "0", "1"],
    ]


def test_the_command_line_lists_every_template(engine, sends, run_cli) -> None:
    result = run_cli("reports", "templates", "--json")
    assert result.returncode == 0, result.stderr
    listed = {row["template"]: row for row in json.loads(result.stdout)}
    assert listed["promo"]["replied"] == 2 and listed["promo"]["clicks"] == 1
    assert listed["aviso"]["failures"][0]["count"] == 1


def test_rebuilding_from_the_messages_gives_the_same_table(engine, sends) -> None:
    period = Period(sends["base"], utcnow())
    with Session(engine) as session:
        kept = template_performance.performance(session, CLI_ACTOR, period, language="en")
    rebuild(engine, CLI_ACTOR)
    with Session(engine) as session:
        assert template_performance.performance(session, CLI_ACTOR, period, language="en") == kept
