"""The eight pages: each a function that Streamlit runs with the context of the script run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import streamlit as st

from lom.db import measures
from lom.ui import shell
from lom.ui.pages import about, accessibility, data, overview, profile, submit, trends, watchlist


@dataclass(frozen=True)
class PageSpec:
    """A page of the navigation: its module, title, URL path, icon and who may open it."""

    module: ModuleType
    title: str
    url_path: str
    icon: str
    tsn_only: bool = False

    @property
    def name(self) -> str:
        return self.module.__name__.rsplit(".", 1)[-1]


PAGES = (
    PageSpec(overview, "Översikt", "oversikt", ":material/dashboard:"),
    PageSpec(
        watchlist, measures.label("closing_balance_sek"), "outnyttjade-medel", ":material/savings:", tsn_only=True
    ),
    PageSpec(profile, "Myndighetsprofil", "myndighetsprofil", ":material/account_balance:"),
    PageSpec(trends, "Utveckling", "utveckling", ":material/trending_up:"),
    PageSpec(data, "Data och inläsning", "data", ":material/upload_file:", tsn_only=True),
    PageSpec(submit, submit.TITLE, "skicka-in", ":material/send:"),
    PageSpec(about, "Om måtten", "om-matten", ":material/menu_book:"),
    PageSpec(accessibility, accessibility.TITLE, "tillganglighet", ":material/accessibility:"),
)
BY_NAME = {spec.name: spec for spec in PAGES}
DEFAULT = "oversikt"


def page(spec: PageSpec, context: Callable[[], shell.Context | None]) -> st.Page:
    """Return the Streamlit page that renders `spec` with the context of this run."""

    def run() -> None:
        with shell.page_guard():
            spec.module.render(context())

    run.__name__ = spec.name
    return st.Page(run, title=spec.title, url_path=spec.url_path, icon=spec.icon, default=spec.url_path == DEFAULT)
