"""In-memory state of the sandbox: accounts and everything that belongs to one phone number.

All of it lives in one process and is reset with the process (or ``POST /sandbox/api/reset``).
Request handlers run on the server's event loop, but tests and the dashboard may read the state
from other threads, so mutations go through ``SandboxState.lock``.

Time is read from :class:`Clock`, never from ``time.time()`` directly, so tests can jump forward
(closing 24-hour windows, refilling pair buckets) without sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from core.sandbox import ids

Generation = Literal["cloud", "onprem"]
GENERATIONS: tuple[Generation, ...] = ("cloud", "onprem")
WINDOW_SECONDS = 24 * 3600
PRICING_MODELS = ("CBP", "PMP")


def digits(number: str) -> str:
    """A phone number as WhatsApp writes ``wa_id``: digits only, no ``+``."""
    return "".join(ch for ch in str(number) if ch.isdigit())


class Clock:
    """Wall-clock time plus an offset that only ever moves forward."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


@dataclass
class Contact:
    """A customer as one business number knows them."""

    wa_id: str
    name: str
    last_inbound_at: float | None = None
    auto_read: bool | None = None  # None: follow the sandbox-wide setting
    stopped_marketing: bool = False
    """The customer chose, in WhatsApp, to stop this business's marketing messages (131050)."""
    marketing_limited: bool = False
    """The customer has had their fill of marketing templates from all businesses for now:
    WhatsApp holds further ones back (131049, Meta's per-user marketing limit)."""

    def window_open(self, now: float) -> bool:
        """True while the 24-hour customer service window is open: free-form messages are
        allowed for 24 hours after the customer last wrote
        (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows)."""
        return self.last_inbound_at is not None and now - self.last_inbound_at < WINDOW_SECONDS


@dataclass
class Template:
    """A message template with its review state."""

    id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    namespace: str
    created_at: float
    status: str = "PENDING"
    rejected_reason: str = "NONE"
    recommendation: str = ""
    modified_at: float = 0.0
    parameter_format: str = "POSITIONAL"
    d360_id: str = field(default_factory=ids.d360_object_id)
    """360Dialog's own id of the template (its listing's ``id``); ``id`` is Meta's, which the
    listing gives as ``external_id`` and status webhooks as ``message_template_id``."""
    pacing: str = "accepted"
    """The ``message_status`` its sends are answered with: ``held_for_quality_assessment``
    while Meta paces the template, ``paused`` while its delivery is paused
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing)."""

    def body_text(self) -> str:
        for component in self.components:
            if str(component.get("type", "")).upper() == "BODY":
                return str(component.get("text", ""))
        return ""


