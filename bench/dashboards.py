"""A store with agents and busy conversations, and dashboard tabs open on it (``bench.st_client``).

Shared by ``bench.sessions`` and its functional test: the same preparation, the same way a tab
logs in, opens the conversations page and a conversation, and replies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bench.load import OUR_SENT_MESSAGES
from bench.server import Store, StoreRunner, in_store, prepare_channel
from bench.st_client import StreamlitClient

PASSWORD = "bench-password-1980"
CONVERSATIONS = 200
MESSAGES_PER_CONVERSATION = 12
CONTACT_PREFIX = "3462300"  # the bench's customers: +3462300NNNNN
CONVERSATIONS_PAGE = "conversations"
OPEN_BUTTON = "viewer_open_"  # the list row's button key: viewer_open_<conversation id>
COMPOSER = "viewer_composer_"  # the open thread's chat input: viewer_composer_<conversation id>

PREPARE = """
import json
from datetime import timedelta
from core.access.auth import CLI_ACTOR
from core.access.users import add_user
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.db import session_scope
from core.models import Channel, Message, MessageStatus, utcnow
opened = {{}}
with session_scope() as s:
    for k in range({users}):
        add_user(s, CLI_ACTOR, f"agent{{k:03d}}", "agent", {password!r})
    channel = s.get(Channel, {channel_id})
    now = utcnow()
    for k in range({conversations}):
        wa_id = f"{prefix}{{k:05d}}"
        contact, _ = find_or_create_contact(s, channel, wa_id, f"Cliente {{k}}")
        conversation = find_or_create_conversation(s, channel, contact)
        at = now - timedelta(minutes=k)
        s.add_all(
            Message(channel_id=channel.id, conversation_id=conversation.id,
                    wa_message_id=f"wamid.bench.{{k}}.{{m}}", direction="in" if m % 2 else "out",
                    type="text", text=f"mensaje {{m}} de la conversación {{k}}",
                    status=MessageStatus.READ, created_at=at - timedelta(seconds=60 - m))
            for m in range({messages})
        )
        conversation.last_message_at = conversation.last_inbound_at = at
        conversation.last_message_preview = f"mensaje {messages} de la conversación {{k}}"
        opened[conversation.id] = wa_id
print(json.dumps(opened))
"""


@dataclass(frozen=True)
class Prepared:
    """What the store holds: the channel, the agents' names, each conversation's customer."""

    channel_id: int
    usernames: list[str]
    customers: dict[int, str]  # conversation id -> the customer's WhatsApp number (wa_id)


def prepare(
    store: Store, users: int, conversations: int = CONVERSATIONS, run: StoreRunner = in_store
) -> Prepared:
    """Migrate; one channel (with the outbound messages the status bodies refer to); ``users``
    agents sharing one password; ``conversations`` with messages, their 24-hour window open."""
    channel_id = prepare_channel(store, run)
    run(store, OUR_SENT_MESSAGES)
    code = PREPARE.format(
        users=users,
        password=PASSWORD,
        channel_id=channel_id,
        conversations=conversations,
        prefix=CONTACT_PREFIX,
        messages=MESSAGES_PER_CONVERSATION,
    )
    customers = {int(k): v for k, v in json.loads(run(store, code)).items()}
    return Prepared(channel_id, [f"agent{k:03d}" for k in range(users)], customers)


def open_conversation_ids(client: StreamlitClient) -> list[int]:
    """The conversations listed on screen, top first."""
    return [
        int(node.key.removeprefix(OPEN_BUTTON))
        for node in client.find(kind="button", key_prefix=OPEN_BUTTON)
    ]


def open_thread_id(client: StreamlitClient) -> int | None:
    """The conversation whose composer is on screen (the open thread), if any."""
    composers = client.find(key_prefix=COMPOSER)
    return int(composers[0].key.removeprefix(COMPOSER)) if composers else None


async def open_tab(
    url: str, username: str, row: int = 0, password: str = PASSWORD, patience: float = 60
) -> tuple[StreamlitClient, int]:
    """A logged-in tab on the conversations page with the ``row``-th listed conversation open;
    returns the tab and that conversation's id. A tab that fails on the way is closed."""
    client = StreamlitClient(url, patience=patience)
    try:
        await client.connect()
        await client.login(username, password)
        await client.navigate(CONVERSATIONS_PAGE)
        conversation_id = await open_row(client, row)
    except BaseException:
        await client.close()
        raise
    return client, conversation_id


async def open_row(client: StreamlitClient, row: int) -> int:
    """Click the ``row``-th listed conversation (modulo the rows shown); wait for its composer."""
    listed = await client.until(lambda: open_conversation_ids(client))
    conversation_id = listed[row % len(listed)]
    await client.click(f"{OPEN_BUTTON}{conversation_id}")
    await client.until(lambda: client.find(key=f"{COMPOSER}{conversation_id}"))
    return conversation_id


async def reply(client: StreamlitClient, conversation_id: int, text: str) -> None:
    """Type ``text`` in the open thread's composer and send it."""
    await client.send_chat(f"{COMPOSER}{conversation_id}", text)
