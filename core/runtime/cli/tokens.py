"""``tokens``: API tokens for CRMs and automation tools (add, list, revoke)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from core.access.auth import CLI_ACTOR
from core.db import session_scope
from core.models import ApiToken
from core.runtime.cli.output import Commands, aware_time, emit, emit_rows


def _token_json(token: ApiToken) -> dict[str, Any]:
    from core.api.tokens import token_state

    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": token.scopes.split(","),
        "state": token_state(token),
        "created_by": token.created_by,
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


def _expiry(text: str | None) -> datetime | None:
    return None if text is None else aware_time(text, "--expires", "2027-01-31T00:00:00+00:00")


def cmd_tokens_add(args: argparse.Namespace) -> int:
    from core.api.tokens import create_token

    with session_scope() as session:
        token, text = create_token(
            session, CLI_ACTOR, args.name, args.scopes, expires_at=_expiry(args.expires)
        )
        data = {"id": token.id, "token": text}
    emit(args, data, f"Token {data['id']} ({args.name}), shown only now:\n{text}")
    return 0


def cmd_tokens_list(args: argparse.Namespace) -> int:
    from core.api.tokens import list_tokens

    with session_scope() as session:
        tokens = [_token_json(token) for token in list_tokens(session, CLI_ACTOR)]
    emit_rows(
        args,
        tokens,
        lambda t: (
            f"{t['id']:>4} {t['name']:<24} {t['prefix']}… {','.join(t['scopes']):<20} {t['state']}"
        ),
        "No API tokens yet.",
    )
    return 0


def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    from core.api.tokens import revoke_token

    with session_scope() as session:
        data = _token_json(revoke_token(session, CLI_ACTOR, args.id))
    emit(args, data, f"Token {data['id']} ({data['name']}) is revoked.")
    return 0


def add_commands(commands: Commands, common: argparse.ArgumentParser) -> None:
    tokens = commands.add_parser("tokens", help="API tokens", parents=[common])
    actions = tokens.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a token (printed once)", parents=[common])
    add.add_argument("--name", required=True, help="who uses it, e.g. 'CRM'")
    add.add_argument("--scopes", required=True, help="comma-separated: send,read,templates")
    add.add_argument("--expires", help="ISO time with offset; never when absent")
    add.set_defaults(handler=cmd_tokens_add)
    listing = actions.add_parser("list", help="every token and its state", parents=[common])
    listing.set_defaults(handler=cmd_tokens_list)
    revoke = actions.add_parser("revoke", help="refuse a token from now on", parents=[common])
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=cmd_tokens_revoke)
