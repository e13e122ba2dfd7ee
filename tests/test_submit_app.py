"""Skicka in uppgifter in the app (issue 22), with AppTest: an agency checks a file with errors (shown,
not submittable), a file with another agency's rows (refused, and said so), and a clean file, which
it submits; Trygghetsstiftelsen finds it in the queue on the data page and loads it, the agency sees
it loaded and its profile shows the new figure. Another agency's submissions never reach a browser
of an agency; the reporting status names who has not reported."""

from __future__ import annotations

import polars as pl

from lom.followup import store as followup_store
from lom.followup import submissions
from lom.ui import format as fmt

from .conftest import rows
from .pages import open_page
from .test_access import _everything_sent, agencies, login_app
from .test_check_as import FUNDS

YEAR = 2025


def own_funds(org_nr: str, spent_more: int = 0) -> bytes:
    """The sample's funds rows of one agency, as the file holds them; 2025's spending and closing
    balance moved by `spent_more` kronor (still adding up)."""
    header, *lines = FUNDS.read_bytes().decode("cp1252").splitlines()
    kept = []
    for line in lines:
        cells = line.split(";")
        if cells[0] != org_nr:
            continue
        if cells[1] == str(YEAR) and spent_more:
            amount = lambda text: round(float(text.replace("\u00a0", "").replace(" ", "").replace(",", ".")))  # noqa: E731
            cells[6] = str(amount(cells[6]) + spent_more)
            cells[8] = str(amount(cells[8]) - spent_more)
        kept.append(";".join(cells))
    return "\n".join([header, *kept, ""]).encode("cp1252")


def check(app, name: str, content: bytes):
    app.file_uploader[0].upload(name, content, "text/csv").run()
    app.button(key="submit_check").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_an_agency_checks_submits_and_sees_its_file_loaded(sample_copy, monkeypatch, roles, tmp_path):
    monkeypatch.setenv(followup_store.ENV, str(tmp_path / "followup.sqlite"))
    own = roles["org_nr"]
    other = next(o for o, _ in agencies(sample_copy) if o != own)
    agency = login_app(sample_copy, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(agency, "submit").run()
    assert agency.title[0].value == "Skicka in uppgifter"

    # A file with an error: shown with row and column, and no way to submit it.
    broken = own_funds(own).decode("cp1252").replace(f"{own};2024;", f"{own};20x4;").encode("cp1252")
    check(agency, "medel_fel.csv", broken)
    assert "kan inte skickas in" in agency.error[0].value
    findings = agency.dataframe[0].value
    assert list(findings[findings["Regel"] == "format"]["Kolumn"]) == ["År"]
    assert set(findings["Typ"]) <= {"fel", "varning"}
    assert not [b for b in agency.button if b.key == "submit_send"]

    # Another agency's rows: refused, and the page says why.
    mixed = own_funds(own) + own_funds(other).split(b"\n", 1)[1]
    check(agency, "medel_blandad.csv", mixed)
    assert "en annan myndighet" in agency.error[0].value
    assert "annan myndighet" in set(agency.dataframe[0].value["Regel"])
    assert not [b for b in agency.button if b.key == "submit_send"]

    # A clean file of its own: submitted, and waiting.
    check(agency, "medel_2025.csv", own_funds(own, spent_more=5000))
    assert "Filen kan skickas in" in agency.success[0].value
    agency.button(key="submit_send").click().run()
    assert not agency.exception
    sent = agency.dataframe[-1].value
    assert list(sent["Fil"]) == ["medel_2025.csv"] and list(sent["Status"]) == [submissions.WAITING]
    assert list(sent["År"]) == ["2015–2025"]

    # Trygghetsstiftelsen: the file in the queue, loaded through the loader.
    staff = login_app(sample_copy, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    open_page(staff, "data").run()
    queue = next(d.value for d in staff.dataframe if "Inskickad av" in d.value.columns)
    name = dict(agencies(sample_copy))[own]
    assert list(queue["Myndighet"]) == [name] and list(queue["Status"]) == [submissions.WAITING]
    assert list(queue["Ersätter"]) == ["medel för 11 år"]
    [(closing_before,)] = rows(
        sample_copy, f"select closing_balance_sek from fund_years where org_nr = '{own}' and year = {YEAR}"
    )
    staff.button(key="queue_load").click().run()
    assert not staff.exception
    assert "inläst" in staff.success[0].value
    [(closing_after,)] = rows(
        sample_copy, f"select closing_balance_sek from fund_years where org_nr = '{own}' and year = {YEAR}"
    )
    assert closing_after == closing_before - 5000

    # The agency sees its file loaded, and its profile the new closing balance.
    agency = login_app(sample_copy, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(agency, "submit").run()
    assert list(agency.dataframe[-1].value["Status"]) == [submissions.LOADED]
    open_page(agency, "profile").run()
    assert fmt.kronor(closing_after) in _everything_sent(agency).decode("utf-8", "replace")


def test_no_agency_sees_another_agencys_submissions(sample_copy, monkeypatch, roles, tmp_path, downloads):
    monkeypatch.setenv(followup_store.ENV, str(tmp_path / "followup.sqlite"))
    own = roles["org_nr"]
    other = next(o for o, _ in agencies(sample_copy) if o != own)
    kept = followup_store.open_store()
    summary = {"errors": 0, "status": "loaded", "sender": other, "file": "hemlig_fil_X42.csv", "kinds": ["funds"]}
    summary |= {"years": (2024, 2024), "rows_in_file": 1}
    sid = submissions.submit(kept, b"innehall", summary, role=other, writer="hr@annan.example")
    submissions.decide(kept, sid, submissions.RETURNED, "meddelande Q17 till den andra", role="tsn", writer="s@tsn.se")
    secrets = ["hemlig_fil_X42", "hr@annan.example", "meddelande Q17", other]

    agency = login_app(sample_copy, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    open_page(agency, "submit").run()
    sent = _everything_sent(agency).decode("utf-8", "replace")
    assert "inte skickat in några filer" in agency.info[0].value
    assert not [s for s in secrets if s in sent]
    # ...while Trygghetsstiftelsen's queue shows it: the search itself works.
    staff = login_app(sample_copy, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    open_page(staff, "data").run()
    shown = _everything_sent(staff).decode("utf-8", "replace")
    assert [s for s in secrets[:3] if s in shown] == secrets[:3]


def test_the_reporting_status_names_who_has_not_reported(sample_copy, monkeypatch, roles, tmp_path):
    monkeypatch.setenv(followup_store.ENV, str(tmp_path / "followup.sqlite"))
    staff = login_app(sample_copy, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    open_page(staff, "data").run()
    status = pl.from_pandas(next(d.value for d in staff.dataframe if "Läge" in d.value.columns))
    counted = rows(
        sample_copy,
        f"select count(*) filter (where f.org_nr is null) from agencies a "
        f"left join fund_years f on f.org_nr = a.org_nr and f.year = {YEAR}",
    )[0][0]
    assert status.height == rows(sample_copy, "select count(*) from agencies")[0][0]
    assert status.filter(pl.col("Medel") == "Nej").height == counted
    reported = status.filter(pl.col("Läge") == "Rapporterat")
    assert set(reported["Medel"]) <= {"Ja"} and set(reported["Ansökningar"]) <= {"Ja"}
    # The ones to remind come first.
    order = {"Ej rapporterat": 0, "Delvis rapporterat": 1, "Inskickad, väntar": 2, "Rapporterat": 3}
    ranks = [order[s] for s in status["Läge"]]
    assert ranks == sorted(ranks)
