"""The Users page as an admin uses it."""

from core import db
from core.access import users
from core.models import Role
from tests.pages.conftest import texts


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
