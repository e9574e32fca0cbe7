"""The audit log page: entries of the team's actions, filtered."""

from core import db
from core.access import users
from core.models import Role
from tests.pages.conftest import texts


def test_admin_reads_and_filters_the_log(run_page, roles, engine) -> None:
    with db.session_scope(engine) as session:
        users.set_role(session, roles[Role.ADMIN], "agent1", Role.MANAGER)
        users.record_failed_login(session, "mallory")
    at = run_page("pages/audit.py", roles[Role.ADMIN])
    table = at.dataframe[0].value
    assert {"user.add", "user.set_role", "login.failed"} <= set(table["Action"])
    at.selectbox[0].select("login.failed")
    at.run()
    filtered = at.dataframe[0].value
    assert set(filtered["Action"]) == {"login.failed"}
    assert list(filtered["Who"]) == ["mallory"]
    at.text_input[0].input("nobody")
    at.run()
    assert "Nothing recorded for these filters." in texts(at)


def test_home_lists_what_the_role_can_open(open_dashboard, roles) -> None:
    admin = open_dashboard(roles[Role.ADMIN])
    assert [link.label for link in admin.get("page_link")] == [
        "Conversations",
        "Template builder",
        "Template status",
        "Workspace templates",
        "Channels",
        "Campaigns",
        "Users",
        "Audit log",
        "My account",
    ]
    agent = open_dashboard(roles[Role.AGENT])
    assert [link.label for link in agent.get("page_link")] == ["Conversations", "My account"]
