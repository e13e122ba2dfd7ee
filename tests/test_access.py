"""Agency access as users meet it (AppTest with `user` and `secrets`, on real DuckDB files): the role
matrix, nothing of another agency reaching the browser, disclosure control checked against the
raw tables, the URL unable to widen a role, caches keyed by role, and the locked-down connection."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from lom.followup import log as followup_log
from lom.followup import store as followup_store
from lom.queries import connection, overview, profile
from lom.queries.access import TSN
from lom.ui import auth

from .conftest import rows
from .pages import open_page
from .paths import ROOT

APP = str(ROOT / "dashboard.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-secret-only-a-test",
    "client_id": "lom-test",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration",
}
AGENCY_PAGES = ["overview", "profile", "trends", "submit", "about", "accessibility"]
TSN_PAGES = ["overview", "watchlist", "profile", "trends", "data", "submit", "about", "accessibility"]


def agencies(db: Path) -> list[tuple[str, str]]:
    return rows(db, "select org_nr, name from stg_agencies order by org_nr")


def login_app(db, monkeypatch, user: dict | None, **params) -> AppTest:
    monkeypatch.setenv("LOM_DB", str(db))
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["auth"] = AUTH
    if user is not None:
        app.user = user
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


# --- the role matrix -------------------------------------------------------------------------------


def test_role_matrix(sample_db, monkeypatch, roles):
    """For TSN staff, an agency user, an unknown identity and a logged-out user: which pages exist
    and what each shows."""
    logged_out = login_app(sample_db, monkeypatch, {"is_logged_in": False})
    assert logged_out.title[0].value == "Lokala omställningsmedel"
    assert [b.label for b in logged_out.button] == ["Logga in"]
    assert not (logged_out.metric or logged_out.dataframe or logged_out.get("vega_lite_chart"))
    assert not logged_out.sidebar.selectbox

    unknown = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": "someone@else.example"})
    assert "ingen behörighet" in unknown.warning[0].value
    assert [b.label for b in unknown.button] == ["Logga ut"]
    assert not (unknown.metric or unknown.dataframe or unknown.get("vega_lite_chart") or unknown.sidebar.selectbox)

    staff = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"].upper()})
    assert staff.title[0].value == "Översikt 2025"
    assert {s.label for s in staff.sidebar.selectbox} == {"År", "Sektor", "Jämförelsegrupp"}
    assert staff.dataframe[0].value.shape[0] == 60  # every agency by name
    for page in TSN_PAGES:
        open_page(staff, page).run()
        assert not staff.exception and staff.title, page

    agency = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    own_name = dict(agencies(sample_db))[roles["org_nr"]]
    assert agency.title[0].value == "Översikt 2025"
    assert {s.label for s in agency.sidebar.selectbox} == {"År", "Jämförelsegrupp"}  # no sector list
    assert not any("Demoläge" in w.value for w in agency.warning)  # a real login is no demo
    names = list(agency.dataframe[0].value["Myndighet"])
    assert own_name in names and all(n == own_name or n.startswith("Myndighet ") for n in names)
    for page in AGENCY_PAGES:
        open_page(agency, page).run()
        assert not agency.exception and agency.title, page
    open_page(agency, "profile").run()
    assert agency.title[0].value == f"{own_name} 2025"
    assert "Myndighet" not in [s.label for s in agency.selectbox]  # no other agency to choose
    # The TSN-only pages are not in the agency's navigation: switching to one fails.
    for page in ("watchlist", "data"):
        with pytest.raises(Exception, match=r"(?i)page|not found|navigation"):
            open_page(agency, page).run()


def test_a_broken_roles_file_lets_nobody_in_and_says_nothing_about_who(sample_db, monkeypatch, tmp_path, caplog):
    path = tmp_path / "roles.toml"
    path.write_text('[roles]\n"a@tsn.example" = "tsn"\n"b@agency.example" = "admin"\n', encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE, str(path))
    with pytest.raises(auth.RolesProblem, match="post 2"):
        auth.read_roles(path)
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": "a@tsn.example"})
    assert "ingen behörighet" in app.warning[0].value
    assert "a@tsn.example" not in caplog.text and "b@agency.example" not in caplog.text


def test_the_roles_file_maps_addresses_case_blind_and_refuses_nonsense(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[roles]\n"Staff@TSN.se" = "tsn"\n"hr@agency.se" = "202100-1234"\n', encoding="utf-8")
    roles = auth.read_roles(path)
    assert auth.role_of("staff@tsn.se", roles) == TSN
    assert auth.role_of(" HR@agency.se ", roles) == "202100-1234"
    assert auth.role_of("other@tsn.se", roles) is None and auth.role_of(None, roles) is None
    for text, problem in (
        ("roles = 1", "saknar tabellen"),
        ('[roles]\n"x@y.se" = "TSN"', "post 1"),
        ('[roles]\n"no-address" = "tsn"', "ingen e-postadress"),
        ("[roles", "ingen giltig TOML"),
    ):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(auth.RolesProblem, match=problem):
            auth.read_roles(path)
    with pytest.raises(auth.RolesProblem, match="kan inte läsas"):
        auth.read_roles(tmp_path / "missing.toml")


def test_nothing_in_the_url_widens_a_role(sample_db, monkeypatch, roles):
    """An agency user with a link to another agency's profile, a sector, the watchlist's
    parameters or a role-like parameter still sees its own agency only."""
    other, other_name = next((o, n) for o, n in agencies(sample_db) if o != roles["org_nr"])
    own_name = dict(agencies(sample_db))[roles["org_nr"]]
    user = {"is_logged_in": True, "email": roles["agency"]}
    app = login_app(
        sample_db, monkeypatch, user, myndighet=other, sektor="Rättsväsende och säkerhet", roll="tsn", role="tsn"
    )
    open_page(app, "profile").run()
    assert app.title[0].value == f"{own_name} 2025"
    assert other_name not in _everything_sent(app).decode("utf-8", "replace")
    assert "Sektor" not in [s.label for s in app.sidebar.selectbox]


# --- nothing of another agency reaches the browser -----------------------------------------------


def _elements(node) -> list:
    found = []
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            found += _elements(child)
    if hasattr(node, "proto"):
        found.append(node)
    return found


def _everything_sent(app: AppTest) -> bytes:
    """Every element's message as the browser gets it: texts, tables (Arrow), charts (spec and data)."""
    return b"".join(e.proto.SerializeToString() for e in _elements(app._tree) if e.proto is not None)


