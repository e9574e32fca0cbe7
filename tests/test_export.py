"""``python -m core messages export``: one record per message, as jsonl or csv."""

import csv
import io
import json
import subprocess
import sys

from core.access.auth import CLI_ACTOR
from core.conversations import export
from core.webhooks import processor, receiver
from tests.conftest import PROJECT_DIR
from tests.d360.helpers import load
from tests.store_helpers import WEBHOOK_SECRET, make_channel


def stored_messages(engine) -> int:
    channel = make_channel(engine, phone_number_id=None, number="+250788123200")
    for index, name in enumerate(("cloud_webhook__hello.json", "cloud_webhook__document.json")):
        body = load(f"courier/{name}")
        body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.{index}"
        receiver.receive(engine, channel.id, WEBHOOK_SECRET, json.dumps(body).encode())
    processor.process_pending(engine)
    return channel.id


def test_records_carry_what_the_issue_lists(engine) -> None:
    channel_id = stored_messages(engine)
    rows = list(export.records(engine, CLI_ACTOR, channel_id=channel_id))
    assert [(r["type"], r["direction"], r["contact_wa_id"]) for r in rows][0] == (
        "text",
        "in",
        "5678",
    )
    assert rows[0]["text"] == "Hello World" and rows[0]["contact_name"] == "Kerry Fisher"
    document = rows[1]
    assert document["type"] == "document" and document["media_mime_type"]
    assert set(rows[0]) == set(export.FIELDS)
    assert list(export.records(engine, CLI_ACTOR, channel_id=channel_id + 1)) == []


def test_csv_and_jsonl_from_the_command_line(engine, app_settings) -> None:
    stored_messages(engine)
    env = {
        "DATA_DIR": str(app_settings.data_dir),
        "DATABASE_URL": app_settings.database_url,
        "PATH": "/usr/bin:/bin",
    }
    for fmt in ("jsonl", "csv"):
        result = subprocess.run(
            [sys.executable, "-m", "core", "messages", "export", "--format", fmt],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        if fmt == "jsonl":
            lines = [json.loads(line) for line in result.stdout.splitlines()]
        else:
            lines = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [line["text"] for line in lines][0] == "Hello World"
        assert len(lines) == 2
