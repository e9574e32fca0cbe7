"""``python -m core conversations|canned|contacts``: the team inbox from the command line, as an
operator runs it, on the test store. Most commands run in this process (``run_cli``: the same
``main``, output and exit status, without an interpreter started per command); one test starts
the real process."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from core import db
from core.conversations import labels
from core.models import ConversationNote, Message, OutboundJob, Role, utcnow
from tests.inbox.helpers import customer_writes


def test_list_assign_status_label_as_json(run_cli, engine, team, agents, channel_id) -> None:
    customer_writes(engine, channel_id, "wamid.1", wa_id="111", name="Ana")
    customer_writes(engine, channel_id, "wamid.2", wa_id="222", name="Beto")
    with db.session_scope(engine) as session:
        labels.create_label(session, team[Role.ADMIN], "VIP", "#ff0000")
    listed = json.loads(run_cli("conversations", "list", "--json").stdout)
    assert [(r["contact"], r["status"], r["assignee"], r["unread"]) for r in listed] == [
        ({"wa_id": "222", "name": "Beto"}, "open", None, 1),
        ({"wa_id": "111", "name": "Ana"}, "open", None, 1),
    ]
    assert set(listed[0]) == {
        "id", "channel_id", "contact", "status", "assignee", "labels", "last_message_at", "unread"
    }  # fmt: skip
    beto, ana = listed[0]["id"], listed[1]["id"]
    assert run_cli("conversations", "assign", str(beto), "--to", "agent2").returncode == 0
    assert run_cli("conversations", "label", str(ana), "--add", "vip").returncode == 0
    until = (utcnow() + timedelta(hours=2)).isoformat()
    snoozed = run_cli("conversations", "status", str(ana), "snoozed", "--until", until, "--json")
    assert json.loads(snoozed.stdout)["status"] == "snoozed", snoozed.stderr

    def ids(*filters: str) -> list[int]:
        result = run_cli("conversations", "list", "--json", *filters)
        assert result.returncode == 0, result.stderr
        return [row["id"] for row in json.loads(result.stdout)]

    assert ids("--assignee", "agent2") == [beto]
    assert ids("--assignee", "none") == [ana]
    assert ids("--label", "VIP", "--status", "snoozed") == [ana]
    assert ids("--status", "open", "--channel", str(channel_id)) == [beto]
    assert ids("--as", "agent1") == [ana]  # an agent sees theirs and the unassigned
    missing = run_cli("conversations", "list", "--label", "nope")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: There is no label nope."


def test_an_agent_may_not_take_anothers_conversation(run_cli, engine, agents, channel_id) -> None:
    customer_writes(engine, channel_id, "wamid.1", wa_id="111")
    conversation = json.loads(run_cli("conversations", "list", "--json").stdout)[0]["id"]
    assert run_cli("conversations", "assign", str(conversation), "--to", "agent1").returncode == 0
    refused = run_cli(
        "conversations", "assign", str(conversation), "--to", "agent2", "--as", "agent2"
    )
    assert refused.returncode == 1 and "assigned to another team member" in refused.stderr
    bad_time = run_cli(
        "conversations", "status", str(conversation), "snoozed", "--until", "tomorrow"
    )
    assert bad_time.returncode == 1 and "--until takes an ISO time" in bad_time.stderr


def test_note_and_reply(run_cli, engine, team, channel_id) -> None:
    customer_writes(engine, channel_id, "wamid.1", wa_id="111")
    conversation = json.loads(run_cli("conversations", "list", "--json").stdout)[0]["id"]
    noted = run_cli("conversations", "note", str(conversation), "--text", "VIP", "--as", "agent1")
    assert json.loads(
        run_cli("conversations", "note", str(conversation), "--text", "x", "--json").stdout
    )
    assert noted.returncode == 0, noted.stderr
    replied = run_cli("conversations", "reply", str(conversation), "--text", "Hola", "--json")
    assert json.loads(replied.stdout)["status"] == "queued"
    with Session(engine) as session:
        authors = session.exec(select(ConversationNote.author)).all()
        assert sorted(authors) == ["agent1", "cli"]
        jobs = session.exec(select(OutboundJob)).all()
        assert len(jobs) == 1  # the reply; notes are never sent
        assert session.get(Message, jobs[0].message_id).text == "Hola"


def test_a_reply_outside_the_window_is_refused(cli, engine, channel_id) -> None:
    """Real processes: ``python -m core`` answers JSON on stdout, and a refusal in one line on
    stderr with exit status 1."""
    customer_writes(engine, channel_id, "wamid.old", wa_id="111", at=utcnow() - timedelta(days=2))
    conversation = json.loads(cli("conversations", "list", "--json").stdout)[0]["id"]
    refused = cli("conversations", "reply", str(conversation), "--text", "Hola")
    assert refused.returncode == 1 and "approved template" in refused.stderr


def test_canned_replies(run_cli, team) -> None:
    added = run_cli("canned", "add", "--shortcut", "hola", "--text", "Hola {{name}}", "--json")
    assert json.loads(added.stdout)["shortcut"] == "hola", added.stderr
    refused = run_cli("canned", "add", "--shortcut", "x", "--text", "y", "--as", "agent1")
    assert refused.returncode == 1 and "may not manage_inbox" in refused.stderr
    listed = json.loads(run_cli("canned", "list", "--json").stdout)
    assert [(r["shortcut"], r["text"]) for r in listed] == [("hola", "Hola {{name}}")]


def test_contacts_show_and_set(run_cli, engine, team, channel_id) -> None:
    customer_writes(engine, channel_id, "wamid.1", wa_id="5493415551234", name="Marta")
    changed = run_cli("contacts", "set", "+54 9 341 555-1234", "--attr", "plan=oro", "--json")
    assert json.loads(changed.stdout)["attributes"] == {"plan": "oro"}, changed.stderr
    shown = json.loads(run_cli("contacts", "show", "5493415551234", "--json").stdout)
    assert (shown["name"], shown["attributes"], shown["opted_out"]) == (
        "Marta",
        {"plan": "oro"},
        False,
    )
    assert shown["channel_name"] == "Ventas" and shown["first_seen"]
    unknown = run_cli("contacts", "show", "999")
    assert unknown.returncode == 1 and unknown.stderr.strip() == "error: No conversation with 999."
