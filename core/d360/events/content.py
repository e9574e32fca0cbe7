"""What a message says, read the same way for customers' messages, their edits and the business
app's echoes.

Every type also gets a one-line ``text`` for the inbox (a caption, a button's title, an emoji, a
place, contact names, an order), so a thread can show any message without knowing its type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.d360.events.base import MEDIA_TYPES, as_dict, as_float, as_int, as_list, as_text
from core.d360.events.values import (
    Interactive,
    Location,
    MediaRef,
    MessageEdit,
    Reaction,
    SharedContact,
    SystemChange,
)


@dataclass
class MessageContent:
    """The content of one message object, whatever its type."""

    text: str | None = None
    media: MediaRef | None = None
    reaction: Reaction | None = None
    location: Location | None = None
    contacts: tuple[SharedContact, ...] = ()
    interactive: Interactive | None = None
    edit: MessageEdit | None = None
    revoked_message_id: str | None = None
    system: SystemChange | None = None

    @classmethod
    def from_raw(cls, msg: dict[str, Any], what: str, problems: list[str]) -> MessageContent:
        """Read ``msg[msg["type"]]``; a type we do not know keeps whatever ``body`` or ``text``
        it has, so a new kind of message still shows something."""
        kind = as_text(msg.get("type")) or ""
        body = msg.get(kind) if kind else None
        out = cls()
        if kind == "text" or (kind not in MEDIA_TYPES and isinstance(msg.get("text"), dict)):
            out.text = as_dict(msg.get("text")).get("body") or None
        if kind in MEDIA_TYPES:
            if isinstance(body, dict):
                out.media = MediaRef.from_raw(body, voice=kind == "voice")
                out.text = out.media.caption or (out.media.filename if kind == "document" else None)
            else:
                problems.append(f"{what} is of type {kind!r} but has no {kind!r} object")
        elif kind == "location":
            out.location = Location.from_raw(body)
            out.text = out.location.summary() or None
        elif kind == "contacts":
            out.contacts = tuple(
                SharedContact.from_raw(card) for card in as_list(msg.get("contacts"))
            )
            out.text = ", ".join(c.name for c in out.contacts if c.name) or None
        elif kind == "reaction":
            out.reaction = Reaction.from_raw(body)
            out.text = out.reaction.emoji or None
            if out.reaction.message_id is None:
                problems.append(f"{what} is a reaction without the id of the message it reacts to")
        elif kind == "button":
            out.interactive = Interactive.from_button(body)
            out.text = out.interactive.title
        elif kind == "interactive":
            out.interactive = Interactive.from_raw(as_dict(body), what, problems)
            out.text = out.interactive.title
        elif kind == "order":
            out.text = order_summary(as_dict(body))
        elif kind == "system":
            out.system = SystemChange.from_raw(body)
            out.text = out.system.body
        elif kind == "edit":
            out._read_edit(as_dict(body), what, problems)
        elif kind == "revoke":
            out.revoked_message_id = as_text(as_dict(body).get("original_message_id"))
        elif out.text is None and isinstance(body, dict):
            out.text = as_text(body.get("body")) or as_text(body.get("text"))
        return out

    def _read_edit(self, edit: dict[str, Any], what: str, problems: list[str]) -> None:
        """An edit carries the whole new message: its text and file become this content's."""
        inner = as_dict(edit.get("message"))
        inner_content = (
            MessageContent.from_raw(inner, f"{what} (edited content)", problems) if inner else None
        )
        self.edit = MessageEdit(
            original_message_id=as_text(edit.get("original_message_id")),
            new_text=inner_content.text if inner_content else None,
            new_message=inner,
        )
        self.text = self.edit.new_text
        if inner_content:
            self.media = inner_content.media


def order_summary(order: dict[str, Any]) -> str:
    """A cart in one line: quantities and items, the total when one currency, the note."""
    items = [as_dict(i) for i in as_list(order.get("product_items"))]
    parts = [
        f"{as_int(i.get('quantity')) or 1}× {as_text(i.get('product_retailer_id')) or '?'}"
        for i in items
    ]
    currencies = {as_text(i.get("currency")) for i in items} - {None}
    line = "🛒 " + ", ".join(parts) if parts else "🛒"
    if len(currencies) == 1:
        total = sum(
            (as_float(i.get("item_price")) or 0) * (as_int(i.get("quantity")) or 1) for i in items
        )
        line += f" — {total:g} {currencies.pop()}"
    note = as_text(order.get("text"))
    return f"{line} · {note}" if note else line
