"""Uppföljning in a real browser: on the served watchlist, Debian's headless Chromium sees the
overdue follow-ups and the log's columns, types an entry into the form, saves it, and finds it in
the history; a screenshot is saved as uppfoljning.png (to LOM_SCREENSHOT_DIR, else a temporary folder)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lom.followup import log, store
from lom.queries import watchlist
from lom.queries.connection import connect

from .served import serve
from .test_browser import browser, chromium, screenshots  # noqa: F401  fixtures

pytestmark = pytest.mark.browser


def test_staff_save_an_entry_and_see_it_in_the_history(sample_db, tmp_path, browser, screenshots):  # noqa: F811
    chromium()
    where = tmp_path / "followup.sqlite"
    with connect(sample_db) as con:
        flags = watchlist.idle_fund_flags(con, 2025, role="tsn").sort("reserve_years", descending=True)
    flagged = flags["org_nr"].unique(maintain_order=True).to_list()  # as the watchlist lists them
    shown, late = flagged[0], flagged[1]
    kept = store.open_store(str(where))
    earlier = datetime.now(UTC) - timedelta(days=40)
    for org_nr, status, note in [
        (late, log.Status.CONTACTED, "Lovade att återkomma med en plan."),
        (shown, log.Status.CONTACTED, "Första samtal med HR: reserven är tänkt för en flytt 2027."),
    ]:
        entry = log.Entry(org_nr, status, (earlier + timedelta(days=30)).date(), note)
        log.append(kept, entry, role="tsn", writer="handlaggare@tsn.example", now=earlier)
    with serve(sample_db, tmp_path / "streamlit.log", LOM_FOLLOWUP_DB=str(where)) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 3300}, locale="sv-SE")
        try:
            page.goto(f"{url}/outnyttjade-medel?myndighet={shown}")
            page.get_by_text("Försenade uppföljningar (2)").wait_for(timeout=60_000)
            form = page.locator("[data-testid='stForm']")
            form.wait_for(timeout=60_000)
            form.locator("[data-testid='stSelectbox']").click()
            page.get_by_role("option", name="Möte bokat").click()
            form.get_by_label("Anteckning").fill("Möte bokat med myndighetens LOM-samordnare.")
            form.get_by_label("Myndighetens plan").fill("Informationsinsats till alla chefer under våren.")
            form.get_by_role("button", name="Spara").click()
            page.get_by_text("Sparat i uppföljningen").wait_for(timeout=60_000)
            page.get_by_text("2 anteckningar, den senaste först").wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            assert form.get_by_label("Anteckning").input_value() == ""  # ready for the next entry
            page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=screenshots / "uppfoljning.png")
            assert page.locator("[data-testid='stException']").count() == 0
        finally:
            page.close()
    entries = log.history(kept, shown, role="tsn")
    assert entries["note"].to_list()[0] == "Möte bokat med myndighetens LOM-samordnare."
    assert entries["written_by"].to_list()[0] == "lokal användare (ingen inloggning)"
