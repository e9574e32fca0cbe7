"""Sends 360Dialog refused (or could not be reached for), recorded a round at a time.

While 360Dialog is unreachable every send of a round fails; recorded a transaction each (and an
ORM object each) they kept SQLite's one writer from the API's sends and the webhook intake
hundreds of times a second. :func:`record_refused` writes a round's refusals with a handful of
set-wise statements: a transient error queues the job again after a back-off while attempts
remain (its message back to "queued"); any other fails the job for good, and its message says
why in words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, update

from core.channels import changes
from core.d360.errors import D360Error
from core.db import in_row_order
from core.failures import stored_title
from core.models import Message, MessageStatus, OutboundJob, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300

JOBS = OutboundJob.__table__.c  # type: ignore[attr-defined]
MESSAGES = Message.__table__.c  # type: ignore[attr-defined]

REFUSE_JOB = (
    update(OutboundJob.__table__)  # type: ignore[arg-type]
    .where(JOBS.id == bindparam("row"))
    .values(
        state=bindparam("state"),
        next_attempt_at=bindparam("next_attempt_at"),
        finished_at=bindparam("finished_at"),
        last_error_code=bindparam("code"),
        last_error=bindparam("error"),
        claimed_until=None,
    )
)
FAIL_MESSAGE = (
    update(Message.__table__)  # type: ignore[arg-type]
    .where(MESSAGES.id == bindparam("row"))
    .values(
        status=MessageStatus.FAILED,
        status_at=bindparam("at"),
        error_code=bindparam("code"),
        error_title=bindparam("title"),
        error_details=bindparam("details"),
    )
)


@dataclass(frozen=True)
class Refused:
    """A job whose send failed, to be recorded with the others of its round."""

    job_id: int
    error: D360Error


def record_refused(connection: Connection, refused: list[Refused]) -> None:
    """Record a round's refused sends in the caller's transaction."""
    now = utcnow()
    wanted = select(JOBS.id, JOBS.attempts, JOBS.message_id, JOBS.channel_id)
    jobs = {
        row.id: row
        for row in connection.execute(wanted.where(JOBS.id.in_([r.job_id for r in refused])))
    }
    rows = {item.job_id: _refused_job(jobs[item.job_id], item.error, now) for item in refused}
    connection.execute(REFUSE_JOB, in_row_order(rows))
    retried: list[int] = []
    failed: dict[int, dict[str, Any]] = {}
    for item in refused:
        message_id = jobs[item.job_id].message_id
        if message_id is None:
            continue
        if rows[item.job_id]["state"] == "queued":
            retried.append(message_id)
        else:
            failed[message_id] = _failed_message(message_id, item.error, now)
    if retried:
        connection.execute(
            update(Message.__table__)  # type: ignore[arg-type]
            .where(MESSAGES.id.in_(retried), MESSAGES.status == MessageStatus.SENDING)
            .values(status=MessageStatus.QUEUED)
        )
    if failed:
        connection.execute(FAIL_MESSAGE, in_row_order(failed))
    changes.bump(connection, {job.channel_id for job in jobs.values() if job.message_id})


def _refused_job(job: Row[Any], error: D360Error, now: datetime) -> dict[str, Any]:
    """A refused job's row: queued again after a back-off, or failed."""
    row = {"row": job.id, "code": error.code, "error": str(error)}
    if error.is_transient and job.attempts < MAX_ATTEMPTS:
        delay = error.retry_after or min(2**job.attempts, MAX_BACKOFF_SECONDS)
        next_attempt = now + timedelta(seconds=delay)
        return row | {"state": "queued", "next_attempt_at": next_attempt, "finished_at": None}
    log.info("job %s failed for good: %s", job.id, error)
    return row | {"state": "failed", "next_attempt_at": None, "finished_at": now}


def _failed_message(message_id: int, error: D360Error, now: datetime) -> dict[str, Any]:
    """A message whose job failed for good: its status, and why in words."""
    return {
        "row": message_id,
        "at": now,
        "code": error.code,
        "title": stored_title(error),
        "details": error.details,
    }
