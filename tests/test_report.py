"""The PDF reports (issue 21): the agency's one page for every agency of the sample, the national
report, the command line and the download buttons, read back with poppler's pdftotext, pdfinfo and
pdffonts. Expected figures come from the raw tables by SQL written here (tests/test_own_view.py)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lom.cli import main
from lom.db import measures
from lom.followup import log
from lom.followup.store import open_store
from lom.queries import access, profile
from lom.queries import agency as agency_view
from lom.queries.connection import connect
from lom.report import agency, national
from lom.ui import format as fmt

from .conftest import rows
from .pages import open_page
from .test_access import login_app
from .test_browser import browser, served  # noqa: F401  fixtures
from .test_own_view import figures_from_the_raw_tables

YEAR = 2025
POPPLER = ("pdftotext", "pdfinfo", "pdffonts")


@pytest.fixture(scope="module", autouse=True)
def poppler():
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    assert not missing, f"install poppler-utils (.ci/run does): {missing} missing"


def text_of(pdf: Path) -> str:
    """The PDF's text as pdftotext lays it out, every run of spaces (no-break ones too) made one space."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"(\d) ?%", r"\1 %", re.sub(r"[ \u00a0\u202f]+", " ", out))  # a column may drop the space


def flat(text: str) -> str:
    """The text as one line: a name may break at the end of a line."""
    return re.sub(r"\s+", " ", text)


def info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if v}


