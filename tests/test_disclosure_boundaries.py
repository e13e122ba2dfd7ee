"""Disclosure control at each of its boundaries, on a real database loaded through the pipeline
(tests/boundary_fixture.py): 4 other agencies against 5, a count of 4 persons against 5. The numbers
are written here, never read from the product, so that a product that shows a ranking with 4 other
agencies, or hides only counts of 1 to 3, fails; expected values are worked out from the fixture."""

from __future__ import annotations

import struct
from statistics import median

import polars as pl
import pytest

from lom.queries import agency, overview, profile, watchlist
from lom.queries.access import TSN
from lom.queries.connection import connect
from lom.ui import auth

from .boundary_fixture import AGENCIES, ALONE, FIVE, FOUR, FUNDS, ORG
from .conftest import rows
from .pages import open_page
from .test_access import _everything_sent, _leaks, login_app

VIEWER_OF_FOUR = ORG["Fyra A"]  # 4 other agencies in its sector: one too few
VIEWER_OF_FIVE = ORG["Fem A"]  # 5 other agencies: enough
VIEWER_OF_SMALL = ORG["Liten A"]  # peers with counts of 4 and of 5
DISTRIBUTION = ["lower_quartile", "peer_median", "upper_quartile", "quartile_class"]


def call(db, function, *args, role: str) -> pl.DataFrame:
    with connect(db) as con:
        return function(con, *args, role=role)


def rate(name: str) -> float:
    _, _, granted, rejected, _ = AGENCIES[name]
    return granted / (granted + rejected)


def test_a_ranking_needs_5_other_agencies(boundary_db):
    four = call(boundary_db, overview.agency_ranking, 2025, "sector", role=VIEWER_OF_FOUR)
    assert four.height == 1 and four["is_self"].to_list() == [True]
    five = call(boundary_db, overview.agency_ranking, 2025, "sector", role=VIEWER_OF_FIVE)
    assert five.height == 6 and five["is_self"].sum() == 1


def test_a_peer_distribution_needs_5_other_agencies_with_a_value(boundary_db):
    for group, viewer, others in (("sector", VIEWER_OF_FOUR, 4), ("sector", VIEWER_OF_FIVE, 5)):
        positions = call(boundary_db, profile.agency_positions, viewer, 2025, group, role=viewer)
        utilisation = positions.filter(pl.col("kpi") == "utilisation").row(0, named=True)
        assert utilisation["peer_agencies"] == others + 1
        if others == 4:
            assert set(DISTRIBUTION) <= set(utilisation["hidden"])
            assert utilisation["peer_median"] is None and utilisation["quartile_class"] is None
        else:
            assert utilisation["hidden"] == []
            assert utilisation["peer_median"] == pytest.approx(0.6)  # 30 000 of 50 000 spent, all six
        assert utilisation["value"] == pytest.approx(0.6)  # its own: always shown
    trend = call(boundary_db, profile.agency_trend, VIEWER_OF_FOUR, "sector", role=VIEWER_OF_FOUR)
    assert trend["peer_median"].null_count() == trend.height


def test_the_approval_peer_check_needs_5_other_agencies(boundary_db):
    four = call(boundary_db, profile.approval_intervals, 2025, "sector", role=VIEWER_OF_FOUR).row(0, named=True)
    assert {"peer_median", "difference"} <= set(four["hidden"])
    assert four["peer_median"] is None and four["difference"] is None
    five = call(boundary_db, profile.approval_intervals, 2025, "sector", role=VIEWER_OF_FIVE)
    assert five["org_nr"].to_list() == [VIEWER_OF_FIVE]  # its own row only
    five = five.row(0, named=True)
    assert five["hidden"] == [] and five["difference"] is not None
    assert five["peer_median"] == pytest.approx(median(rate(f"Fem {x}") for x in "ABCDEF"))


def test_the_gap_to_the_peer_median_needs_5_other_agencies_with_a_reserve(boundary_db):
    four = call(boundary_db, watchlist.own_projection, VIEWER_OF_FOUR, 2025, 3.0, "sector", role=VIEWER_OF_FOUR)
    assert four["org_nr"].to_list() == [VIEWER_OF_FOUR]
    assert four["extra_spending_per_year_sek"][0] is None and four["peer_median_reserve_years"][0] is None
    assert set(four["hidden"][0]) == {"peer_median_reserve_years", "extra_spending_per_year_sek"}
    five = call(boundary_db, watchlist.own_projection, VIEWER_OF_FIVE, 2025, 3.0, "sector", role=VIEWER_OF_FIVE)
    assert five["hidden"][0].to_list() == []
    reserves = [FUNDS[f"Fem {x}"][5] / FUNDS[f"Fem {x}"][2] for x in "ABCDEF"]
    assert five["peer_median_reserve_years"][0] == pytest.approx(median(reserves))
    # Its own projection, whole: the balance in three years at its own spending rate (60 %).
    closing, allocation = FUNDS["Fem A"][5], 25_000_000 * 0.002
    assert five["horizon_balance_sek"][0] == pytest.approx(closing + 3 * 0.4 * allocation)


