"""Identifiers shaped like the ones WhatsApp and 360Dialog hand out.

Clients store, log and sometimes parse these ids, so their shape matters: a Cloud message id is
``wamid.`` followed by base64 of a small binary record that embeds the customer's number (this is
what the wamids of https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
decode to), on-premise ids are bare base64-ish strings (``gBEG…``,
https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages), media and template
ids are long decimal strings like Meta's object ids.
"""

from __future__ import annotations

import base64
import secrets
import uuid


def wamid(wa_id: str, inbound: bool) -> str:
    """A Cloud API message id; the marker byte differs for inbound and outbound, as in real ids."""
    number = wa_id.encode()
    marker, length = (b"\x12", 20) if inbound else (b"\x11", 18)
    tail = secrets.token_hex(length // 2).upper().encode()
    raw = b"\x1c\x18" + bytes([len(number)]) + number + b"\x15\x02\x00" + marker
    raw += b"\x18" + bytes([len(tail)]) + tail + b"\x00"
    return "wamid." + base64.b64encode(raw).decode()


def onprem_message_id(inbound: bool) -> str:
    """An on-premise message id (``gBEG…`` for messages the business sent, ``ABEG…`` inbound)."""
    prefix = "ABEG" if inbound else "gBEG"
    return prefix + base64.urlsafe_b64encode(secrets.token_bytes(18)).decode().rstrip("=")


def graph_object_id() -> str:
    """A Meta Graph object id (media, template, phone number, WABA): 15-16 decimal digits."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


def d360_object_id() -> str:
    """An id of 360Dialog's own (its template listing's ``id``, beside Meta's ``external_id``)."""
    return secrets.token_hex(12)


def onprem_media_id() -> str:
    """An on-premise media id, a UUID as the On-Premises API answered an upload
    (https://developers.facebook.com/docs/whatsapp/on-premises/reference/media)."""
    return str(uuid.uuid4())


def fbtrace_id() -> str:
    """The opaque trace id Meta attaches to every Graph error."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")[:23]


def conversation_id() -> str:
    """A pricing conversation id (32 hex characters, as Meta sends them)."""
    return secrets.token_hex(16)


def url_token() -> str:
    """The ``hash`` query value of a lookaside media URL."""
    return base64.urlsafe_b64encode(secrets.token_bytes(24)).decode().rstrip("=")