def _file_text(name: str, data: bytes) -> str:
    if name.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    if name.endswith(".pdf"):  # the report: its text as pdftotext reads it, a name broken at a line end joined
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        return re.sub(r"\s+", " ", text.decode("utf-8"))
    return data.decode("utf-8-sig")


def _leaks(text: str, others: list[tuple[str, str]]) -> list[str]:
    escaped = text.replace("&amp;", "&")
    return [f"{o} {n}" for o, n in others if o in text or n in escaped or o.replace("-", "") in text]


@pytest.mark.parametrize("group", ["sector", "size", "similar"])
def test_no_page_sends_another_agencys_name_or_org_nr(sample_db, monkeypatch, roles, downloads, group):
    """Every page rendered as an agency, every element's data and chart specification collected,
    and every download made: no other agency's name or org_nr anywhere."""
    own = roles["org_nr"]
    others = [(o, n) for o, n in agencies(sample_db) if o != own]
    app = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]}, grupp=group)
    sent = []
    for page in AGENCY_PAGES:
        open_page(app, page).run()
        assert not app.exception, page
        sent.append(_everything_sent(app).decode("utf-8", "replace"))
        if page == "profile":  # the other view of the measure mix
            app.radio(key="mix_basis").set_value("granted_sek").run()
            sent.append(_everything_sent(app).decode("utf-8", "replace"))
    assert sum(len(s) for s in sent) > 50_000  # the pages did send their tables and charts
    assert not _leaks("".join(sent), others)
    assert downloads, "the agency's pages offer downloads"
    for name, make in downloads.items():
        assert not _leaks(_file_text(name, make()), others), name
    # ...while the same check finds the names when TSN staff look: the search itself works.
    staff = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]})
    assert len(_leaks(_everything_sent(staff).decode("utf-8", "replace"), others)) == len(others)


