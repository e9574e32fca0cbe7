"""``pages``: every page over a store with 1,000,000 messages, 100,000 contacts, 5,000 templates.

Each page runs headless (Streamlit's AppTest) several times on an empty store and on the full
one, each page and store in a process of its own; figures per page: p95_ms on the full store and
ratio_to_empty (p95 full / p95 empty), and the same for the CPU time the page's process spent
(cpu_p95_ms, cpu_ratio_to_empty: on a machine others share, wall time measures their load too).
``python -m bench.pages home reports`` runs only the pages named (by file name).

The full store's conversations go back and forth (a customer writes, an agent answers a second
later), one outbound message in ten is a template (read, delivered or failed), and the report
rows are counted from the messages afterwards (``reports rebuild``), as after an upgrade.

The team inbox's filtered views (mine, unassigned, a status, a member, a label, and the counts per
view) are timed as the conversation list asks for them (``core.conversations.threads``), in a
process per store: the full store's conversations carry statuses, assignees among ten agents and
labels.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.results import record

MESSAGES = 1_000_000
CONTACTS = 100_000
TEMPLATES = 5_000
RUNS = 20
WARM_UP = 2
PAGES = [
    "pages/home.py",
    "pages/reports.py",
    "pages/conversations.py",
    "pages/inbox_settings.py",
    "pages/channels.py",
    "pages/template_status.py",
    "pages/workspace_templates.py",
    "pages/template_builder.py",
    "pages/campaigns.py",
    "pages/users.py",
    "pages/audit.py",
]
PROJECT_DIR = Path(__file__).resolve().parent.parent
AGENTS = 10
LABELS = 5
STATUSES = ("open", "open", "pending", "snoozed", "resolved", "resolved", "resolved")
"""How the full store's conversations stand (most resolved or open, as an inbox in use)."""


