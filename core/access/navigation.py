"""Which pages exist and who may open them. The menu is built from this, per role.

Pages themselves check again when they run (a URL typed by hand is not a permission).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.access.auth import Actor, Permission


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project directory
    title_key: str  # translation key of the menu entry
    icon: str
    permission: Permission | None  # None: every logged-in user
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "nav.home", ":material/home:", None, "home"),
    PageSpec(
        "pages/conversations.py",
        "viewer.nav",
        ":material/chat:",
        Permission.VIEW_CONVERSATIONS,
        "conversations",
    ),
    PageSpec(
        "pages/inbox_settings.py",
        "inbox_pages.nav",
        ":material/label:",
        Permission.MANAGE_INBOX,
        "inbox-settings",
    ),
    PageSpec(
        "pages/template_builder.py",
        "template_pages.nav.builder",
        ":material/edit_note:",
        Permission.EDIT_TEMPLATES,
        "template-builder",
    ),
    PageSpec(
        "pages/template_status.py",
        "template_pages.nav.status",
        ":material/fact_check:",
        Permission.VIEW_TEMPLATES,
        "template-status",
    ),
    PageSpec(
        "pages/workspace_templates.py",
        "template_pages.nav.workspace",
        ":material/inventory_2:",
        Permission.VIEW_TEMPLATES,
        "workspace-templates",
    ),
    PageSpec(
        "pages/channels.py",
        "channels.nav",
        ":material/forum:",
        Permission.MANAGE_CHANNELS,
        "channels",
    ),
    PageSpec(
        "pages/campaigns.py",
        "campaign_page.nav",
        ":material/campaign:",
        Permission.VIEW_CAMPAIGNS,
        "campaigns",
    ),
    PageSpec(
        "pages/reports.py",
        "nav.reports",
        ":material/monitoring:",
        Permission.VIEW_REPORTS,
        "reports",
    ),
    PageSpec("pages/users.py", "nav.users", ":material/group:", Permission.MANAGE_USERS, "users"),
    PageSpec("pages/api.py", "api_page.nav", ":material/api:", Permission.MANAGE_USERS, "api"),
    PageSpec("pages/audit.py", "nav.audit", ":material/history:", Permission.VIEW_AUDIT, "audit"),
    PageSpec("pages/account.py", "nav.account", ":material/shield_person:", None, "account"),
)


def visible_pages(actor: Actor) -> list[PageSpec]:
    """The pages ``actor`` may open, in menu order."""
    return [page for page in PAGES if page.permission is None or actor.can(page.permission)]
