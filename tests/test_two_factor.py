"""Two-step login: set-up, the time window, no code twice, recovery codes, the admins' policy."""

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import Session, select

from core.access import login, two_factor
from core.access.auth import CLI_ACTOR, PermissionDenied
from core.access.login import SecondStep
from core.errors import UserFacingError
from core.models import AuditEntry, RecoveryCode, Role, TwoFactor, utcnow

STEP = timedelta(seconds=30)  # RFC 6238's default time step, which authenticator apps use


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The time the module reads, moved by the test; starts at the beginning of a step."""
    start = utcnow().replace(microsecond=0)
    start -= timedelta(seconds=start.second % 30)
    now = {"at": start}
    monkeypatch.setattr(two_factor, "utcnow", lambda: now["at"])
    return now


def code_at(enrolment: two_factor.Enrolment, when) -> str:
    return pyotp.TOTP(enrolment.secret).at(when)


def turn_on(session: Session, clock, username: str = "agent1"):  # type: ignore[no-untyped-def]
    enrolment = two_factor.start_enrolment(username)
    codes = two_factor.confirm(
        session, username, enrolment, code_at(enrolment, clock["at"]), username
    )
    return enrolment, codes


def test_set_up_stores_the_key_encrypted_and_gives_ten_codes(session, team, clock) -> None:
    enrolment = two_factor.start_enrolment("agent1")
    assert enrolment.uri.startswith("otpauth://totp/1980TIC%20WhatsApp:agent1?secret=")
    assert enrolment.qr_png().startswith(b"\x89PNG")
    with pytest.raises(UserFacingError) as wrong:
        two_factor.confirm(session, team[Role.AGENT], enrolment, "000000", "agent1")
    assert wrong.value.key == "two_factor.error.code_wrong"
    code = code_at(enrolment, clock["at"])
    codes = two_factor.confirm(session, team[Role.AGENT], enrolment, code, "agent1")
    assert len(codes) == len(set(codes)) == two_factor.RECOVERY_CODE_COUNT
    stored = session.exec(select(TwoFactor)).one()
    assert enrolment.secret.encode() not in stored.secret_encrypted
    hashes = session.exec(select(RecoveryCode.code_hash)).all()
    assert not {code.replace("-", "") for code in codes} & set(hashes)
    assert ("two_factor.enable", "agent1") in session.exec(
        select(AuditEntry.action, AuditEntry.target)
    ).all()


def test_a_code_works_once(session, team, clock) -> None:
    enrolment, _ = turn_on(session, clock)
    clock["at"] += STEP
    code = code_at(enrolment, clock["at"])
    assert two_factor.check(session, "agent1", code)
    assert not two_factor.check(session, "agent1", code)
    # nor does an older one, even inside the window
    assert not two_factor.check(session, "agent1", code_at(enrolment, clock["at"] - STEP))


def test_one_step_of_drift_either_side_and_no_more(session, team, clock) -> None:
    enrolment, _ = turn_on(session, clock)
    clock["at"] += 4 * STEP
    assert not two_factor.check(session, "agent1", code_at(enrolment, clock["at"] - 2 * STEP))
    assert not two_factor.check(session, "agent1", code_at(enrolment, clock["at"] + 2 * STEP))
    assert two_factor.check(session, "agent1", code_at(enrolment, clock["at"] - STEP))
    assert two_factor.check(session, "agent1", code_at(enrolment, clock["at"] + STEP))


def test_a_recovery_code_works_once(session, team, clock) -> None:
    _, codes = turn_on(session, clock)
    assert two_factor.check(session, "agent1", f"  {codes[3].upper()} ")
    assert not two_factor.check(session, "agent1", codes[3])
    assert two_factor.recovery_codes_left(session, team[Role.AGENT], "agent1") == 9
    assert not two_factor.check(session, "agent1", "00000-00000")
    renewed = two_factor.renew_recovery_codes(session, team[Role.AGENT], "agent1")
    assert not two_factor.check(session, "agent1", codes[4])  # the old ones are gone
    assert two_factor.check(session, "agent1", renewed[0])


def test_the_policy_decides_who_sets_it_up_at_login(session, team, clock) -> None:
    assert login.second_step(session, "admin1") == SecondStep.NONE
    two_factor.set_policy(session, team[Role.ADMIN], "admins")
    assert login.second_step(session, "admin1") == SecondStep.SET_UP
    assert login.second_step(session, "agent1") == SecondStep.NONE
    two_factor.set_policy(session, team[Role.ADMIN], "everyone")
    assert login.second_step(session, "agent1") == SecondStep.SET_UP
    turn_on(session, clock)
    assert login.second_step(session, "agent1") == SecondStep.CODE
    with pytest.raises(PermissionDenied):
        two_factor.set_policy(session, team[Role.MANAGER], "nobody")


def test_turning_it_off_takes_a_code_and_is_refused_while_required(session, team, clock) -> None:
    enrolment, _ = turn_on(session, clock)
    agent = team[Role.AGENT]
    with pytest.raises(UserFacingError) as no_code:
        two_factor.turn_off(session, agent, "agent1", "123456")
    assert no_code.value.key == "two_factor.error.code_wrong"
    two_factor.set_policy(session, team[Role.ADMIN], "everyone")
    clock["at"] += STEP
    with pytest.raises(UserFacingError) as required:
        two_factor.turn_off(session, agent, "agent1", code_at(enrolment, clock["at"]))
    assert required.value.key == "two_factor.error.required"
    two_factor.set_policy(session, team[Role.ADMIN], "nobody")
    two_factor.turn_off(session, agent, "agent1", code_at(enrolment, clock["at"]))
    assert not two_factor.is_enabled(session, "agent1")
    assert session.exec(select(RecoveryCode)).all() == []


def test_admins_reset_someone_who_lost_their_phone(session, team, clock) -> None:
    turn_on(session, clock)
    with pytest.raises(PermissionDenied):
        two_factor.turn_off(session, team[Role.MARKETER], "agent1")
    two_factor.turn_off(session, team[Role.ADMIN], "agent1")
    assert not two_factor.is_enabled(session, "agent1")
    with pytest.raises(UserFacingError):
        two_factor.turn_off(session, CLI_ACTOR, "agent1")


def test_cli_resets_two_step_login(run_cli, engine) -> None:
    from core import db
    from core.access.users import add_user

    with db.session_scope(engine) as session:
        add_user(session, CLI_ACTOR, "rosa", Role.ADMIN, "long-enough-password")
        enrolment = two_factor.start_enrolment("rosa")
        code = pyotp.TOTP(enrolment.secret).now()
        two_factor.confirm(session, "rosa", enrolment, code, "rosa")
    reset = run_cli("users", "2fa-reset", "rosa")
    assert reset.returncode == 0, reset.stderr
    assert "reset" in reset.stdout
    with db.session_scope(engine) as session:
        assert not two_factor.is_enabled(session, "rosa")
    again = run_cli("users", "2fa-reset", "rosa")
    assert again.returncode != 0 and "not on" in again.stderr
