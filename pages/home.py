"""Home: who is signed in, the overview their role may read, and the pages they can open."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.access.navigation import visible_pages
from core.i18n import t
from pages._reports.overview import overview_section
from pages._widgets.session import page_guard


def render(actor: Actor) -> None:
    st.title(t("home.title", name=st.session_state.get("name") or actor.username))
    st.write(t("home.intro"))
    overview_section(actor)
    st.subheader(t("home.your_pages"))
    for page in visible_pages(actor):
        if page.url_path != "home":
            st.page_link(page.path, label=t(page.title_key), icon=page.icon)


render(page_guard())
