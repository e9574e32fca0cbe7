"""What Meta charges for a delivered template: the rate card, and each number's market.

Since July 1, 2025 Meta charges per delivered template message, by the template's category
(marketing, utility, authentication; free-form service messages are free) and by the market of
the recipient's country calling code (https://developers.facebook.com/docs/whatsapp/pricing:
"Rates vary based on the template's category and the recipient WhatsApp phone number's country
calling code"). Markets are single countries ("Brazil", "Spain") or Meta's regional groups
("Rest of Latin America", "North America" for the US and Canada); a country in no group is
"Other".

The card shipped in ``rate_cards/meta_usd.csv`` names its source and effective date; an admin
replaces it by importing Meta's newer CSV (``import_card``), kept in the ``rate_card`` setting. A
market the card has no figure for is never given one: the estimate names it as unpriced.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import phonenumbers
from sqlmodel import Session

from core.access import settings
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError

CATEGORIES = ("marketing", "utility", "authentication")
"""The billed template categories; ``service`` (free-form inside the window) is free."""

SHIPPED_CARD = Path(__file__).parent / "rate_cards" / "meta_usd.csv"
SETTING = "rate_card"
OTHER = "Other"

# Meta's markets by ISO region of the number (its rate card's country list). The US and Canada
# share +1 with Caribbean countries, which phonenumbers tells apart by area code, as Meta does.
_GROUPS: dict[str, str] = {
    "North America": "US CA",
    "Rest of Latin America": "BO CR DO EC SV GT HT HN JM NI PA PY PR UY VE AI AG AW BS BB BZ "
    "BM VG KY CW DM GD GY MS KN LC VC SR TT TC VI GF GP MQ",
    "Rest of Western Europe": "AT BE DK FI IE NO PT SE CH AD IS LI LU MT MC SM GI",
    "Rest of Central & Eastern Europe": "AL AM AZ BY BG HR CZ GE GR HU LV LT MD MK PL RO RS SK "
    "SI UA BA EE ME XK CY",
    "Rest of Asia Pacific": "AF AU BD KH CN HK JP LA MN NP NZ PG PH SG LK TW TJ TH TM UZ VN "
    "BN MO MM KG BT MV FJ",
    "Rest of Africa": "DZ AO BJ BW BF BI CM TD CG ER ET GA GM GH GW CI KE LS LR LY MG MW ML MR "
    "MA MZ NA NE RW SN SL SO SS SD SZ TZ TG TN UG ZM ZW",
    "Rest of Middle East": "BH IQ JO KW LB OM QA YE",
}
_COUNTRIES: dict[str, str] = {
    "AR": "Argentina",
    "BR": "Brazil",
    "CL": "Chile",
    "CO": "Colombia",
    "EG": "Egypt",
    "FR": "France",
    "DE": "Germany",
    "IN": "India",
    "ID": "Indonesia",
    "IL": "Israel",
    "IT": "Italy",
    "MY": "Malaysia",
    "MX": "Mexico",
    "NL": "Netherlands",
    "NG": "Nigeria",
    "PK": "Pakistan",
    "PE": "Peru",
    "RU": "Russia",
    "SA": "Saudi Arabia",
    "ZA": "South Africa",
    "ES": "Spain",
    "TR": "Turkey",
    "AE": "United Arab Emirates",
    "GB": "United Kingdom",
}
REGION_MARKET: dict[str, str] = _COUNTRIES | {
    region: market for market, regions in _GROUPS.items() for region in regions.split()
}
MARKETS: tuple[str, ...] = (*sorted(set(REGION_MARKET.values())), OTHER)


def region_of(wa_id: str) -> str | None:
    """The ISO region of a WhatsApp number (``"34611..."`` → ``"ES"``), None when unknown."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse("+" + wa_id.lstrip("+")))
    except phonenumbers.NumberParseException:
        return None


def market_of(wa_id: str) -> str:
    """Meta's market for a WhatsApp number: its country, its regional group, or ``Other``."""
    return REGION_MARKET.get(region_of(wa_id) or "", OTHER)