def fill(engine, messages: int, contacts: int, templates: int) -> None:  # type: ignore[no-untyped-def]
    """Bulk rows through SQLAlchemy Core (the ORM would take an hour for a million)."""
    from sqlalchemy import insert

    from core import crypto
    from core.access.auth import CLI_ACTOR
    from core.models import Channel, Contact, Conversation, Message, RemoteTemplate
    from core.reports.rebuild import rebuild

    now = datetime.now(UTC)
    with engine.begin() as connection:
        channel_id = connection.execute(
            insert(Channel).values(
                name="Ventas",
                number="+34600000001",
                base_url="http://127.0.0.1:9",
                api_key_encrypted=crypto.encrypt("k"),
                api_key_hint="k",
                webhook_secret_hash="x",
                generation="cloud",
                greeting_message="",
                throughput_mps=80,
                active=True,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
    fill_agents(engine, now)
    chunk = 20_000
    for start in range(0, contacts, chunk):
        with engine.begin() as connection:
            connection.execute(
                insert(Contact),
                [
                    {
                        "channel_id": channel_id,
                        "wa_id": f"34{600000000 + k}",
                        "profile_name": f"Cliente {k}",
                        "opted_out": False,
                        "created_at": now,
                        "last_inbound_at": now - timedelta(minutes=k),
                    }
                    for k in range(start, min(start + chunk, contacts))
                ],
            )
            connection.execute(
                insert(Conversation),
                [
                    {
                        "channel_id": channel_id,
                        "contact_id": k + 1,
                        "last_message_at": now - timedelta(minutes=k),
                        "last_inbound_at": now - timedelta(minutes=k),
                        "last_message_preview": f"mensaje {k}",
                        "unread_count": k % 3,
                        **inbox_state(k, now),
                    }
                    for k in range(start, min(start + chunk, contacts))
                ],
            )
    fill_labels(engine, contacts, now)

    def message(k: int) -> dict[str, object]:
        """Even: a customer writes; odd: an agent answers in the same conversation (one in ten
        answers is a template)."""
        outbound = k % 2 == 1
        template = outbound and k % 20 == 1
        return {
            "channel_id": channel_id,
            "conversation_id": (k // 2) % contacts + 1,
            "wa_message_id": f"wamid.{k}",
            "direction": "out" if outbound else "in",
            "type": "template" if template else "text",
            "text": f"mensaje número {k}",
            "template_name": f"plantilla_{k % 40}" if template else None,
            "status": ("read", "delivered", "failed")[k % 3] if template else "read",
            "error_code": 131049 if template and k % 3 == 2 else None,
            "sent_by_user_id": (k // 2) % AGENTS + 1 if outbound else None,
            "created_at": now - timedelta(seconds=messages - k),
            "status_at": now,
        }

    for start in range(0, messages, 50_000):
        with engine.begin() as connection:
            connection.execute(
                insert(Message),
                [message(k) for k in range(start, min(start + 50_000, messages))],
            )
    with engine.begin() as connection:
        connection.execute(
            insert(RemoteTemplate),
            [
                {
                    "channel_id": channel_id,
                    "name": f"plantilla_{k}",
                    "language": "es",
                    "category": "MARKETING",
                    "status": ("APPROVED", "PENDING", "REJECTED")[k % 3],
                    "is_draft": False,
                    "created_at": now,
                    "components": [{"type": "BODY", "text": f"Hola {{{{1}}}}, oferta {k}"}],
                    "remote_modified_at": now,
                }
                for k in range(templates)
            ],
        )
    started = time.monotonic()
    counted = rebuild(engine, CLI_ACTOR)
    print(
        f"counted the report rows in {time.monotonic() - started:.0f} s: {counted}", file=sys.stderr
    )


def inbox_state(k: int, now: datetime) -> dict[str, object]:
    """Conversation ``k``'s status, snooze and assignee: a third unassigned, the rest spread over
    the agents (user ids 1 to ``AGENTS``, made by :func:`fill_agents`)."""
    status = STATUSES[k % len(STATUSES)]
    return {
        "status": status,
        "snoozed_until": now + timedelta(hours=1 + k % 48) if status == "snoozed" else None,
        "assignee_id": None if k % 3 == 0 else 1 + k % AGENTS,
    }


def fill_agents(engine, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The agents the conversations are assigned to (user ids 1 to ``AGENTS``)."""
    from sqlalchemy import insert

    from core.models import User

    with engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {
                    "username": f"agente{i}",
                    "name": f"Agente {i}",
                    "email": "",
                    "password_hash": "x",
                    "role": "agent",
                    "active": True,
                    "available": True,
                    "created_at": now,
                }
                for i in range(1, AGENTS + 1)
            ],
        )


def fill_labels(engine, contacts: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Five labels, each on a tenth of the conversations."""
    from sqlalchemy import insert

    from core.models import ConversationLabel, Label

    with engine.begin() as connection:
        connection.execute(
            insert(Label),
            [
                {"name": f"etiqueta{i}", "color": "#4e79a7", "created_by": "", "created_at": now}
                for i in range(1, LABELS + 1)
            ],
        )
        connection.execute(
            insert(ConversationLabel),
            [{"conversation_id": k + 1, "label_id": 1 + k % LABELS} for k in range(0, contacts, 2)],
        )


def views() -> dict[str, tuple[object, object]]:
    """The inbox's filtered lists, each as (who asks, filter), as the conversation list asks."""
    from core.access.auth import CLI_ACTOR, Actor
    from core.conversations.threads import ConversationFilter
    from core.conversations.views import View
    from core.models import ConversationStatus, Role

    agent = Actor(username="agente1", role=Role.AGENT, user_id=1)
    return {
        "mine": (agent, ConversationFilter(view=View.MINE)),
        "agent_default": (agent, ConversationFilter()),
        "unassigned": (agent, ConversationFilter(view=View.UNASSIGNED)),
        "open": (CLI_ACTOR, ConversationFilter(status=ConversationStatus.OPEN)),
        "pending": (CLI_ACTOR, ConversationFilter(status=ConversationStatus.PENDING)),
        "snoozed": (CLI_ACTOR, ConversationFilter(status=ConversationStatus.SNOOZED)),
        "member": (CLI_ACTOR, ConversationFilter(assignee_id=2)),
        "label": (CLI_ACTOR, ConversationFilter(label_id=1)),
        "label_open": (CLI_ACTOR, ConversationFilter(label_id=1, status=ConversationStatus.OPEN)),
        "channel_resolved": (
            CLI_ACTOR,
            ConversationFilter(channel_id=1, status=ConversationStatus.RESOLVED),
        ),
    }


def time_views() -> dict[str, float]:
    """p95 of each filtered view's first page, and of the counts per view, in this process."""
    from functools import partial

    from sqlmodel import Session

    from core import db
    from core.conversations.threads import list_conversations
    from core.conversations.views import view_counts

    asked = views()
    with Session(db.get_engine()) as session:
        figures = {
            name: p95(partial(list_conversations, session, actor, filters))
            for name, (actor, filters) in asked.items()
        }
        figures["counts"] = p95(partial(view_counts, session, asked["mine"][0]))
    return figures


def p95(run: Callable[[], object]) -> float:
    times = []
    for _ in range(WARM_UP + RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(times[WARM_UP:], n=20)[18]


def time_page(page: str) -> tuple[float, float]:
    """p95 of one page's runs in this process, on the store the environment names: wall time,
    and the CPU time this process spent (what the page costs whatever else the machine runs)."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from core.access.auth import CLI_ACTOR

    # AppTest itself sets session state before its script runs, which Streamlit warns about
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR
    )
    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # as the server runs pages: through st.navigation only
    # A page run on its own has no menu for its links to name (home links to every page): the
    # links are drawn as nothing, all else as the server runs it.
    st.page_link = lambda *args, **kwargs: None
    times, cpu_times = [], []
    for _ in range(WARM_UP + RUNS):
        at = AppTest.from_file(str(PROJECT_DIR / page), default_timeout=120)
        at.session_state["actor"] = CLI_ACTOR
        at.session_state["language"] = "es"
        started, cpu_started = time.perf_counter(), time.process_time()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
    return tuple(statistics.quantiles(kept[WARM_UP:], n=20)[18] for kept in (times, cpu_times))  # type: ignore[return-value]


def prepare(folder: str, fill_store: bool) -> dict[str, str]:
    """A migrated store in ``folder`` (filled or empty); the environment that names it."""
    env = {**os.environ, "DATA_DIR": folder, "DATABASE_URL": f"sqlite:///{folder}/whatsapp.db"}
    os.environ.update(env)
    from core import config, db

    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.migrate()
    if fill_store:
        started = time.monotonic()
        fill(db.get_engine(), MESSAGES, CONTACTS, TEMPLATES)
        print(f"filled the store in {time.monotonic() - started:.0f} s", file=sys.stderr)
    db.get_engine().dispose()
    return env


def timed_apart(page: str, env: dict[str, str]) -> tuple[float, float]:
    """:func:`time_page` in a fresh process: what one page costs does not depend on which pages
    (and how many test sessions) this process ran before."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.pages", "time", page],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall, cpu = output.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def views_apart(env: dict[str, str]) -> dict[str, float]:
    """:func:`time_views` in a fresh process on the store ``env`` names."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.pages", "views"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    if argv[:1] == ["time"]:
        print(*time_page(argv[1]))
        return
    if argv[:1] == ["views"]:
        print(json.dumps(time_views()))
        return
    with (
        tempfile.TemporaryDirectory(prefix="bench-pages-") as empty_folder,
        tempfile.TemporaryDirectory(prefix="bench-pages-") as full_folder,
    ):
        empty_env = prepare(empty_folder, fill_store=False)
        full_env = prepare(full_folder, fill_store=True)
        figures: dict[str, float] = {}
        chosen = [page for page in PAGES if not argv or Path(page).stem in argv]
        for page in chosen:  # each page on both stores one after the other: the same noise
            (empty, empty_cpu), (full, full_cpu) = (
                timed_apart(page, empty_env),
                timed_apart(page, full_env),
            )
            name = Path(page).stem
            figures[f"{name}_p95_ms"] = round(full, 1)
            figures[f"{name}_ratio_to_empty"] = round(full / empty, 2)
            figures[f"{name}_cpu_p95_ms"] = round(full_cpu, 1)
            figures[f"{name}_cpu_ratio_to_empty"] = round(full_cpu / empty_cpu, 2)
        if not argv or "inbox" in argv:
            empty_views, full_views = views_apart(empty_env), views_apart(full_env)
            for view, full in full_views.items():
                figures[f"inbox_{view}_p95_ms"] = round(full, 1)
                figures[f"inbox_{view}_ratio_to_empty"] = round(full / empty_views[view], 2)
    record("pages" if chosen == PAGES else "pages:" + ",".join(argv), figures)


if __name__ == "__main__":
    main(sys.argv[1:])