@dataclass
class Media:
    """Bytes uploaded by the business or sent by a customer, downloadable by id."""

    id: str
    data: bytes
    mime_type: str
    created_at: float
    filename: str | None = None
    token: str = field(default_factory=ids.url_token)

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_b64(self) -> str:
        """Webhooks carry the digest base64-encoded (Meta's samples), media lookups hex."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


@dataclass
class UploadSession:
    """A file being sent through the Resumable Upload; its ``handle`` once every byte is in."""

    id: str
    file_name: str
    file_length: int
    file_type: str
    data: bytearray = field(default_factory=bytearray, repr=False)
    handle: str | None = None


@dataclass
class StatusEvent:
    status: str
    timestamp: float
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Message:
    """One message in either direction, as the sandbox remembers it.

    ``payload`` is what the business posted (outbound) or the message object delivered to the
    webhook (inbound). ``status`` is the latest known state: ``accepted``, ``sent``,
    ``delivered``, ``read``, ``failed`` (outbound) or ``received`` (inbound).
    """

    id: str
    direction: Literal["outbound", "inbound"]
    customer: str
    type: str
    payload: dict[str, Any]
    timestamp: float
    status: str
    statuses: list[StatusEvent] = field(default_factory=list)
    error_code: int | None = None
    template: dict[str, str] | None = None
    category: str = "service"
    read_by_business: bool = False

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "direction": self.direction,
            "customer": self.customer,
            "type": self.type,
            "payload": self.payload,
            "timestamp": int(self.timestamp),
            "status": self.status,
            "statuses": [
                {"status": s.status, "timestamp": int(s.timestamp), "errors": s.errors}
                for s in self.statuses
            ],
            "error_code": self.error_code,
            "template": self.template,
            "category": self.category,
            "read_by_business": self.read_by_business,
        }


@dataclass
class Account:
    """One 360Dialog channel: a phone number, its API key and its settings.

    Only ``api_key`` and ``number`` are required; Meta-side ids are generated when absent.
    ``pair_burst``/``pair_refill_seconds`` shape the per-customer token bucket (131056).
    ``sample_templates`` are installed already APPROVED, as a fresh number shows Meta's sample
    templates (``engine.HELLO_WORLD``). ``pricing_model`` is what status webhooks report
    (``CBP``, conversation-based, or ``PMP``, per-message: ``payloads.pricing``);
    ``config_calls_every_seconds`` is 360Dialog's usage limit on configuration calls (0: none;
    ``gateway.py``); ``health`` overrides entities of ``GET /health_status`` (``health.py``).
    """

    api_key: str
    number: str
    generation: Generation = "cloud"
    throughput_mps: float = 80.0
    phone_number_id: str = ""
    waba_id: str = ""
    display_phone_number: str = ""
    namespace: str = ""
    pair_burst: int = 45
    pair_refill_seconds: float = 6.0
    not_on_whatsapp: set[str] = field(default_factory=set)
    registered_as: dict[str, str] = field(default_factory=dict)
    """Numbers WhatsApp knows under another ``wa_id`` (a Brazilian account made before the ninth
    digit): a send to the key is answered with the value as ``contacts[].wa_id``."""
    template_listing: str = "360dialog"
    """How ``GET /v1/configs/templates`` pages: ``360dialog`` (offset, limit, count, total),
    ``without_total`` (the same envelope without ``total``) or ``graph`` (Meta's ``data`` and
    ``paging`` with cursors)."""
    sample_templates: list[dict[str, Any]] = field(default_factory=list)
    pricing_model: str = "CBP"
    config_calls_every_seconds: float = 0.0
    marketing_limit_share: float = 0.0
    """Share (0 to 1) of marketing templates Meta withholds with 131049 for reaching a person's
    marketing limit, a limit no business can see beforehand
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits)."""
    health: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    standing: dict[str, str] = field(default_factory=dict, init=False)
    """Quality rating, messaging limit and display name status (``number.py``)."""
    profile: dict[str, Any] = field(default_factory=dict, init=False)
    """The business profile (``profile.py``)."""

    webhook_url: str | None = field(default=None, init=False)
    webhook_headers: dict[str, str] = field(default_factory=dict, init=False)
    contacts: dict[str, Contact] = field(default_factory=dict, init=False, repr=False)
    templates: dict[tuple[str, str], Template] = field(default_factory=dict, init=False, repr=False)
    media: dict[str, Media] = field(default_factory=dict, init=False, repr=False)
    uploads: dict[str, UploadSession] = field(default_factory=dict, init=False, repr=False)
    messages: dict[str, Message] = field(default_factory=dict, init=False, repr=False)
    # (customer, pricing category) -> {"id", "expires_at"}: open billing conversations
    conversations: dict[tuple[str, str], dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.generation not in GENERATIONS:
            raise ValueError(f"generation must be one of {GENERATIONS}")
        if self.pricing_model not in PRICING_MODELS:
            raise ValueError(f"pricing_model must be one of {PRICING_MODELS}")
        self.number = digits(self.number)
        if not self.number or not self.api_key:
            raise ValueError("an account needs an api_key and a number")
        self.phone_number_id = self.phone_number_id or ids.graph_object_id()
        self.waba_id = self.waba_id or ids.graph_object_id()
        self.display_phone_number = self.display_phone_number or self.number
        self.namespace = self.namespace or ids.onprem_media_id().replace("-", "_")
        self.not_on_whatsapp = {digits(n) for n in self.not_on_whatsapp}
        self.registered_as = {digits(k): digits(v) for k, v in self.registered_as.items()}

    def clear(self) -> None:
        """Forget everything that happened on this number, keep its settings and webhook."""
        self.contacts.clear()
        self.templates.clear()
        self.media.clear()
        self.uploads.clear()
        self.messages.clear()
        self.conversations.clear()
        self.standing.clear()
        self.profile.clear()

    def contact(self, wa_id: str, name: str | None = None) -> Contact:
        wa_id = digits(wa_id)
        contact = self.contacts.get(wa_id)
        if contact is None:
            contact = self.contacts[wa_id] = Contact(wa_id=wa_id, name=name or wa_id)
        elif name:
            contact.name = name
        return contact

    def public(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "number": "+" + self.number,
            "generation": self.generation,
            "throughput_mps": self.throughput_mps,
            "phone_number_id": self.phone_number_id,
            "waba_id": self.waba_id,
            "display_phone_number": self.display_phone_number,
            "namespace": self.namespace,
            "pair_burst": self.pair_burst,
            "pair_refill_seconds": self.pair_refill_seconds,
            "not_on_whatsapp": sorted("+" + n for n in self.not_on_whatsapp),
            "registered_as": dict(self.registered_as),
            "template_listing": self.template_listing,
            "pricing_model": self.pricing_model,
            "config_calls_every_seconds": self.config_calls_every_seconds,
            "marketing_limit_share": self.marketing_limit_share,
            "health": self.health,
            "webhook": {"url": self.webhook_url, "headers": self.webhook_headers},
        }


class SandboxState:
    """Accounts indexed by API key and by number."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self._by_key: dict[str, Account] = {}
        self._by_number: dict[str, Account] = {}

    def add_account(self, account: Account) -> Account:
        with self.lock:
            if account.api_key in self._by_key:
                raise ValueError(f"api key {account.api_key!r} already in use")
            if account.number in self._by_number:
                raise ValueError(f"number +{account.number} already registered")
            self._by_key[account.api_key] = account
            self._by_number[account.number] = account
        return account

    def accounts(self) -> list[Account]:
        with self.lock:
            return list(self._by_number.values())

    def by_key(self, api_key: str | None) -> Account | None:
        with self.lock:
            return self._by_key.get(api_key or "")

    def by_number(self, number: str) -> Account:
        """Raises KeyError for an unknown number."""
        with self.lock:
            return self._by_number[digits(number)]