def fonts(pdf: Path) -> list[list[str]]:
    """pdffonts' rows: name, type, encoding, embedded, subset, unicode, object."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def spaced(text: str) -> str:
    return text.replace(fmt.NBSP, " ")


@pytest.fixture(scope="module")
def every_report(sample_db, tmp_path_factory) -> Path:
    """`lom report agency --all` over the sample: one file per agency, named by org_nr."""
    folder = tmp_path_factory.mktemp("reports")
    assert main(["report", "agency", "--all", "--year", str(YEAR), "--out", str(folder), "--db", str(sample_db)]) == 0
    return folder


def test_every_agency_gets_one_page_with_its_own_figures_and_no_other_agency(sample_db, every_report):
    expected = figures_from_the_raw_tables(sample_db)
    agencies = dict(rows(sample_db, "select org_nr, name from agencies"))
    assert sorted(p.stem for p in every_report.glob("*.pdf")) == sorted(expected) and len(expected) == 60
    for org_nr, mine in expected.items():
        pdf = every_report / f"{org_nr}.pdf"
        assert info(pdf)["Pages"] == "1", org_nr
        text = text_of(pdf)
        name = agencies[org_nr]
        assert name in flat(text) and org_nr in text, org_nr
        assert f"Utgående saldo {spaced(fmt.kronor(mine['closing']))}" in text, org_nr
        if mine["approval_rate"] is None:
            assert "beviljandegraden saknas" in flat(text), org_nr
        else:
            assert f"Beviljandegrad {spaced(fmt.percent(mine['approval_rate']))} (" in text, org_nr
        assert f"{spaced(fmt.number(mine['per_100'], 1))} ansökningar per 100 anställda" in flat(text), org_nr
        # No other agency by name or org_nr: peers appear only as distributions.
        others = flat(text).replace(name, "")
        for other, other_name in agencies.items():
            if other != org_nr:
                assert other not in text and other_name not in others, (org_nr, other)


def test_a_report_is_titled_tagged_in_swedish_with_every_font_embedded(sample_db, every_report):
    org_nr, name = rows(sample_db, "select org_nr, name from agencies order by org_nr limit 1")[0]
    pdf = every_report / f"{org_nr}.pdf"
    meta = info(pdf)
    assert meta["Title"] == f"LOM-rapport {YEAR}: {name}"
    assert meta["Tagged"] == "yes"
    assert meta["Page size"].startswith("595.") and "(A4)" in meta["Page size"]
    found = fonts(pdf)
    assert found and all(row[-5] == "yes" for row in found), found  # the "emb" column
    assert {row[0].split("+")[-1] for row in found} >= {"LiberationSans"}
    assert b"/Lang (sv-SE)" in pdf.read_bytes() or b"/Lang(sv-SE)" in pdf.read_bytes()
    if folder := os.environ.get("LOM_SCREENSHOT_DIR"):  # make screenshots: the page as the README shows it
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), f"{folder}/rapport"], check=True)


def test_a_negative_figure_reads_with_the_swedish_minus(sample_db, tmp_path):
    with connect(sample_db) as con:
        org_nr = rows(sample_db, "select org_nr from agencies order by org_nr limit 1")[0][0]
        figures = agency.gather(con, org_nr, YEAR)
    changed = dict(figures.own, closing_balance_sek=-1234567, negative_balance=True)
    pdf = tmp_path / "negative.pdf"
    pdf.write_bytes(agency.render(dataclasses.replace(figures, own=changed)))
    text = text_of(pdf)
    assert "Utgående saldo \u22121 234 567 kr" in text
    assert "negativt (\u22121 234 567 kr)" in flat(text) and "-1 234 567" not in text


def test_the_national_report_holds_the_totals_counted_here(sample_db, tmp_path, monkeypatch):
    monkeypatch.setenv("LOM_FOLLOWUP_DB", str(tmp_path / "followup.sqlite"))
    store = open_store()
    flagged = rows(sample_db, "select org_nr from agencies order by org_nr limit 2")
    for (org_nr,) in flagged:
        entry = log.Entry(org_nr, log.Status.PLAN_EXISTS, plan="Insatser för kompetensutveckling under hösten.")
        log.append(store, entry, role=access.TSN, writer="staff@tsn.example", now=datetime(YEAR, 6, 1, 9, tzinfo=UTC))
    pdf = tmp_path / "national.pdf"
    assert main(["report", "national", "--year", str(YEAR), "--out", str(pdf), "--db", str(sample_db)]) == 0
    meta = info(pdf)
    assert meta["Tagged"] == "yes" and meta["Title"] == f"Lokala omställningsmedel i staten {YEAR}: nationell rapport"
    assert all(row[-5] == "yes" for row in fonts(pdf))
    text = text_of(pdf)
    [(agencies, allocated, spent, closing)] = rows(
        sample_db,
        "select count(*), sum(allocated_sek), sum(spent_sek), sum(closing_balance_sek) "
        f"from fund_years where year = {YEAR}",
    )
    [(applications,)] = rows(sample_db, f"select count(*) from applications where year(received_on) = {YEAR}")
    [(before,)] = rows(sample_db, f"select sum(allocated_sek) from fund_years where year = {YEAR - 1}")
    assert f"Myndigheter som rapporterat medel {agencies} " in text
    assert f"Årets avsättning {spaced(fmt.kronor(allocated))} {spaced(fmt.kronor(before))}" in text
    assert f"{measures.label('spent_sek')} {spaced(fmt.kronor(spent))}" in text
    assert f"Utgående saldo {spaced(fmt.kronor(closing))}" in text
    assert f"Ansökningar {spaced(fmt.number(applications))} " in text
    # The trend table: one row per year with the count of reporting agencies.
    for year, count in rows(sample_db, "select year, count(*) from fund_years group by 1"):
        assert re.search(rf"^ *{year} {count} ", text, re.M), year
    # The follow-up log: the two contacts, with their plans, and their status beside the flagged.
    assert "kontakt med 2 myndigheter och planer från 2 myndigheter" in flat(text)


def test_the_command_refuses_an_agency_or_a_year_not_in_the_database(sample_db, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    org_nr = rows(sample_db, "select org_nr from agencies order by org_nr limit 1")[0][0]
    cases = [
        (["report", "agency", "209900-9999", "--year", str(YEAR)], "209900-9999 finns inte i databasen"),
        (["report", "agency", org_nr, "--year", "2031"], "har inga siffror för 2031"),
        (["report", "agency", "--all", "--year", "2031"], "året 2031 finns inte i databasen"),
        (["report", "national", "--year", "2031"], "Året 2031 finns inte i databasen"),
        (["report", "agency", "20990-00001", "--year", str(YEAR)], "är inte ett organisationsnummer"),
    ]
    for argv, message in cases:
        assert main([*argv, "--out", str(out), "--db", str(sample_db)]) == 1, argv
        assert message in capsys.readouterr().err, argv
        assert not out.exists() and not list(tmp_path.iterdir()), argv


def test_only_the_agency_itself_or_trygghetsstiftelsen_may_make_its_report(sample_db):
    first, second = (r[0] for r in rows(sample_db, "select org_nr from agencies order by org_nr limit 2"))
    with connect(sample_db) as con:
        with pytest.raises(PermissionError):
            agency.report(con, first, YEAR, role=second)
        with pytest.raises(PermissionError):
            national.report(con, YEAR, None, role=first)
        assert agency.report(con, first, YEAR, role=first).startswith(b"%PDF")


def test_a_report_reads_the_peer_group_once_and_shows_what_the_page_shows(sample_db, monkeypatch):
    """The report shares one reading of the peer group between positions, trend and approval rate;
    each equals what the profile reads alone, and outside the report every query reads afresh."""
    org_nr = rows(sample_db, "select min(org_nr) from agencies")[0][0]
    reads = []
    counted = agency_view.run

    def counting(con, name, **params):
        reads.append(name)
        return counted(con, name, **params)

    monkeypatch.setattr(agency_view, "run", counting)

    def shown(con):
        return [
            profile.agency_positions(con, org_nr, YEAR, "sector", role=org_nr),
            profile.agency_trend(con, org_nr, "sector", role=org_nr),
            profile.approval_intervals(con, YEAR, "sector", role=org_nr),
        ]

    with connect(sample_db) as con:
        alone = shown(con)
        assert reads.count("peer_counts") == reads.count("shown_peer_positions") == 3
        reads.clear()
        with agency_view.reading_once():
            shared = shown(con)
        assert reads.count("peer_counts") == reads.count("shown_peer_positions") == 1
        reads.clear()
        shown(con)
        assert reads.count("peer_counts") == 3
    for one, other in zip(alone, shared, strict=True):
        assert one.height > 0
        assert one.equals(other)


def test_the_profile_and_the_overview_offer_the_reports_to_whom_they_belong(sample_db, monkeypatch, roles, downloads):
    agency_user = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(agency_user, "profile").run()
    name = f"lom-rapport_{roles['org_nr']}_{YEAR}.pdf"
    assert name in downloads
    made = downloads.pop(name)()
    assert made.startswith(b"%PDF")
    open_page(agency_user, "overview").run()
    assert not [f for f in downloads if f.startswith("lom-nationell")]

    staff = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    assert f"lom-nationell-rapport_{YEAR}.pdf" in downloads
    assert downloads[f"lom-nationell-rapport_{YEAR}.pdf"]().startswith(b"%PDF")
    open_page(staff, "profile").run()
    assert any(f.startswith("lom-rapport_") for f in downloads)


@pytest.mark.browser
def test_the_profiles_button_downloads_the_report_in_the_browser(served, browser, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1200}, locale="sv-SE")
    try:
        page.goto(f"{served}/myndighetsprofil")
        button = page.get_by_text("Ladda ner rapport (PDF)").first
        button.wait_for(timeout=60_000)
        title = page.locator("h1").first.inner_text()
        with page.expect_download(timeout=120_000) as download:
            button.click()
        pdf = tmp_path / download.value.suggested_filename
        download.value.save_as(pdf)
        assert re.fullmatch(r"lom-rapport_\d{6}-\d{4}_\d{4}\.pdf", pdf.name)
        meta = info(pdf)
        name, year = title.rsplit(" ", 1)  # the page's h1: "Björkvalla samlingar 2025"
        assert meta["Pages"] == "1" and meta["Title"] == f"LOM-rapport {year}: {name}"
    finally:
        page.close()