@dataclass(frozen=True)
class RateCard:
    """Per-message prices by market and category, in one currency, from a dated source."""

    currency: str
    effective_date: str
    source: str
    rates: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def rate(self, market: str, category: str) -> Decimal | None:
        """The price of one delivered ``category`` template in ``market``; None when unknown.

        Service messages cost nothing; any other category the card lacks has no price."""
        if category.lower() == "service":
            return Decimal(0)
        return self.rates.get(market, {}).get(category.lower())

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "effective_date": self.effective_date,
            "source": self.source,
            "rates": {
                market: {category: str(rate) for category, rate in by_category.items()}
                for market, by_category in sorted(self.rates.items())
            },
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> RateCard:
        return cls(
            currency=stored["currency"],
            effective_date=stored["effective_date"],
            source=stored["source"],
            rates={
                market: {category: Decimal(rate) for category, rate in by_category.items()}
                for market, by_category in stored["rates"].items()
            },
        )


def parse_card(
    text: str,
    *,
    effective_date: str | None = None,
    source: str | None = None,
    currency: str | None = None,
) -> RateCard:
    """A rate card from CSV: Meta's download (a header row naming ``Market`` and the categories,
    possibly after title lines) or the shipped form (``# source:``-style lines, then the table).

    Arguments win over what the file says; a card without an effective date or source is
    refused, since an estimate must say where its prices come from."""
    notes: dict[str, str] = {}
    rows: list[list[str]] = []
    for line in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        if line and line[0].lstrip().startswith("#"):
            key, _, value = line[0].lstrip("# ").partition(":")
            notes[key.strip().lower()] = value + ("," + ",".join(line[1:]) if line[1:] else "")
            continue
        rows.append([cell.strip() for cell in line])
    header_at = next(
        (i for i, row in enumerate(rows) if any(c.lower() == "market" for c in row)), None
    )
    if header_at is None:
        raise UserFacingError("campaigns.rates.error.no_header")
    header = [cell.lower() for cell in rows[header_at]]
    columns = {category: _column(header, category) for category in CATEGORIES}
    market_column = header.index("market")
    currency_column = header.index("currency") if "currency" in header else None
    rates: dict[str, dict[str, Decimal]] = {}
    found_currency = None
    for row in rows[header_at + 1 :]:
        if len(row) <= market_column or not row[market_column]:
            continue
        prices = {
            category: price
            for category, index in columns.items()
            if index is not None and (price := _price(row, index)) is not None
        }
        if prices:
            rates[row[market_column]] = prices
        if currency_column is not None and len(row) > currency_column:
            found_currency = found_currency or row[currency_column] or None
    if not rates:
        raise UserFacingError("campaigns.rates.error.no_rates")
    card = RateCard(
        currency=(currency or found_currency or notes.get("currency", "")).strip().upper(),
        effective_date=(effective_date or notes.get("effective_date", "")).strip(),
        source=(source or notes.get("source", "")).strip(),
        rates=rates,
    )
    if not card.effective_date or not card.source or not card.currency:
        raise UserFacingError("campaigns.rates.error.undated")
    return card


def _column(header: list[str], category: str) -> int | None:
    """The column of a category (``Authentication``, not ``Authentication-International``)."""
    for index, name in enumerate(header):
        if name.startswith(category) and "international" not in name:
            return index
    return None


def _price(row: list[str], index: int) -> Decimal | None:
    raw = row[index].replace("$", "").replace(",", ".").strip() if len(row) > index else ""
    if not raw or raw.lower() in {"n/a", "-", "free"}:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def shipped_card() -> RateCard:
    return parse_card(SHIPPED_CARD.read_text(encoding="utf-8"))


def current_card(session: Session) -> RateCard:
    """The imported card when an admin imported one, else the card shipped with the product."""
    stored = settings.get(session, SETTING)
    return RateCard.from_json(stored) if stored else shipped_card()


def show(session: Session, actor: Actor) -> RateCard:
    require(actor, Permission.VIEW_CAMPAIGNS)
    return current_card(session)


def import_card(session: Session, actor: Actor, card: RateCard) -> list[str]:
    """Make ``card`` the one estimates use (admins; audited). Returns the card's markets no
    number maps to (a market Meta added or renamed), so the admin can see them."""
    settings.put(session, actor, SETTING, card.to_json())
    return sorted(set(card.rates) - set(MARKETS))
