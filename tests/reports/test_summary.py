"""``reports summary`` agrees with the messages in the store, on SQLite and PostgreSQL: a day of
customers and answers made through the product's own paths, every figure checked."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session

from core.access.auth import CLI_ACTOR
from core.db import get_engine, session_scope
from core.models import Campaign, RemoteTemplate, Role, WorkspaceTemplate, utcnow
from core.reports import charts, response_times, summary
from core.reports.periods import Period, between, last_days
from core.reports.periods import today as periods_today
from core.reports.rebuild import rebuild
from core.reports.recording import hour_of
from tests.reports.timeline import Timeline
from tests.store_helpers import make_channel

C1, C2, C3 = "34611000001", "34611000002", "34611000003"


@pytest.fixture
def day(engine, team, monkeypatch):  # type: ignore[no-untyped-def]
    """Three customers over two days (times from two days ago, whole hours apart from now)."""
    channel = make_channel(engine)
    agent, admin = team[Role.AGENT].user_id, team[Role.ADMIN].user_id
    base = hour_of(utcnow()) - timedelta(days=2)
    line = Timeline(engine, channel, monkeypatch)
    minutes = lambda n: base + timedelta(minutes=n)  # noqa: E731
    line.customer(C1, minutes(0))  # opens C1, a wait starts
    line.customer(C1, minutes(1))  # the same wait
    line.ours(C1, minutes(3) + timedelta(seconds=10), by=agent)  # answered in 190 s
    first_c2 = line.customer(C2, minutes(5))  # opens C2
    line.ours(C2, minutes(6))  # automatic: answers nobody
    line.customer(C1, minutes(10))  # a new wait, in the same conversation (no new one opened)
    line.ours(C2, minutes(20), by=admin)  # 900 s after C2 wrote
    line.customer(C3, minutes(30))  # opens C3, never answered
    line.ours(C1, minutes(40), by=agent)  # 1,800 s
    agent_actor, admin_actor = team[Role.AGENT], team[Role.ADMIN]
    line.status(C2, minutes(25), admin_actor, "resolved")  # open since minute 5: 1,200 s
    line.status(C1, minutes(45), agent_actor, "resolved")  # open since minute 0: 2,700 s
    line.status(C1, minutes(46), agent_actor, "resolved")  # resolved already: nothing more
    line.status(C2, minutes(50), agent_actor, "open")  # reopened by the team
    line.status(C2, minutes(55), agent_actor, "pending")  # still the same stretch
    line.status(C2, minutes(60), agent_actor, "resolved")  # 600 s after the reopening
    for number, member in ((C1, "agent1"), (C3, "agent1"), (C2, "admin1")):
        line.assign(number, member)
    line.customer(C1, minutes(30 * 60))  # 30 h after C1's last: opens again, waits
    line.customer(C2, minutes(31 * 60), kind="reaction", quoting=first_c2)  # counted, no wait
    with session_scope(engine) as session:
        for status, count in (("APPROVED", 3), ("PENDING", 1), ("REJECTED", 2), ("PAUSED", 1)):
            for k in range(count):
                session.add(
                    RemoteTemplate(
                        channel_id=channel.id,
                        name=f"{status.lower()}_{k}",
                        language="es",
                        category="UTILITY",
                        status=status,
                    )
                )
        workspace = WorkspaceTemplate(
            channel_id=channel.id,
            name="approved_0",
            content="Hola",
            partner_template_id="p1",
            category="UTILITY",
            language="es",
        )
        session.add(workspace)
        session.flush()
        for state in ("running", "paused", "finished"):
            session.add(
                Campaign(
                    channel_id=channel.id,
                    workspace_template_id=workspace.id,
                    name=state,
                    state=state,
                )
            )
    return {"channel": channel, "base": base, "agent": agent, "admin": admin}


def expected_oldest_wait(day) -> float:  # type: ignore[no-untyped-def]
    return (utcnow() - (day["base"] + timedelta(minutes=30))).total_seconds()


def check_figures(figures: dict, day) -> None:  # type: ignore[no-untyped-def,type-arg]
    assert figures["inbound"] == 7
    assert figures["outbound"] == 4
    assert figures["conversations"] == 4  # C1 twice (30 h apart), C2, C3
    assert figures["answered"] == 3
    assert figures["first_response_s"] == {"median": 900.0, "p90": 1800.0}
    # 600, 1,200 and 2,700 s; each a bucket's upper edge, so said exactly
    assert figures["resolution_s"] == {"median": 1200.0, "p90": 2700.0}
    assert figures["resolved"] == 3
    assert figures["answered_within_target"] == {"target_s": 900, "share": round(2 / 3, 4)}
    assert figures["waiting"] == 2  # C3 since minute 30, C1 since hour 30
    assert figures["oldest_wait_s"] == pytest.approx(expected_oldest_wait(day), abs=30)
    assert figures["templates"] == {"APPROVED": 3, "PENDING": 1, "REJECTED": 2, "PAUSED": 1}
    assert figures["campaigns_running"] == 1


def test_the_summary_is_what_the_messages_say(engine, day) -> None:
    with Session(engine) as session:
        figures = summary.summary(session, CLI_ACTOR, Period(day["base"], utcnow()))
    check_figures(figures, day)


def test_rebuilding_from_the_messages_gives_the_same_figures(engine, day) -> None:
    assert rebuild(engine, CLI_ACTOR) == {"messages": 11, "waiting": 2}
    with Session(engine) as session:
        figures = summary.summary(session, CLI_ACTOR, Period(day["base"], utcnow()))
    check_figures(figures, day)


def test_a_period_counts_only_its_hours_and_one_channel_only_its_own(engine, day) -> None:
    first_hour = Period(day["base"], day["base"] + timedelta(hours=1))
    with Session(engine) as session:
        figures = summary.traffic(session, CLI_ACTOR, first_hour)
        assert (figures.inbound, figures.outbound, figures.conversations) == (5, 4, 3)
        other = summary.traffic(session, CLI_ACTOR, first_hour, channel_id=day["channel"].id + 1)
        assert (other.inbound, other.answered) == (0, 0)
        previous = summary.traffic(session, CLI_ACTOR, first_hour.previous)
        assert previous.inbound == 0


def test_each_team_member_and_each_day(engine, day) -> None:
    period = Period(day["base"], utcnow())
    with Session(engine) as session:
        members = {m.user_id: m for m in charts.team(session, CLI_ACTOR, period)}
        days = charts.responses_by_day(session, CLI_ACTOR, period, day["base"].tzinfo)
        cells = charts.messages_by_hour(session, CLI_ACTOR, period, day["base"].tzinfo)
    agent, admin = members[day["agent"]], members[day["admin"]]
    assert (agent.sent, agent.answered) == (2, 2)
    # the agent resolved C1 and C2 (after its reopening); C1 (open again) and C3 are theirs now
    assert (agent.resolved, agent.assigned) == (2, 2)
    assert (admin.resolved, admin.assigned) == (1, 0)  # C2 is theirs, resolved
    # 190 s and 1,800 s: the median is the first, said within its bucket (3 to 4 minutes)
    assert 180 < agent.first_response.median <= 240
    assert (admin.sent, admin.answered, admin.first_response.median) == (1, 1, 900.0)
    assert sum(d.answered for d in days) == 3
    assert len(cells) == 7 * 24 and sum(c.messages for c in cells) == 11
    first = day["base"]
    assert [c.messages for c in cells if (c.weekday, c.hour) == (first.weekday(), first.hour)] == [
        9
    ]


def test_the_command_line_prints_the_same_figures(engine, day, run_cli) -> None:
    today = utcnow().date()
    result = run_cli(
        "reports",
        "summary",
        "--json",
        "--from",
        str(today - timedelta(days=3)),
        "--to",
        str(today),
        "--channel",
        str(day["channel"].id),
    )
    assert result.returncode == 0, result.stderr
    check_figures(json.loads(result.stdout), day)
    assert between(today - timedelta(days=3), today).end.date() == today + timedelta(days=1)


def test_the_command_line_refuses_a_bad_date(run_cli) -> None:
    result = run_cli("reports", "summary", "--json", "--from", "yesterday")
    assert result.returncode == 1
    assert "YYYY-MM-DD" in result.stderr


def test_percentiles_fall_in_the_bucket_of_the_true_value() -> None:
    times = [3, 12, 50, 61, 100, 250, 400, 1000, 5000, 90000, 700000]
    counts: dict[int, int] = {}
    for seconds in times:
        counts[response_times.bucket_of(seconds)] = (
            counts.get(response_times.bucket_of(seconds), 0) + 1
        )
    for fraction in (0.1, 0.5, 0.9, 1.0):
        true = sorted(times)[max(1, -(-int(fraction * 100) * len(times) // 100)) - 1]
        lower, upper = response_times.bucket_bounds(response_times.bucket_of(true))
        assert lower <= response_times.percentile(counts, fraction) <= upper
    assert response_times.percentile({}, 0.5) is None
    assert response_times.answered_within(counts, 300) == 6


def test_only_an_admin_sets_the_answer_target_and_only_to_an_offered_value(engine, team) -> None:
    from core.access.auth import PermissionDenied
    from core.errors import UserFacingError

    with session_scope(engine) as session:
        assert response_times.target_minutes(session) == 15
        with pytest.raises(UserFacingError):
            response_times.set_target_minutes(session, team[Role.ADMIN], 13)
        with pytest.raises(PermissionDenied):
            response_times.set_target_minutes(session, team[Role.MANAGER], 30)
        response_times.set_target_minutes(session, team[Role.ADMIN], 30)
    with Session(get_engine()) as session:
        assert response_times.target_minutes(session) == 30


def test_today_starts_at_the_viewers_midnight_and_periods_compare_with_the_one_before() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 02:30 in Madrid, still 30 November in Lima
    madrid, lima = (
        periods_today(ZoneInfo("Europe/Madrid"), now),
        periods_today(ZoneInfo("America/Lima"), now),
    )
    assert madrid.start == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert lima.start == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert madrid.end == lima.end == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    week = last_days(7, now)
    assert week.previous == Period(week.start - timedelta(days=7), week.start)
