"""The browser's Back button after a profile opened from a list, in real headless Chromium.

A click on the overview (a row of the ranking, by mouse or by keyboard alone, or a point of the
scatter) or the watchlist's button opens the agency's profile through st.switch_page, which
Streamlit's frontend records as a new history entry (window.history.pushState): Back returns to
the page the click was made on, with the filters of its link. Each case opens the profile, checks
its h1, goes back and checks that the page it came from is there again and stays; then does it
again from a link that already names the agency, where only the page switch adds an entry.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from .test_browser import browser, served  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

YEAR = 2025
SECTOR = "Social trygghet och hälsa"
# The data grid draws on a canvas: a row's selection box sits in its first column, below the header.
ROW_MARKER_X, HEADER_HEIGHT, ROW_HEIGHT = 18, 35, 35


def heading(page):
    return page.locator("h1").first


def wait_for_heading(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(heading(page)).to_have_text(text, timeout=60_000)


def grid(page):
    table = page.locator("[data-testid='stDataFrame']").first
    table.locator("canvas").first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)  # the grid lays out its rows after the canvas appears
    return table


def by_mouse_on_a_row(page) -> str:
    """Tick the first row's box in the ranking; its name is in the grid's accessible table."""
    table = grid(page)
    name = table.locator("#glide-cell-1-0").inner_text()
    box = table.bounding_box()
    page.mouse.click(box["x"] + ROW_MARKER_X, box["y"] + HEADER_HEIGHT + ROW_HEIGHT / 2)
    return name


def by_keyboard_on_a_row(page) -> str:
    """Tab to the ranking, move to a row with the arrow keys and choose it with Shift+Space."""
    grid(page)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches(\"[data-testid='stDataFrame'] canvas\")"):
            break
    else:
        pytest.fail("Tab never reached the ranking")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("document.activeElement.closest('tr[aria-rowindex]') !== null")  # a row's cell
    name = page.evaluate("document.activeElement.closest('tr').querySelector('td').innerText")
    page.keyboard.press("Shift+Space")
    return name


def by_mouse_on_a_point(page) -> str:
    """Click the scatter's rightmost point (the least likely to lie under another)."""
    points = page.locator(".vega-embed svg [aria-roledescription='point']")
    points.first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)
    boxes = [(box["x"] + box["width"] / 2, i) for i in range(points.count()) if (box := points.nth(i).bounding_box())]
    point = points.nth(max(boxes)[1])
    name = re.search(r"Myndighet: ([^;]+);", point.get_attribute("aria-label"))[1]
    point.click()
    return name


def by_the_watchlists_button(page) -> str:
    chosen = page.locator("h2", has_text="Prognos: ").first
    chosen.wait_for(timeout=60_000)
    name = chosen.inner_text().removeprefix("Prognos: ").strip()
    page.get_by_role("button", name="Öppna myndighetens profil").click()
    return name


CASES = {
    "rad": ("/", f"Översikt {YEAR}", by_mouse_on_a_row),
    "tangentbord": ("/", f"Översikt {YEAR}", by_keyboard_on_a_row),
    "punkt": ("/", f"Översikt {YEAR}", by_mouse_on_a_point),
    "bevakningslista": ("/outnyttjade-medel", f"Outnyttjade medel {YEAR}", by_the_watchlists_button),
}
FILTERS = ("ar", "sektor", "grupp")


def there_and_back(browser, url: str, title: str, open_profile, shots) -> tuple[str, str]:  # noqa: F811
    """Open `url`, open a profile from it, go back; the profile's name and URL."""
    shots.mkdir()
    page = browser.new_page(viewport={"width": 1400, "height": 2000}, locale="sv-SE")
    try:
        page.goto(url)
        wait_for_heading(page, title)
        page.wait_for_timeout(1000)  # the page has written its filters into the link
        before, entries = page.url, page.evaluate("history.length")

        name = open_profile(page)
        wait_for_heading(page, f"{name} {YEAR}")
        profile = page.url
        assert urlsplit(profile).path == "/myndighetsprofil"
        assert page.evaluate("history.length") > entries  # a new entry, not the old one replaced
        page.screenshot(path=shots / "profil.png")

        page.go_back()
        wait_for_heading(page, title)
        page.wait_for_timeout(1500)  # and it stays: no choice left over opens the profile again
        assert heading(page).inner_text() == title
        assert urlsplit(page.url).path == urlsplit(before).path
        kept, shown = parse_qs(urlsplit(before).query), parse_qs(urlsplit(page.url).query)
        assert [shown.get(k) for k in FILTERS] == [kept.get(k) for k in FILTERS]
        if "sektor" in kept:
            sidebar = page.locator("[data-testid='stSidebar']")
            assert sidebar.get_by_role("combobox", name="Sektor").input_value() == kept["sektor"][0]
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=shots / "tillbaka.png")
        return name, profile
    finally:
        page.close()


@pytest.mark.parametrize("case", CASES)
def test_back_returns_from_a_profile_to_the_page_it_was_opened_from(served, browser, tmp_path, case):  # noqa: F811
    path, title, open_profile = CASES[case]
    link = f"{served}{path}?sektor={quote_plus(SECTOR)}&grupp=size" if path == "/" else f"{served}{path}?grupp=size"
    name, profile = there_and_back(browser, link, title, open_profile, tmp_path / "1")
    # Once more from a link that already names that agency, in a new tab: now neither opening the
    # link nor the click changes the query, so Back can only return through the entry that the
    # page switch itself adds (with the address replaced it would leave the app).
    again = f"{served}{path}?{urlsplit(profile).query}"
    assert there_and_back(browser, again, title, open_profile, tmp_path / "2") == (name, profile)