def test_no_followup_entry_reaches_an_agency_an_unknown_or_a_logged_out_browser(
    sample_db, monkeypatch, roles, downloads, tmp_path
):
    """The follow-up log holds entries about the viewing agency itself and about others. Rendered as
    that agency (every page, its own profile included, every download made), as an unknown identity
    and logged out: no entry's text, status or writer, and no contact mark, reaches the browser."""
    monkeypatch.setenv(followup_store.ENV, str(tmp_path / "followup.sqlite"))
    kept = followup_store.open_store()
    about = [o for o, _ in agencies(sample_db)[:6]] + [roles["org_nr"]]
    for org_nr in about:
        entry = followup_log.Entry(
            org_nr, followup_log.Status.MEETING_BOOKED, date(2026, 1, 15), f"loggtext om {org_nr}", "planen X17"
        )
        followup_log.append(kept, entry, role=TSN, writer="uppfoljare@tsn.example")
    secrets = ["loggtext om", "planen X17", "uppfoljare@tsn.example", "Möte bokat", "Kontakt från Trygghetsstiftelsen"]

    def found(sent: str) -> list[str]:
        return [s for s in secrets if s in sent]

    agency = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["agency"]})
    sent = []
    for page in AGENCY_PAGES:
        open_page(agency, page).run()
        assert not agency.exception, page
        sent.append(_everything_sent(agency).decode("utf-8", "replace"))
    assert "Uppföljning" not in [s.value for s in agency.header] and not agency.text_area
    assert not found("".join(sent))
    assert downloads and not [name for name, make in downloads.items() if found(_file_text(name, make()))]
    for user in ({"is_logged_in": True, "email": "someone@else.example"}, {"is_logged_in": False}):
        assert not found(_everything_sent(login_app(sample_db, monkeypatch, user)).decode("utf-8", "replace"))
    # ...while Trygghetsstiftelsen's staff see the entries: the search itself works.
    staff = login_app(sample_db, monkeypatch, {"is_logged_in": True, "email": roles["tsn"]}, myndighet=roles["org_nr"])
    open_page(staff, "profile").run()
    assert found(_everything_sent(staff).decode("utf-8", "replace")) == secrets


# --- disclosure control on the real database, checked against the raw tables ----------------------


def test_the_peer_ranking_hides_rates_on_small_counts_and_nothing_else(sample_db):
    own = agencies(sample_db)[7][0]
    with connection.connect(sample_db) as con:
        ranking = overview.agency_ranking(con, 2025, "sector", role=own)
        tsn = overview.agency_ranking(con, 2025, "sector", role=TSN)
    assert "org_nr" not in ranking.columns and "closing_balance_sek" not in ranking.columns
    assert "employees" not in ranking.columns and "allocated_sek" not in ranking.columns
    # Counted again from the raw applications: decisions per agency of the own sector, 2025.
    counted = rows(
        sample_db,
        f"""
        select g.org_nr,
            count(a.decision) filter (where a.decision in ('beviljad', 'delvis beviljad', 'avslag')) as decided,
            count(a.decision) filter (where a.decision in ('beviljad', 'delvis beviljad')) as granted,
            count(a.decision) filter (where a.decision = 'avslag') as rejected
        from agencies g
        left join applications a on a.org_nr = g.org_nr and year(a.received_on) = 2025
        where g.sector = (select sector from agencies where org_nr = '{own}')
        group by g.org_nr
        """,
    )
    assert len(counted) == ranking.height
    # A peer's rate is hidden when one of its counts is 1 to 4; the viewer's own never (it holds them).
    small = {o for o, d, g, r in counted if o != own and any(0 < n < 5 for n in (d, g, r))}
    assert small, "the sample has peers with small counts: the test tests something"
    hidden = ranking.filter(pl.col("hidden").list.contains("approval_rate"))
    assert hidden.height == len(small)
    assert hidden["approval_rate"].null_count() == hidden.height
    assert not hidden["is_self"].any()
    # What is shown is TSN's number, unchanged: the same multiset of rates.
    shown = sorted(ranking.filter(~pl.col("hidden").list.contains("approval_rate"))["approval_rate"].drop_nulls())
    tsn_rates = dict(zip(tsn["org_nr"], tsn["approval_rate"], strict=True))
    members = {o for o, *_ in counted}
    expected = sorted(v for o, v in tsn_rates.items() if o in members and o not in small and v is not None)
    assert shown == pytest.approx(expected)
    mine = ranking.filter(pl.col("is_self"))
    assert mine["name"][0] == dict(agencies(sample_db))[own]
    assert mine["hidden"][0].to_list() == [] and mine["approval_rate"][0] == pytest.approx(tsn_rates[own])


