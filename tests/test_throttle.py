"""Password guessing stopped: counters per username and address, doubling waits, the cap, unlock,
and the client address believed only from trusted proxies."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core import db
from core.access import login, throttle
from core.access.addresses import client_address
from core.access.auth import CLI_ACTOR, Actor, PermissionDenied
from core.models import AuditEntry, Role, utcnow

ADDRESS = "203.0.113.7"


def fail(session: Session, times: int, username: str = "admin1", address: str = ADDRESS, now=None):
    started = None
    for _ in range(times):
        started = throttle.record_failure(session, username, address, now=now)
    return started


def test_five_failures_are_free_and_the_sixth_waits_a_minute(session: Session) -> None:
    assert fail(session, 5) is None
    assert throttle.remaining_wait(session, "admin1", "198.51.100.1") is None
    assert fail(session, 1) == throttle.FIRST_WAIT
    wait = throttle.remaining_wait(session, "admin1", "198.51.100.1")
    assert wait is not None and timedelta(seconds=55) < wait <= throttle.FIRST_WAIT


def test_the_address_waits_whatever_name_it_tries(session: Session) -> None:
    for number in range(6):
        throttle.record_failure(session, f"guess{number}", ADDRESS)
    assert throttle.remaining_wait(session, "someone-else", ADDRESS) is not None
    assert throttle.remaining_wait(session, "someone-else", "198.51.100.1") is None


def test_each_further_failure_doubles_the_wait_up_to_an_hour() -> None:
    waits = [throttle.wait_for(failures) for failures in range(5, 14)]
    assert waits[:4] == [timedelta(0), *(timedelta(minutes=m) for m in (1, 2, 4))]
    assert waits[-1] == throttle.LONGEST_WAIT == timedelta(hours=1)
    assert throttle.wait_for(500) == timedelta(hours=1)


def test_a_failure_after_a_wait_doubles_it(session: Session) -> None:
    start = utcnow()
    fail(session, 6, now=start)
    later = start + timedelta(minutes=2)  # the first wait is over; the count is not forgotten
    assert throttle.remaining_wait(session, "admin1", ADDRESS, now=later) is None
    assert throttle.record_failure(session, "admin1", ADDRESS, now=later) == timedelta(minutes=2)


def test_quiet_time_forgets_the_count(session: Session) -> None:
    start = utcnow()
    fail(session, 4, now=start)
    after_window = start + throttle.WINDOW + timedelta(seconds=1)
    assert fail(session, 5, now=after_window) is None  # counting again from one
    fail(session, 1, now=after_window)
    quiet = after_window + throttle.FIRST_WAIT + throttle.WINDOW + timedelta(seconds=1)
    assert throttle.record_failure(session, "admin1", ADDRESS, now=quiet) is None


def test_a_good_login_forgets_the_name_not_the_address(session: Session, team) -> None:
    fail(session, 5)
    login.succeed(session, "admin1", "pytest", "a-browser")
    assert throttle.record_failure(session, "admin1", "198.51.100.1") is None
    assert throttle.record_failure(session, "other", ADDRESS) == throttle.FIRST_WAIT


def test_unknown_names_are_counted_and_refused_alike(session: Session) -> None:
    fail(session, 5, username="nobody-here")
    refused = login.failed(session, "nobody-here", "198.51.100.1")
    assert refused.key == "login.locked" and "1 min" in refused.message("en")
    again = login.refusal(session, "nobody-here", "198.51.100.2")
    assert again is not None and again.key == "login.locked"


def test_every_lock_is_audited_and_admins_list_and_lift_them(session: Session, team) -> None:
    fail(session, 6)
    locked = throttle.locks(session, team[Role.ADMIN])
    assert {(lock.kind, lock.name) for lock in locked} == {
        ("user", "admin1"),
        ("address", ADDRESS),
    }
    actions = session.exec(select(AuditEntry.action, AuditEntry.target)).all()
    assert ("login.locked", "user:admin1") in actions
    assert throttle.unlock_user(session, team[Role.ADMIN], "Admin1")
    assert [lock.kind for lock in throttle.locks(session, team[Role.ADMIN])] == ["address"]
    assert ("login.unlock", "user:admin1") in session.exec(
        select(AuditEntry.action, AuditEntry.target)
    ).all()
    assert not throttle.unlock_user(session, CLI_ACTOR, "admin1")


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MANAGER, Role.AGENT])
def test_only_admins_see_and_lift_locks(session: Session, team: dict[Role, Actor], role) -> None:
    with pytest.raises(PermissionDenied):
        throttle.locks(session, team[role])
    with pytest.raises(PermissionDenied):
        throttle.unlock_user(session, team[role], "admin1")


def test_servers_share_the_counters(engine) -> None:
    """Two servers are two connections to one store: each sees the other's failures."""
    for _ in range(3):
        with db.session_scope(engine) as first:
            throttle.record_failure(first, "admin1", ADDRESS)
        with db.session_scope(engine) as second:
            throttle.record_failure(second, "admin1", ADDRESS)
    with db.session_scope(engine) as third:
        assert throttle.remaining_wait(third, "admin1", "198.51.100.1") is not None


def test_cli_unlocks_a_username(run_cli, engine) -> None:
    with db.session_scope(engine) as session:
        fail(session, 6)
    unlocked = run_cli("users", "unlock", "admin1", "--json")
    assert unlocked.returncode == 0, unlocked.stderr
    assert '"unlocked": true' in unlocked.stdout
    with db.session_scope(engine) as session:
        assert throttle.remaining_wait(session, "admin1", "198.51.100.1") is None


PROXY = "10.0.0.5"


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert client_address(PROXY, "1.2.3.4", ()) == PROXY
    assert client_address("198.51.100.9", "1.2.3.4", ["10.0.0.0/8"]) == "198.51.100.9"


def test_the_right_most_untrusted_hop_is_the_client() -> None:
    # the client may write anything left of what our proxies appended
    assert client_address(PROXY, "6.6.6.6, 1.2.3.4", ["10.0.0.0/8"]) == "1.2.3.4"
    assert client_address(PROXY, "1.2.3.4, 10.0.0.9", ["10.0.0.0/8"]) == "1.2.3.4"
    assert client_address(PROXY, "", ["10.0.0.0/8"]) == PROXY


def test_no_address_means_this_machine() -> None:
    """Streamlit reports no address for a browser on the same machine (``st.context.ip_address``)."""
    assert client_address(None, "1.2.3.4", ()) == "127.0.0.1"
    assert client_address(None, "1.2.3.4", ["127.0.0.1"]) == "1.2.3.4"


def test_a_misspelt_trusted_proxy_fails_loudly() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        client_address(PROXY, "1.2.3.4", ["10.0.0.300"])
