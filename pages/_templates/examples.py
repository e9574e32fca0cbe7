"""The sample value of each variable of a text, which WhatsApp's reviewers read in its place.

Shared by the template's header and body and by each carousel card's body."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.i18n import t
from core.templates.anatomy import ordered_variables


def example_input(name: str, key: str, column: DeltaGenerator | None = None) -> None:
    label = t("template_pages.builder.example_for", variable="{{" + name + "}}")
    (column if column is not None else st).text_input(label, key=key)


def examples_row(text: str, prefix: str) -> None:
    """One example input per variable of ``text`` (keys ``<prefix><variable>``), three a row."""
    variables = ordered_variables(text)
    if not variables:
        return
    st.caption(t("template_pages.builder.examples_intro"))
    columns = st.columns(min(len(variables), 3))
    for position, name in enumerate(variables):
        example_input(name, f"{prefix}{name}", columns[position % len(columns)])