def test_the_measure_mix_shows_every_own_figure_and_protects_the_national_rest(sample_db):
    """Own applications, grants and granted kronor per measure type: all shown, equal to the raw table.
    A national share is hidden where what is not the viewer's rests on 1 to 4 applications, and never
    exactly one is hidden (the shares add up to 100 %, so it would give itself away)."""
    for own, _ in agencies(sample_db)[:20]:
        with connection.connect(sample_db) as con:
            mix = profile.measure_mix(con, own, 2025, role=own)
        counted = {
            m: (n, g, int(sek))
            for m, n, g, sek in rows(
                sample_db,
                f"""
                select measure, count(*), count(*) filter (where decision in ('beviljad', 'delvis beviljad')),
                    coalesce(sum(granted_sek), 0)
                from applications where org_nr = '{own}' and year(received_on) = 2025 group by measure
                """,
            )
        }
        national = dict(
            rows(sample_db, "select measure, count(*) from applications where year(received_on) = 2025 group by 1")
        )
        for row in mix.iter_rows(named=True):
            mine = counted.get(row["measure"], (0, 0, 0))
            assert (row["applications"], row["granted"], int(row["granted_sek"])) == mine, (own, row["measure"])
            assert not {c for c in row["hidden"] if not c.startswith("national_")}, (own, row)
        hidden = {
            m for m, h in zip(mix["measure"], mix["hidden"], strict=True) if "national_share_of_applications" in h
        }
        rest = {m: national.get(m, 0) - counted.get(m, (0,))[0] for m in mix["measure"]}
        assert {m for m, n in rest.items() if 0 < n < 5} <= hidden
        assert len(hidden) != 1


def test_a_peer_group_under_five_shows_no_distribution(measures_db):
    """In the hand-made fixture one agency is alone in its sector: no peers, no median, no band."""
    [(alone,)] = rows(
        measures_db,
        "select org_nr from stg_agencies where sector in "
        "(select sector from stg_agencies group by sector having count(*) = 1) limit 1",
    )
    [(year,)] = rows(measures_db, f"select max(year) from agency_year_kpis where org_nr = '{alone}'")
    with connection.connect(measures_db) as con:
        positions = profile.agency_positions(con, alone, year, "sector", role=alone)
        ranking = overview.agency_ranking(con, year, "sector", role=alone)
        totals = overview.year_totals(con, role=alone)
    assert positions["peer_median"].null_count() == positions.height
    assert all("peer_median" in h for h in positions["hidden"])
    assert ranking.height == 1 and ranking["is_self"][0]
    # Its sector's totals would be its own figures plus nothing: the rest is 0 agencies, so they show;
    # a sector of 1–4 other agencies is hidden, and a second sector with it.
    sectors = totals.filter(~pl.col("is_national") & (pl.col("year") == year))
    hidden_sectors = sectors.filter(pl.col("hidden").list.contains("allocated_sek"))
    assert hidden_sectors.height != 1


# --- caches and the connection ---------------------------------------------------------------------


def test_no_cached_function_reads_the_user_or_role_itself():
    """Every st.cache_data / st.cache_resource function in the app's code gets who is looking only
    as an argument: none reads st.user, the session, the URL, the secrets or the login."""
    forbidden = {"user", "session_state", "query_params", "secrets", "context"}
    cached = []
    for path in [
        ROOT / "dashboard.py",
        ROOT / "lom" / "app.py",
        *(ROOT / "lom" / "ui").rglob("*.py"),
        *(ROOT / "lom" / "followup").rglob("*.py"),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            decorators = [ast.unparse(d) for d in node.decorator_list]
            if not any("cache_data" in d or "cache_resource" in d for d in decorators):
                continue
            cached.append(f"{path.name}:{node.name}")
            names = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            assert not (names & forbidden), (path.name, node.name, names & forbidden)
            assert "current_viewer" not in names and "auth" not in names
    assert len(cached) >= 2, cached  # the query cache and the chart cache were found


def test_the_cache_keeps_roles_apart(sample_db):
    """The same query through the cache as TSN and as an agency: different results, each its own."""
    from lom.ui.data import Source, fetch

    source = Source.of(sample_db)
    own = agencies(sample_db)[7][0]
    as_tsn = fetch(source, TSN, overview.agencies)
    as_agency = fetch(source, own, overview.agencies)
    assert as_tsn.height == 60 and as_agency["org_nr"].to_list() == [own]
    assert fetch(source, TSN, overview.agencies).height == 60  # not the agency's cached answer


def test_only_tsn_staff_may_load_files_through_the_query_layer(sample_copy, tmp_path):
    """The access check of uploads is in the query layer, not only in the page: an agency's role is
    refused before the loader runs, and nothing is logged or written."""
    from lom.queries import uploads

    from .test_rules import FUNDS_HEADER

    path = tmp_path / "medel.csv"
    path.write_text(FUNDS_HEADER + "\n", encoding="utf-8")
    before = rows(sample_copy, "select count(*) from loads")
    for role in ("209900-0016", "someone"):
        with pytest.raises(PermissionError):
            uploads.load([path], sample_copy, role=role)
    assert rows(sample_copy, "select count(*) from loads") == before
    (result,) = uploads.load([path], sample_copy, role="tsn")
    assert result["status"] == "unchanged" and result["file"] == "medel.csv"  # a header alone changes nothing
