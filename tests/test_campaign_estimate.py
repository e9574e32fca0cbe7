"""The planning report's reach and cost: exclusions by reason, Meta's markets and the rate card
(https://developers.facebook.com/docs/whatsapp/pricing), and the CLI over the same core."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import Session

from core.access.auth import SYSTEM_ACTOR, PermissionDenied
from core.campaigns import audience, rates
from core.campaigns.estimate import estimate
from core.db import session_scope
from core.errors import UserFacingError
from core.models import Channel, Role
from core.templates.submission import submit_template
from core.webhooks import processor
from tests.test_campaigns import PROMO, live, opt_out  # noqa: F401  (``live``: a fixture)

TESTDATA = Path(__file__).parent / "testdata" / "rates"

pytestmark = pytest.mark.sandbox(review_delay=0.05, status_delays=(0.02, 0.05, 0.08))

MIXED = pd.DataFrame(
    {
        "phone": [
            "+54 9 11 2233 4455",  # Argentina
            "+54 9 11 3344 5566",  # Argentina
            "+54 9 11 2233 4455",  # the first again
            "+598 99 123 456",  # Uruguay: Rest of Latin America
            "+351 912 345 678",  # Portugal: Rest of Western Europe
            "+34 611 000001",  # Spain: no figure on the shipped card
            "+34 611 000002",  # opted out
            "+1 212 736 5000",  # US: no marketing templates since April 2025
            "12",
        ],
        "name": ["Ana", "Beto", "Ana", "Caro", "Duarte", "Eva", "Fede", "Gus", "Roto"],
    }
)
MAPPING = audience.Mapping(
    number_column="phone",
    name_column="name",
    body=[audience.Source(column="name"), audience.Source(value="sábado")],
)


def test_markets_follow_the_country_calling_code() -> None:
    assert rates.market_of("5491122334455") == "Argentina"
    assert rates.market_of("12127365000") == "North America"
    assert rates.market_of("18687771234") == "Rest of Latin America"  # +1 868, Trinidad
    assert rates.market_of("351912345678") == "Rest of Western Europe"
    assert rates.market_of("99999") == "Other"


def test_an_estimate_on_a_mixed_audience_matches_the_rate_card(engine, team, live) -> None:  # noqa: F811
    _, workspace_id = live
    opt_out(engine, "34611000002")
    with session_scope(engine) as session:
        session.get(Channel, 1).messaging_limit = 2
    with Session(engine) as session:
        found = estimate(session, team[Role.MARKETER], workspace_id, MIXED, MAPPING)
    card = rates.shipped_card()
    marketing = {m: card.rate(m, "marketing") for m in ("Argentina", "Rest of Latin America")}
    marketing["Rest of Western Europe"] = card.rate("Rest of Western Europe", "marketing")
    assert found.recipients == 9 and found.reachable == 5
    assert found.excluded == {
        "invalid": 1,
        "duplicate": 1,
        "opted_out": 1,
        "us_marketing": 1,
        "marketing_limit": 0,
        "template_unavailable": 0,
        "missing_value": 0,
    }
    answer = found.to_json()
    assert answer["cost"]["by_market"]["Argentina"] == {
        "count": 2,
        "rate": str(marketing["Argentina"]),
        "amount": str(marketing["Argentina"] * 2),
    }
    assert answer["cost"]["by_market"]["Spain"] == {"count": 1, "rate": None, "amount": None}
    assert answer["cost"]["unpriced_markets"] == ["Spain"]
    assert (
        found.total
        == marketing["Argentina"] * 2
        + marketing["Rest of Latin America"]
        + marketing["Rest of Western Europe"]
    )
    assert answer["cost"]["currency"] == "USD"
    assert answer["rate_card"] == {"effective_date": card.effective_date, "source": card.source}
    assert answer["messaging_limit"] == {"limit": 2, "days": 3}
    with Session(engine) as session, pytest.raises(PermissionDenied):
        estimate(session, team[Role.AGENT], workspace_id, MIXED, MAPPING)


def test_meta_csv_replaces_the_shipped_card_and_needs_a_date(session: Session) -> None:
    text = (TESTDATA / "meta_rate_card_2026.csv").read_text(encoding="utf-8")
    with pytest.raises(UserFacingError) as refused:
        rates.parse_card(text)
    assert "effective date" in refused.value.message("en")
    card = rates.parse_card(text, effective_date="2026-10-01", source="Meta's rate card")
    assert card.currency == "USD"
    assert card.rates["Argentina"] == {
        "marketing": Decimal("0.0700"),
        "utility": Decimal("0.0300"),
        "authentication": Decimal("0.0300"),
    }
    assert rates.import_card(session, SYSTEM_ACTOR, card) == ["Narnia"]
    assert rates.current_card(session).rate("Argentina", "marketing") == Decimal("0.0700")
    assert rates.current_card(session).rate("Spain", "marketing") is None
    assert rates.current_card(session).rate("Spain", "service") == Decimal(0)


def test_rates_cli_shows_and_imports(run_cli, tmp_path) -> None:
    shown = run_cli("rates", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["effective_date"] == "2025-07-01"
    imported = run_cli(
        "rates",
        "import",
        str(TESTDATA / "meta_rate_card_2026.csv"),
        "--effective-date",
        "2026-10-01",
        "--source",
        "https://developers.facebook.com/docs/whatsapp/pricing",
        "--json",
    )
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["unmapped_markets"] == ["Narnia"]
    after = json.loads(run_cli("rates", "show", "--json").stdout)
    assert after["effective_date"] == "2026-10-01"
    assert after["rates"]["Rest of Latin America"]["marketing"] == "0.0800"
    undated = run_cli("rates", "import", str(TESTDATA / "meta_rate_card_2026.csv"))
    assert undated.returncode == 1 and "effective date" in undated.stderr


@pytest.fixture
def synced(engine, team, live) -> int:  # noqa: F811
    """A channel whose approved marketing template is synced (the fixture already added it to
    the workspace once; the CLI adds it under another language below)."""
    control, _ = live
    with session_scope(engine) as session:
        submit_template(session, team[Role.MARKETER], 1, PROMO | {"language": "en"})
    control.idle()
    processor.process_pending(engine)
    return 1


def test_campaigns_estimate_and_workspace_add_cli(run_cli, synced, tmp_path) -> None:
    added = run_cli(
        "templates",
        "workspace",
        "add",
        "--channel",
        str(synced),
        "--template",
        PROMO["name"],
        "--language",
        "en",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    workspace_id = json.loads(added.stdout)["id"]
    people = tmp_path / "audience.csv"
    MIXED.to_csv(people, index=False)
    answer = run_cli(
        "campaigns",
        "estimate",
        "--template",
        str(workspace_id),
        "--audience",
        str(people),
        "--number-column",
        "phone",
        "--map",
        "body.1=column:name",
        "--map",
        "body.2=value:sábado",
        "--json",
    )
    assert answer.returncode == 0, answer.stderr
    found = json.loads(answer.stdout)
    assert (found["recipients"], found["reachable"]) == (9, 6)  # nobody opted out here
    assert found["excluded"]["us_marketing"] == 1
    assert set(found["cost"]["by_market"]) == {
        "Argentina",
        "Rest of Latin America",
        "Rest of Western Europe",
        "Spain",
    }


def test_campaigns_create_cli_takes_a_window_and_retry_hours(
    run_cli,
    engine,
    live,  # noqa: F811
    tmp_path,
) -> None:
    _, workspace_id = live
    people = tmp_path / "audience.csv"
    MIXED.to_csv(people, index=False)
    base = ["campaigns", "create", "--name", "Noches", "--template", str(workspace_id)]
    base += ["--audience", str(people), "--number-column", "phone"]
    base += ["--map", "body.1=column:name", "--map", "body.2=value:sábado"]
    refused = run_cli(*base, "--window", "9-20")
    assert refused.returncode == 1 and "9 is not a time of day" in refused.stderr
    made = run_cli(*base, "--window", "21:00-08:00", "--retry-hours", "6,12", "--json")
    assert made.returncode == 0, made.stderr
    with Session(engine) as session:
        from core.models import Campaign

        campaign = session.get(Campaign, json.loads(made.stdout)["id"])
    assert (campaign.send_from, campaign.send_until, campaign.retry_delays) == (
        "21:00",
        "08:00",
        [6.0, 12.0],
    )


def test_a_paused_template_leaves_everyone_out_but_is_still_estimated(engine, team, live) -> None:  # noqa: F811
    """Meta pauses a low-quality template; sending it is refused until it is active again."""
    _, workspace_id = live
    with session_scope(engine) as session:
        from core.models import RemoteTemplate, WorkspaceTemplate

        workspace = session.get(WorkspaceTemplate, workspace_id)
        session.get(RemoteTemplate, workspace.remote_template_id).status = "PAUSED"
    with Session(engine) as session:
        found = estimate(session, team[Role.MARKETER], workspace_id, MIXED, MAPPING)
        with pytest.raises(UserFacingError):
            audience.plan(session, team[Role.MARKETER], workspace_id, MIXED, MAPPING)
    assert found.reachable == 0 and found.total == 0
    assert found.excluded["template_unavailable"] == 6  # valid, unique and not US
