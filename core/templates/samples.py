"""The sample files Meta reviews a media template from: uploaded, and their handles put in place.

A media header (the template's own, and each carousel card's) is reviewed from a sample file named
in its ``example.header_handle``. That name must be a handle from Meta's Resumable Upload, not a
``/media`` id (an id only serves to send a message): a template with an id there is refused at
creation (https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components).
360Dialog proxies the Resumable Upload on its Cloud API generation only
(https://docs.360dialog.com/docs/messaging-api/api-reference/media-uploads).

The builder uploads one file at a time (:func:`upload_sample`); the command line names files for
the header and for cards by number (:func:`attach_samples`), placed with :func:`with_handles`.
"""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from core.access.auth import Actor, Permission, require
from core.channels.registry import client_for
from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.templates.anatomy import components_of, header_format_of, kind_of
from core.templates.library import ClientFactory, D360ActionFailed, channel_of
from core.templates.rules.parts import MEDIA_FORMATS

Sample = TypeVar("Sample")


def upload_sample(
    session: Session,
    actor: Actor,
    channel_id: int,
    content: bytes,
    filename: str,
    mime_type: str,
    *,
    client_factory: ClientFactory = client_for,
) -> str:
    """Upload one sample file to the channel's 360Dialog; returns the handle to review it by."""
    require(actor, Permission.EDIT_TEMPLATES)
    channel = channel_of(session, channel_id)
    try:
        with client_factory(channel) as client:
            return client.upload_sample(content, mime_type, filename)
    except D360Error as error:
        raise D360ActionFailed(error) from error


def attach_samples(
    session: Session,
    actor: Actor,
    channel_id: int,
    body: Mapping[str, Any],
    *,
    header: Path | None = None,
    cards: Mapping[int, Path] | None = None,
    client_factory: ClientFactory = client_for,
) -> dict[str, Any]:
    """``body`` (a copy) with the sample files uploaded and their handles in place: ``header`` for
    the template's media header, ``cards`` for carousel cards by number (from 0, as Meta's
    ``card_index``). A card or header that cannot take a sample is refused before any upload."""
    cards = dict(cards or {})
    _targets(body, header, cards)

    def handle_of(path: Path) -> str:
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        content = _read(path)
        return upload_sample(
            session,
            actor,
            channel_id,
            content,
            path.name,
            mime_type,
            client_factory=client_factory,
        )

    return with_handles(
        body,
        header=handle_of(header) if header is not None else None,
        cards={index: handle_of(path) for index, path in cards.items()},
    )


def with_handles(
    body: Mapping[str, Any], *, header: str | None = None, cards: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """``body`` (a copy) with each handle as its media header's ``example.header_handle``."""
    placed = copy.deepcopy(dict(body))
    for target, handle in _targets(placed, header, dict(cards or {})):
        example = target.get("example")
        target["example"] = {
            **(example if isinstance(example, Mapping) else {}),
            "header_handle": [handle],
        }
    return placed


def card_sample(raw: str) -> tuple[int, Path]:
    """``N=FILE`` as the command line takes it: card N (from 0) and its sample file."""
    number, separator, path = raw.partition("=")
    if not separator or not number.strip().isdigit() or not path:
        raise ValueError(f"expected N=FILE, not {raw!r}")
    return int(number), Path(path)


def _targets(
    body: Mapping[str, Any], header: Sample | None, cards: Mapping[int, Sample]
) -> list[tuple[Any, Sample]]:
    """Each media header that gets a sample, with its sample; the user's words when one is not
    there (a header that is text, a card number the carousel does not have)."""
    found: list[tuple[Any, Sample]] = []
    if header is not None:
        target = _media_header(body)
        if target is None:
            raise UserFacingError("templates.error.no_media_header")
        found.append((target, header))
    every_card = [
        card
        for component in components_of(body)
        if isinstance(component.get("cards"), list)
        for card in component["cards"]
        if isinstance(card, Mapping)
    ]
    for number, sample in sorted(cards.items()):
        target = _media_header(every_card[number]) if 0 <= number < len(every_card) else None
        if target is None:
            raise UserFacingError(
                "templates.error.no_card_media_header", card=number, count=len(every_card)
            )
        found.append((target, sample))
    return found


def _media_header(part: Mapping[str, Any]) -> Any:
    """The media header of a template or card, or ``None`` (no header, or a text one)."""
    header = next((c for c in components_of(part) if kind_of(c) == "HEADER"), None)
    return header if header is not None and header_format_of(header) in MEDIA_FORMATS else None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserFacingError(
            "templates.error.sample_unreadable",
            path=str(path),
            reason=exc.strerror or type(exc).__name__,
        ) from exc
