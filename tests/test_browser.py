"""The served app in a real browser: Debian's headless Chromium opens every page, finds its Swedish
title and a rendered chart, and saves a screenshot (to LOM_SCREENSHOT_DIR, else a temporary folder).

Without the browser the test skips on a developer's machine and fails under CI (CI=true), where
.ci/run installs the `chromium` package.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from .served import serve

pytestmark = pytest.mark.browser

# url path and the title the page must show (the profile is titled by the first agency's name)
PAGES = [
    ("", "Översikt 2025"),
    ("outnyttjade-medel", "Outnyttjade medel 2025"),
    ("myndighetsprofil", "Björkvalla samlingar 2025"),
    ("utveckling", "Utveckling"),
    ("data", "Data och inläsning"),
    ("om-matten", "Om måtten"),
]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def served(sample_db, tmp_path_factory):
    """The app served by `streamlit run` on the sample database; its URL."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with serve(sample_db, log) as url:
        yield url
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("LOM_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p[0] or "oversikt" for p in PAGES])
def test_every_page_shows_its_title_and_a_rendered_chart(served, browser, screenshots, path, title):
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="sv-SE")
    try:
        page.goto(f"{served}/{path}")
        heading = page.locator("h1").first
        heading.wait_for(timeout=60_000)
        assert heading.inner_text().startswith(title)
        # Vega draws the chart, its axes and its title into an SVG or a canvas once it has rendered.
        chart = page.locator(".vega-embed").first
        chart.locator("canvas, svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(800)
        # Streamlit scrolls inside the page, so a tall window rather than full_page shows it all.
        page.screenshot(path=screenshots / f"{path or 'oversikt'}.png")
        assert chart.bounding_box()["height"] > 100
        # Drawn, not just placed: axes, marks and title give the chart many colours.
        drawn = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
        assert len(set(drawn.get_flattened_data())) > 20
        assert page.get_by_text("Traceback").count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
        assert (screenshots / f"{path or 'oversikt'}.png").stat().st_size > 20_000
    finally:
        page.close()


@pytest.mark.parametrize("path", ["", "myndighetsprofil"], ids=["oversikt", "profil"])
def test_the_demo_switch_shows_an_agencys_view_with_pseudonyms(served, browser, screenshots, path):
    """Locally, the demo switch shows the app as an agency sees it, marked as a demo."""
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="sv-SE")
    try:
        page.goto(f"{served}/{path}")
        page.locator("h1").first.wait_for(timeout=60_000)
        page.get_by_text("Visa som myndighet").first.click()
        page.get_by_text("Demoläge").first.wait_for(timeout=60_000)
        page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1200)
        shot = screenshots / f"myndighet-{path or 'oversikt'}.png".replace("myndighetsprofil", "profil")
        page.screenshot(path=shot)
        navigation = page.locator("[data-testid='stSidebarNav']")
        assert navigation.get_by_text("Översikt").count() == 1
        assert navigation.get_by_text("Outnyttjade medel").count() == 0  # TSN's pages are not offered
        assert navigation.get_by_text("Data och inläsning").count() == 0
        assert page.get_by_text("None", exact=True).count() == 0  # hidden figures read ..
        assert page.locator("[data-testid='stException']").count() == 0
        assert shot.stat().st_size > 20_000
        if path:  # the profile: the agency's own kronor, at the top
            closing = page.locator("[data-testid='stMetric']", has_text="Utgående saldo").first
            assert re.fullmatch(r"Utgående saldo\s+−?\d{1,3}(\s\d{3})*\skr", closing.inner_text().strip())

    finally:
        page.close()


def test_the_application_flow_and_the_applicants_as_an_agency_sees_them(served, browser, screenshots):
    """The agency's profile: the flow from received to decided, granted, withdrawn and pending, and
    the applicants by gender and age, each beside all agencies, drawn and saved for the README."""
    page = browser.new_page(viewport={"width": 1400, "height": 9000}, locale="sv-SE")
    try:
        page.goto(f"{served}/myndighetsprofil")
        page.locator("h1").first.wait_for(timeout=60_000)
        page.get_by_text("Visa som myndighet").first.click()
        page.get_by_text("Demoläge").first.wait_for(timeout=60_000)
        flow = page.locator("h2", has_text="Ansökningarnas väg").first
        groups = page.locator("h2", has_text="Sökande efter kön och ålder").first
        after = page.locator("h2", has_text="med osäkerhet").first
        after.wait_for(timeout=60_000)
        page.locator(".vega-embed canvas, .vega-embed svg").nth(4).wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        sections = {
            "myndighet-ansokningarnas-vag.png": (flow, groups),
            "myndighet-kon-och-alder.png": (groups, after),
        }
        for name, (start, end) in sections.items():
            top, bottom = start.bounding_box()["y"] - 12, end.bounding_box()["y"] - 8
            assert bottom - top > 300, name
            charts = [
                box
                for box in (c.bounding_box() for c in page.locator(".vega-embed").all())
                if box and top <= box["y"] <= bottom
            ]
            assert charts and all(box["height"] > 100 for box in charts), name
            page.screenshot(path=screenshots / name, clip={"x": 0, "y": top, "width": 1400, "height": bottom - top})
            assert (screenshots / name).stat().st_size > 20_000
        assert page.get_by_text("None", exact=True).count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()
