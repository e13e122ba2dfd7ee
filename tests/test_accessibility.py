"""WCAG 2.1 AA in a real browser: axe-core on every page in both roles, reflow at 320 CSS px and at
200 % zoom, and the keyboard alone from the overview to an agency's profile and a table's download.

axe-core comes bundled with the axe-playwright-python package and runs in Debian's Chromium, as the
other browser tests do (tests/test_browser.py, whose server and browser fixtures these share).
"""

from __future__ import annotations

from itertools import pairwise

import duckdb
import pytest

from .test_browser import browser, screenshots, served  # noqa: F401  fixtures

pytestmark = pytest.mark.browser

# The WCAG 2.0 and 2.1 rules of levels A and AA (axe's tags); best-practice rules are not WCAG.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TSN_PAGES = ["", "outnyttjade-medel", "myndighetsprofil", "utveckling", "data", "skicka-in"]
TSN_PAGES += ["om-matten", "tillganglighet"]
AGENCY_PAGES = ["", "myndighetsprofil", "utveckling", "skicka-in", "om-matten", "tillganglighet"]
ROLES_AND_PAGES = [("tsn", p) for p in TSN_PAGES] + [("agency", p) for p in AGENCY_PAGES]
SKIP_LINK = "Hoppa till huvudinnehållet"


def open_page(browser, url: str, path: str, role: str, size: dict | None = None, **options):  # noqa: F811
    """A new tab on the page, as Trygghetsstiftelsen or (by the demo switch) as an agency, drawn in a
    window of `size` (the demo switch is set in a wide window first: a narrow one hides the sidebar)."""
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="sv-SE", **options)
    page.goto(f"{url}/{path}")
    page.locator("h1").first.wait_for(timeout=60_000)
    if role == "agency":
        page.get_by_text("Visa som myndighet").first.click()
        page.get_by_text("Demoläge").first.wait_for(timeout=60_000)
    if size:
        page.set_viewport_size(size)
    if page.locator(".vega-embed").count() or path in ("", "myndighetsprofil", "utveckling"):
        page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(timeout=60_000)
    settle(page)
    return page


def settle(page) -> None:
    """Wait until the script run has finished: while it runs, Streamlit fades the page's elements
    (data-stale) and shows its status widget, and a faded label fails the contrast check."""
    page.wait_for_function(
        "!document.querySelector('[data-testid=stStatusWidget]') && !document.querySelector('[data-stale=true]')",
        timeout=120_000,
    )
    page.wait_for_timeout(1000)