def test_a_count_of_4_hides_a_peers_rate_and_5_does_not(boundary_db):
    ranking = call(boundary_db, overview.agency_ranking, 2025, "sector", role=VIEWER_OF_SMALL)
    liten = [f"Liten {x}" for x in "ABCDEFGH"]
    names = agency.peer_names(VIEWER_OF_SMALL, [ORG[n] for n in liten[1:]])
    by_name = {names.get(ORG[n], n): n for n in liten}
    hidden = {by_name[r["name"]]: set(r["hidden"]) for r in ranking.iter_rows(named=True)}
    shown = {by_name[r["name"]]: r for r in ranking.iter_rows(named=True)}
    assert "approval_rate" in hidden["Liten B"]  # 4 rejected
    assert "approval_rate" not in hidden["Liten C"]  # 5 rejected
    assert shown["Liten C"]["approval_rate"] == pytest.approx(rate("Liten C"))
    assert {"approval_rate", "applications_per_100_employees"} <= hidden["Liten D"]  # 4 applications
    assert not hidden["Liten E"] & {"approval_rate", "applications_per_100_employees"}  # 5 applications
    assert shown["Liten E"]["applications_per_100_employees"] == pytest.approx(5.0)
    # The viewer's own rate rests on 2 rejections: its own, so shown.
    assert hidden["Liten A"] == set() and shown["Liten A"]["approval_rate"] == pytest.approx(rate("Liten A"))


def test_a_peer_distribution_rests_only_on_figures_the_viewer_may_see(boundary_db):
    """Liten A's peers' approval rates: B's and D's are hidden, so the median and quartiles it sees
    rest on its own rate and C, E, F, G and H: a median of 8 rates with B in it would be the mean of
    two, one of them perhaps its own, and give the other away."""
    seen = [rate(f"Liten {x}") for x in "ACEFGH"]
    positions = call(boundary_db, profile.agency_positions, VIEWER_OF_SMALL, 2025, "sector", role=VIEWER_OF_SMALL)
    approval = positions.filter(pl.col("kpi") == "approval_rate").row(0, named=True)
    assert approval["peer_agencies"] == 6 and approval["hidden"] == []
    assert approval["peer_median"] == pytest.approx(median(seen))
    assert approval["lower_quartile"] == pytest.approx(quantile(seen, 0.25))
    assert approval["upper_quartile"] == pytest.approx(quantile(seen, 0.75))
    intervals = call(boundary_db, profile.approval_intervals, 2025, "sector", role=VIEWER_OF_SMALL).row(0, named=True)
    assert intervals["peer_median"] == pytest.approx(median(seen))
    # The same group as Trygghetsstiftelsen sees it rests on all eight.
    everyone = call(boundary_db, profile.agency_positions, VIEWER_OF_SMALL, 2025, "sector", role=TSN)
    assert everyone.filter(pl.col("kpi") == "approval_rate")["peer_agencies"][0] == 8


def quantile(values: list[float], share: float) -> float:
    """Linear interpolation between the order statistics, as DuckDB's quantile_cont."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    return ordered[low] + (position - low) * (ordered[min(low + 1, len(ordered) - 1)] - ordered[low])


def test_the_viewers_own_small_counts_are_its_own(boundary_db):
    """Liten A's 2 rejections and 1 pending application: everywhere it looks, its own figures whole."""
    viewer = VIEWER_OF_SMALL
    approval = call(boundary_db, profile.approval_intervals, 2025, "sector", role=viewer).row(0, named=True)
    assert (approval["granted"], approval["decided"]) == (20, 22)
    assert approval["approval_rate"] == pytest.approx(20 / 22)
    figures = call(boundary_db, profile.own_figures, viewer, role=viewer).row(0, named=True)
    assert (figures["rejected"], figures["pending"], figures["applications"]) == (2, 1, 23)
    assert figures["hidden"] == []
    mix = call(boundary_db, profile.measure_mix, viewer, 2025, role=viewer).row(0, named=True)
    assert (mix["measure"], mix["applications"], mix["granted"], mix["granted_sek"]) == ("studier", 23, 20, 100_000)
    positions = call(boundary_db, profile.agency_positions, viewer, 2025, "sector", role=viewer)
    assert positions.filter(pl.col("kpi") == "approval_rate")["value"][0] == pytest.approx(20 / 22)


