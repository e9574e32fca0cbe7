from datetime import timedelta

import pytest
from sqlmodel import Session

from core.access import audit
from core.access.auth import Actor, PermissionDenied
from core.models import AuditEntry, Role, utcnow


def test_search_filters_and_pages_newest_first(session: Session, team: dict[Role, Actor]) -> None:
    now = utcnow()
    for minute in range(120):
        session.add(
            AuditEntry(
                actor="ana" if minute % 2 else "luis",
                action="template.submit" if minute % 3 == 0 else "message.send",
                target=str(minute),
                at=now - timedelta(minutes=minute),
            )
        )
    session.flush()
    admin = team[Role.ADMIN]
    first = audit.search(session, admin, audit.AuditFilter(actor="ana"), page=1, page_size=25)
    assert [e.target for e in first.items[:2]] == ["1", "3"]
    assert first.has_next and not first.has_previous
    last = audit.search(session, admin, audit.AuditFilter(actor="ana"), page=3, page_size=25)
    assert len(last.items) == 10 and not last.has_next
    window = audit.AuditFilter(
        action="template.submit",
        since=now - timedelta(minutes=10),
        until=now + timedelta(seconds=1),
    )
    assert [e.target for e in audit.search(session, admin, window).items] == ["0", "3", "6", "9"]
    assert "template.submit" in audit.known_actions(session, admin)


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MANAGER, Role.AGENT])
def test_only_admins_read_the_log(session: Session, team: dict[Role, Actor], role: Role) -> None:
    with pytest.raises(PermissionDenied):
        audit.search(session, team[role], audit.AuditFilter())