def axe_violations(page) -> list[str]:
    """axe-core's WCAG A/AA violations on the page, each as its rule and the elements it found."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            messages = [check["message"] for check in node.get("any", []) + node.get("all", []) + node.get("none", [])]
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    element {' '.join(node['target'])}\n    {node['html'][:200]}\n    {'; '.join(messages)}"
            )
    return found


@pytest.mark.parametrize(("role", "path"), ROLES_AND_PAGES, ids=[f"{r}-{p or 'oversikt'}" for r, p in ROLES_AND_PAGES])
def test_every_page_passes_axe_and_names_its_charts(served, browser, role, path):  # noqa: F811
    page = open_page(browser, served, path, role)
    try:
        violations = axe_violations(page)
        assert not violations, f"{len(violations)} WCAG A/AA violations on /{path} as {role}:\n" + "\n".join(violations)
        assert page.evaluate("document.documentElement.lang") == "sv"
        assert page.locator("h1").count() == 1
        # Headings in order: the page's h1 first, and no level skipped on the way down.
        levels = (
            page.locator("[data-testid='stMain']")
            .locator("h1, h2, h3, h4, h5, h6")
            .evaluate_all("headings => headings.map(h => Number(h.tagName[1]))")
        )
        assert levels[0] == 1 and all(after - before <= 1 for before, after in pairwise(levels)), levels
        # Each chart's accessible name is its description, never Vega's default.
        names = page.locator(".vega-embed").evaluate_all("charts => charts.map(c => c.getAttribute('aria-label'))")
        assert all(name and len(name) > 40 and "Vega visualization" not in name for name in names), names
        # The skip link is the first stop of the keyboard and moves the focus to the main content.
        page.evaluate(
            "b => { b.tabIndex = -1; b.focus(); b.removeAttribute('tabindex'); }", page.locator("body").element_handle()
        )
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == SKIP_LINK
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.getAttribute('data-testid')") == "stMain"
    finally:
        page.close()


def overflowing(page) -> list[str]:
    """The page's elements that reach beyond the window's width: content lost without scrolling
    sideways. A wide table scrolls inside its own frame, so only the frame counts. What a closed
    expander holds is not on the page (the browser still lays it out, at its old width, until it
    opens), so only visible elements count; the test opens the expanders and looks again."""
    return page.evaluate(
        """() => {
        const width = window.innerWidth;
        const out = [];
        for (const e of document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')) {
            const box = e.getBoundingClientRect();
            if (e.checkVisibility() && box.width && (box.right > width + 1 || box.left < -1))
                out.push(`${(e.firstElementChild || e).getAttribute('data-testid')} `
                         + `${Math.round(box.left)}-${Math.round(box.right)}: ` + e.innerText.slice(0, 60));
        }
        const main = document.querySelector('[data-testid="stMain"]');
        if (document.documentElement.scrollWidth > width + 1) out.push(`page ${document.documentElement.scrollWidth}`);
        if (main && main.scrollWidth > main.clientWidth + 1) out.push(`main ${main.scrollWidth} > ${main.clientWidth}`);
        return out;
    }"""
    )


# 320 CSS px is WCAG's reflow width (1280 px at 400 %); 200 % zoom of a 1400 px window lays the
# page out in 700 CSS px at twice the pixel density, which is what the browser's zoom does.
WINDOWS = {
    "320px": {"size": {"width": 320, "height": 2400}},
    "zoom200": {"size": {"width": 700, "height": 1600}, "device_scale_factor": 2},
}


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize(("role", "path"), ROLES_AND_PAGES, ids=[f"{r}-{p or 'oversikt'}" for r, p in ROLES_AND_PAGES])
def test_every_page_reflows_without_sideways_scrolling(served, browser, screenshots, window, role, path):  # noqa: F811
    page = open_page(browser, served, path, role, **WINDOWS[window])
    try:
        width = page.evaluate("window.innerWidth")
        for _ in range(60):  # charts lay themselves out again after the window narrows: let them settle
            if not overflowing(page):
                break
            page.wait_for_timeout(500)
        assert overflowing(page) == []
        # What the expanders hold (a chart's figures as a table) fits as well, once opened.
        closed = page.locator("[data-testid='stMain'] [data-testid='stExpander'] details:not([open]) summary")
        for _ in range(closed.count()):
            closed.first.click()
        for _ in range(20):
            if not overflowing(page):
                break
            page.wait_for_timeout(500)
        assert overflowing(page) == []
        heading = page.locator("h1").first.bounding_box()
        assert heading and heading["x"] >= 0 and heading["x"] + heading["width"] <= width + 1
        # The main figures, the controls and the charts are on the page, inside its width.
        for selector in (
            "[data-testid='stMetric']",
            "[data-testid='stSelectbox']",
            ".vega-embed",
            "[data-testid='stDownloadButton']",
        ):
            for box in (e.bounding_box() for e in page.locator(f"[data-testid='stMain'] {selector}").all()):
                if box and box["width"]:
                    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (selector, box)
        # The sidebar's filters are one click away.
        assert page.locator("[data-testid='stExpandSidebarButton']").is_visible()
        if window == "320px" and role == "tsn" and path == "":
            page.screenshot(path=screenshots / "oversikt-320.png")
    finally:
        page.close()


def focus_until(page, accept: str, most: int = 300) -> str:
    """Press Tab until the focused element satisfies `accept` (a JavaScript expression over `e`)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        found = page.evaluate(
            f"(() => {{ const e = document.activeElement; return ({accept}) ? e.outerHTML.slice(0, 200) : null; }})()"
        )
        if found:
            return found
    raise AssertionError(f"no element reached by Tab satisfies {accept}")