def test_sector_totals_rest_on_5_other_agencies(boundary_db):
    """A sector's kronor are the viewer's own part plus the rest: hidden when the rest is 4 agencies."""
    for viewer, sector, hidden in ((VIEWER_OF_FOUR, FOUR, True), (VIEWER_OF_FIVE, FIVE, False)):
        totals = call(boundary_db, overview.year_totals, role=viewer)
        own_sector = totals.filter(pl.col("sector") == sector).row(0, named=True)
        assert ("allocated_sek" in own_sector["hidden"]) is hidden, viewer
        assert (own_sector["allocated_sek"] is None) is hidden
    # A sector of one agency that is not the viewer's is hidden for every viewer.
    for viewer in (VIEWER_OF_FOUR, VIEWER_OF_FIVE):
        alone = call(boundary_db, overview.year_totals, role=viewer).filter(pl.col("sector") == ALONE)
        assert "allocated_sek" in alone["hidden"][0]


def test_a_negative_balance_is_a_question_never_the_best_reserve(boundary_db):
    minus = ORG["Minus"]
    classes = rows(
        boundary_db,
        f"select distinct quartile_class from peer_positions where org_nr = '{minus}' and kpi = 'reserve_years'",
    )
    assert classes == [("question",)]
    # Left out of the peers' distribution: the size group holds all 20, 19 reserves count.
    [(agencies, lowest)] = rows(
        boundary_db,
        "select agencies, minimum from peer_stats where group_type = 'size' and kpi = 'reserve_years'",
    )
    assert agencies == 19 and lowest > 0
    ranking = call(boundary_db, overview.agency_ranking, 2025, "size", role=TSN)
    assert ranking.filter(pl.col("org_nr") == minus)["reserve_years_class"].to_list() == ["question"]
    # Flagged on the watchlist, with its reason in words.
    [(rule, amount, reason)] = rows(
        boundary_db, f"select rule, amount_sek, reason from idle_fund_flags() where org_nr = '{minus}'"
    )
    assert (rule, float(amount)) == ("negative_balance", -20_000.0)
    assert "negativt" in reason and "20\u00a0000\u00a0kr" in reason
    # The agency itself sees its balance as it reported it, marked.
    figures = call(boundary_db, profile.own_figures, minus, role=minus).row(0, named=True)
    assert float(figures["closing_balance_sek"]) == -20_000 and figures["negative_balance"]


# --- as the pages send it ------------------------------------------------------------------------


@pytest.fixture
def users(boundary_db, tmp_path, monkeypatch) -> dict[str, str]:
    """A roles file with a user for each agency of the fixture: its name -> the user's address."""
    addresses = {name: f"lom@{org_nr}.example" for name, org_nr in ORG.items()}
    path = tmp_path / "roles.toml"
    path.write_text("[roles]\n" + "".join(f'"{addresses[n]}" = "{ORG[n]}"\n' for n in ORG), encoding="utf-8")
    monkeypatch.setenv(auth.ROLES_FILE, str(path))
    return addresses


def test_a_viewer_with_4_other_agencies_is_shown_no_peer(boundary_db, monkeypatch, users):
    app = login_app(boundary_db, monkeypatch, {"is_logged_in": True, "email": users["Fyra A"]})
    assert any("färre än 5 andra myndigheter" in i.value for i in app.info)
    assert not app.dataframe and not app.get("vega_lite_chart")  # no ranking, no scatter
    open_page(app, "profile").run()
    captions = [c.value for c in app.caption]
    assert sum("Ingen fördelning: färre än 5 andra myndigheter" in c for c in captions) == 6
    assert not [c for c in captions if c.startswith("Median i jämförelsegruppen")]
    assert "Gruppen har färre än 5 andra myndigheter" in " ".join(m.value for m in app.markdown)
    others = [(ORG[n], n) for n in ORG if n != "Fyra A"]
    assert not _leaks(_everything_sent(app).decode("utf-8", "replace"), others)


@pytest.mark.parametrize("group", ["sector", "size", "similar"])
def test_a_hidden_peer_figure_reaches_the_browser_nowhere(boundary_db, monkeypatch, users, downloads, group):
    """Liten B's approval rate (30 of 34, hidden: 4 rejections) is in no element, chart or download Liten
    A's pages send, as a number or as its text, and no peer's name or org_nr is either."""
    secret = 30 / 34
    needles = [struct.pack("<d", secret), repr(secret).encode(), repr(secret)[:8].encode()]
    app = login_app(boundary_db, monkeypatch, {"is_logged_in": True, "email": users["Liten A"]}, grupp=group)
    sent = []
    for page in ("overview", "profile", "trends", "about"):
        open_page(app, page).run()
        assert not app.exception, page
        sent.append(_everything_sent(app))
    sent = b"".join(sent)
    assert len(sent) > 20_000
    assert struct.pack("<d", rate("Liten A")) in sent or repr(rate("Liten A"))[:8].encode() in sent  # the search works
    assert not [n for n in needles if n in sent]
    for name, make in downloads.items():
        assert not [n for n in needles if n in make()], name
    others = [(ORG[n], n) for n in ORG if n != "Liten A"]
    assert not _leaks(sent.decode("utf-8", "replace"), others)
