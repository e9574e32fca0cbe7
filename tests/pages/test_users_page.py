"""The Users page as an admin uses it."""

from core import db
from core.access import sessions, users
from core.models import Role
from tests.pages.conftest import BINDING, session_token, texts


def test_admin_adds_a_user_with_a_generated_password(run_page, roles, engine) -> None:
    at = run_page("pages/users.py", roles[Role.ADMIN])
    inputs = {field.label: field for field in at.text_input}
    inputs["Username"].input("carla")
    inputs["Name"].input("Carla Gómez")
    at.selectbox[0].select("marketer")
    at.button[0].click()
    at.run()
    assert "User carla added." in texts(at)
    shown = [message.value for message in at.info if "carla" in message.value]
    assert shown, "the generated password is shown once"
    password = shown[0].split("`")[1]
    with db.session_scope(engine) as session:
        assert users.verify_password(session, "carla", password)
        assert users.get_user(session, "carla").role == Role.MARKETER
    assert "carla" in at.dataframe[0].value["Username"].tolist()


def test_admin_sees_the_rule_broken(run_page, roles) -> None:
    at = run_page("pages/users.py", roles[Role.ADMIN])
    inputs = {field.label: field for field in at.text_input}
    inputs["Username"].input("x y")
    at.button[0].click()
    at.run()
    assert "A username has 2 to 64 characters" in texts(at)


def test_admin_changes_a_role_and_deactivates(run_page, roles, engine) -> None:
    at = run_page("pages/users.py", roles[Role.ADMIN])
    at.selectbox(key="manage_user").select("agent1")
    at.run()
    at.selectbox(key="manage_role").select("manager")
    next(b for b in at.button if b.label == "Change role").click()
    at.run()
    assert "agent1 is now Manager." in texts(at)
    next(b for b in at.button if b.label == "Deactivate").click()
    at.run()
    assert "agent1 is deactivated." in texts(at)
    with db.session_scope(engine) as session:
        agent = users.get_user(session, "agent1")
        assert agent.role == Role.MANAGER and not agent.active


def test_admin_resets_a_password(run_page, roles, engine) -> None:
    at = run_page("pages/users.py", roles[Role.ADMIN], language="es")
    at.selectbox(key="manage_user").select("agent1")
    at.run()
    at.text_input(key="manage_password").input("nueva-clave-segura")
    next(b for b in at.button if b.label == "Restablecer contraseña").click()
    at.run()
    assert "Contraseña de agent1 cambiada." in texts(at)
    with db.session_scope(engine) as session:
        assert users.verify_password(session, "agent1", "nueva-clave-segura")


def open_sessions(engine, username: str, *clients: str) -> list[str]:
    """Logins of ``username`` from these browsers, as the cookie route makes them."""
    tokens = []
    for client in clients:
        with db.session_scope(engine) as session:
            ticket = sessions.start(session, username, client, binding=BINDING)
        tokens.append(session_token(engine, ticket))
    return tokens


def still_logged_in(engine, tokens: list[str]) -> list[bool]:
    with db.session_scope(engine) as session:
        return [sessions.resolve(session, token) is not None for token in tokens]


def test_admin_sees_a_users_sessions_and_ends_one_then_all(run_page, roles, engine) -> None:
    firefox, chrome = open_sessions(engine, "agent1", "Firefox on Linux", "Chrome on Android")
    at = run_page("pages/users.py", roles[Role.ADMIN])
    at.selectbox(key="manage_user").select("agent1")
    at.run()
    assert "Open sessions" in texts(at)
    listed = at.dataframe[1].value
    assert sorted(listed["Browser"]) == ["Chrome on Android", "Firefox on Linux"]
    assert {"Logged in", "Last seen", "Expires"} <= set(listed.columns)
    picker = at.selectbox(key="session_pick")
    picker.select(next(o for o in picker.options if "Firefox" in o))
    at.button(key="end_session").click()
    at.run()
    assert "Session ended" in texts(at)
    assert still_logged_in(engine, [firefox, chrome]) == [False, True]
    assert at.dataframe[1].value["Browser"].tolist() == ["Chrome on Android"]
    at.button(key="end_all_sessions").click()
    at.run()
    assert "Sessions of agent1 ended: 1." in texts(at)
    assert "No open sessions." in texts(at)
    assert still_logged_in(engine, [firefox, chrome]) == [False, False]


def test_deactivating_from_the_page_ends_the_users_sessions(run_page, roles, engine) -> None:
    tokens = open_sessions(engine, "agent1", "Firefox")
    at = run_page("pages/users.py", roles[Role.ADMIN], language="es")
    at.selectbox(key="manage_user").select("agent1")
    at.run()
    assert "Sesiones abiertas" in texts(at)
    next(b for b in at.button if b.label == "Desactivar").click()
    at.run()
    assert still_logged_in(engine, tokens) == [False]


def test_admin_sees_a_locked_username_and_unlocks_it(run_page, roles, engine) -> None:
    from core.access import throttle

    with db.session_scope(engine) as session:
        for _ in range(throttle.FREE_FAILURES + 1):
            throttle.record_failure(session, "agent1", "203.0.113.7")
    at = run_page("pages/users.py", roles[Role.ADMIN])
    locked = at.dataframe[1].value
    assert set(locked["Locked"]) == {"agent1", "203.0.113.7"}
    at.selectbox(key="unlock_pick").select("user:agent1")
    at.button(key="unlock_login").click()
    at.run()
    assert "Username: agent1 may log in again." in texts(at)
    assert at.dataframe[1].value["Locked"].tolist() == ["203.0.113.7"]
    with db.session_scope(engine) as session:
        assert throttle.remaining_wait(session, "agent1", "198.51.100.1") is None
