"""The reports' download buttons: the agency's one-page report on Myndighetsprofil (for the agency
and for Trygghetsstiftelsen) and the national report on Översikt (Trygghetsstiftelsen only). The PDF
is typeset when the button is clicked, not at every run of the page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lom.followup.store import open_store
from lom.queries.connection import connect
from lom.report import agency, national
from lom.ui import shell

PDF_MIME = "application/pdf"
ICON = ":material/picture_as_pdf:"


def agency_button(context: shell.Context, org_nr: str) -> None:
    """Ladda ner rapport (PDF): the agency's report of the chosen year, as the agency sees it."""
    year, group, role, path = context.year, context.group, context.viewer.role, context.source.path

    def make() -> bytes:
        with connect(Path(path)) as con:
            return agency.report(con, org_nr, year, group, role=role)

    st.download_button(
        "Ladda ner rapport (PDF)",
        data=make,
        file_name=f"lom-rapport_{org_nr}_{year}.pdf",
        mime=PDF_MIME,
        on_click="ignore",
        icon=ICON,
        key="agency_report",
        help=f"En sida för mötet med parterna: myndighetens egna siffror {year} bredvid jämförelsegruppens, "
        "som myndigheten själv ser dem.",
    )


def national_button(context: shell.Context) -> None:
    """Ladda ner nationell rapport (PDF): the year's national report, for Trygghetsstiftelsen."""
    if not context.viewer.is_tsn:
        return
    year, role, path = context.year, context.viewer.role, context.source.path

    def make() -> bytes:
        with connect(Path(path)) as con:
            return national.report(con, year, open_store(), role=role)

    st.download_button(
        "Ladda ner nationell rapport (PDF)",
        data=make,
        file_name=f"lom-nationell-rapport_{year}.pdf",
        mime=PDF_MIME,
        on_click="ignore",
        icon=ICON,
        key="national_report",
        help=f"Några sidor för styrelsen: summor, utveckling, reserver, sektorer, myndigheter som erbjuds stöd {year} "
        "och uppföljningsloggen.",
    )
