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
    """The home page ends with the pages the role can open, in the menu's order."""
    menu = [
        "Conversations",
        "Labels & replies",
        "Template builder",
        "Template status",
        "Workspace templates",
        "Channels",
        "Campaigns",
        "Reports",
        "Users",
        "API and webhooks",
        "Audit log",
        "My account",
    ]
    admin = [link.label for link in open_dashboard(roles[Role.ADMIN]).get("page_link")]
    assert admin[-len(menu) :] == menu
    agent = [link.label for link in open_dashboard(roles[Role.AGENT]).get("page_link")]
    assert agent[-2:] == ["Conversations", "My account"]
    assert "Users" not in agent