def test_the_keyboard_alone_reaches_an_agencys_profile_and_downloads_a_table(served, browser, sample_db):  # noqa: F811
    with duckdb.connect(str(sample_db), read_only=True) as con:
        name = con.sql("select name from agencies order by name limit 1 offset 7").fetchall()[0][0]
    page = open_page(browser, served, "", "tsn")
    try:
        focus_until(page, "e.tagName === 'A' && (e.getAttribute('href') || '').endsWith('/myndighetsprofil')")
        page.keyboard.press("Enter")
        page.locator("h1").filter(has_text="2025").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "(document.querySelector('h1') || {innerText: 'Översikt 2025'}).innerText !== 'Översikt 2025'",
            timeout=60_000,
        )
        settle(page)
        focus_until(page, "e.tagName === 'INPUT' && (e.getAttribute('aria-label') || '').includes('Myndighet')")
        page.keyboard.type(name, delay=50)
        # Enter chooses the option the typing left highlighted: wait until the list shows it.
        page.get_by_role("option", name=name).first.wait_for(timeout=60_000)
        page.keyboard.press("Enter")
        page.locator("h1", has_text=name).first.wait_for(timeout=60_000)
        settle(page)
        focus_until(page, "e.tagName === 'BUTTON' && e.innerText.includes('Ladda ned CSV')")
        with page.expect_download(timeout=60_000) as download:
            page.keyboard.press("Enter")
        saved = download.value
        assert saved.suggested_filename.endswith(".csv")
        assert saved.path().read_bytes().strip()
    finally:
        page.close()


def test_a_checked_file_with_its_findings_passes_axe(served, browser, screenshots, tmp_path):  # noqa: F811
    """Skicka in uppgifter after a check: the error, the findings table and its downloads pass axe too."""
    from .test_check_as import OTHER, OWN, funds_of

    page = open_page(browser, served, "skicka-in", "agency")
    try:
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            funds_of(tmp_path / "medel.csv", OWN, OTHER)
        )
        page.get_by_role("button", name="Kontrollera").click()
        page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first.wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_text("kan inte skickas in").count() == 1
        violations = axe_violations(page)
        assert not violations, "\n".join(violations)
        page.screenshot(path=screenshots / "skicka-in.png", full_page=True)
    finally:
        page.close()


def test_the_queue_and_the_reporting_status_pass_axe(sample_db, browser, screenshots, tmp_path):  # noqa: F811
    """Data och inläsning with a submitted file waiting: the queue, its buttons and message field,
    and the year's reporting status pass axe."""
    from lom.followup import store, submissions
    from lom.queries import uploads

    from .served import serve
    from .test_check_as import OWN, funds_of

    where = tmp_path / "followup.sqlite"
    path = funds_of(tmp_path / "medel.csv", OWN)
    [summary] = uploads.check_as([path], sample_db, role=OWN)
    submissions.submit(store.open_store(str(where)), path.read_bytes(), summary, role=OWN, writer="hr@a.example")
    with serve(sample_db, tmp_path / "streamlit.log", LOM_FOLLOWUP_DB=str(where)) as url:
        page = open_page(browser, url, "data", "tsn")
        try:
            page.get_by_role("button", name="Läs in filen").wait_for(timeout=60_000)
            page.get_by_text("Rapporteringsläge").first.wait_for(timeout=60_000)
            settle(page)
            violations = axe_violations(page)
            assert not violations, "\n".join(violations)
            page.screenshot(path=screenshots / "data-ko.png", full_page=True)
        finally:
            page.close()
