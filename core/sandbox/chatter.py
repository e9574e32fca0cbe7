"""Simulated customers for the demo: every N seconds someone writes to one of the numbers.

Names are Spanish and English, messages vary in type (text, image, location, document, voice
note, contact card, reactions to what the business said), so a demo dashboard has something
realistic to show without anyone typing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from core.sandbox import inbound
from core.sandbox.engine import Sandbox

log = logging.getLogger(__name__)

CUSTOMERS = [
    ("34611000001", "Lucía García"),
    ("34611000002", "Javier Fernández"),
    ("34611000003", "Carmen Ruiz"),
    ("5215511000004", "Alejandro Martínez"),
    ("447700900005", "Emily Clarke"),
    ("447700900006", "Oliver Bennett"),
    ("14155550107", "Sophie Turner"),
    ("34611000008", "Pablo Sánchez"),
]
TEXTS = [
    "Hola, ¿tenéis cita disponible esta semana?",
    "¿A qué hora abrís mañana?",
    "Gracias, todo perfecto 🙌",
    "Hi! Is my order on its way?",
    "Can I change the delivery address?",
    "¿Cuánto cuesta el envío a Valencia?",
    "Thanks for the quick answer!",
]


def _next_message(sandbox: Sandbox, customer: str, account_messages: list[Any]) -> dict[str, Any]:
    rng = sandbox.random
    choice = rng.choice(["text"] * 5 + ["image", "location", "document", "audio", "contacts"])
    business = [m for m in account_messages if m.direction == "outbound" and m.customer == customer]
    if business and rng.random() < 0.2:
        return {"type": "reaction", "message_id": business[-1].id, "emoji": rng.choice("👍❤️😂🙏")}
    if choice == "text":
        return {"type": "text", "text": rng.choice(TEXTS)}
    if choice == "image":
        return {"type": "image", "caption": "Mira esto / look at this"}
    if choice == "location":
        return {
            "type": "location",
            "location": {
                "latitude": 40.4168,
                "longitude": -3.7038,
                "name": "Puerta del Sol",
                "address": "Plaza de la Puerta del Sol, Madrid",
            },
        }
    if choice == "document":
        return {"type": "document", "filename": "factura.pdf", "caption": "Factura"}
    if choice == "audio":
        return {"type": "audio", "voice": True}
    return {"type": "contacts", "contact_name": "Marta López", "contact_phone": "+34 611 000 099"}


async def _run(sandbox: Sandbox, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        accounts = sandbox.state.accounts()
        if not accounts:
            continue
        account = sandbox.random.choice(accounts)
        number, name = sandbox.random.choice(CUSTOMERS)
        spec = _next_message(sandbox, number, list(account.messages.values()))
        try:
            inbound.receive(sandbox, account, number, {"name": name, **spec})
        except inbound.CustomerInputError:
            log.exception("chatter produced an unusable message")


def start(sandbox: Sandbox, every: float) -> None:
    """Start chatting on the running loop; stops with the sandbox (task cancelled)."""
    task = asyncio.get_running_loop().create_task(_run(sandbox, every))
    sandbox.background.append(task)
