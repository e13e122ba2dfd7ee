"""What every agency of the sample is shown, year by year, against the raw tables: its peer group of
that year once (a group of many years is not a bigger group), no peer's rate that rests on a count
of 1 to 4 whatever the peer's org_nr, its own measures once each; and a national share of a measure
type hidden when the rest of the nation is small (a fixture of two measure types).

Expected figures come from the raw tables (agencies, fund_years, applications) by SQL written here."""

from __future__ import annotations

from datetime import date
from statistics import median

import polars as pl
import pytest

from lom.queries import overview, profile
from lom.queries.connection import connect
from lom.queries.disclosure import MIN_OTHER_AGENCIES
from pipelines.load import load_files
from sample_data.generate import fictitious_org_nr

from . import boundary_fixture
from .boundary_fixture import ORG

GRANTED = ("beviljad", "delvis beviljad")
DECIDED = (*GRANTED, "avslag")


def members(con, viewer: str, year: int) -> list[str]:
    """The viewer's sector group of a year, from the raw tables: the sector's agencies with funds."""
    return [
        r[0]
        for r in con.execute(
            "select a.org_nr from agencies a join fund_years f using (org_nr) where f.year = ? "
            "and a.sector = (select sector from agencies where org_nr = ?) order by 1",
            [year, viewer],
        ).fetchall()
    ]


def counts(con, year: int) -> dict[str, dict[str, int]]:
    """Every agency's applications, decided, granted and rejected of a year received, from the raw rows."""
    rows = con.execute(
        "select org_nr, count(*), count(*) filter (where decision in ?), count(*) filter (where decision in ?), "
        "count(*) filter (where decision = 'avslag') from applications where year(received_on) = ? group by 1",
        [list(DECIDED), list(GRANTED), year],
    ).fetchall()
    return {o: {"applications": a, "decided": d, "granted": g, "rejected": r} for o, a, d, g, r in rows}


def is_small(n: int) -> bool:
    return 1 <= n <= 4


@pytest.fixture(scope="module")
def viewers(sample_db) -> list[str]:
    with connect(sample_db) as con:
        return [r[0] for r in con.sql("select org_nr from agencies order by org_nr").fetchall()]


@pytest.mark.parametrize("year", [2025, 2019])
def test_each_viewers_ranking_holds_its_group_of_that_year_once(sample_db, viewers, year):
    seen_peers = 0
    with connect(sample_db) as con:
        for viewer in viewers:
            group = members(con, viewer, year)
            if viewer not in group:
                continue
            ranking = overview.agency_ranking(con, year, "sector", role=viewer)
            expected = len(group) if len(group) - 1 >= MIN_OTHER_AGENCIES else 1
            assert ranking.height == expected, viewer
            assert ranking["name"].n_unique() == ranking.height and ranking["is_self"].sum() == 1
            seen_peers += ranking.height - 1
    assert seen_peers > 100  # the sample's groups do show peers


def test_no_peer_rate_that_rests_on_a_small_count_is_shown_whatever_its_org_nr(sample_db, viewers):
    year = 2025
    hidden_somewhere = 0
    with connect(sample_db) as con:
        by_agency = counts(con, year)
        for viewer in viewers:
            group = members(con, viewer, year)
            if viewer not in group or len(group) - 1 < MIN_OTHER_AGENCIES:
                continue
            peers = [
                by_agency.get(o, dict.fromkeys(("applications", "decided", "granted", "rejected"), 0))
                for o in group
                if o != viewer
            ]
            allowed = sorted(
                c["granted"] / c["decided"]
                for c in peers
                if c["decided"] and not any(is_small(c[k]) for k in ("decided", "granted", "rejected"))
            )
            ranking = overview.agency_ranking(con, year, "sector", role=viewer)
            shown = sorted(ranking.filter(~pl.col("is_self"))["approval_rate"].drop_nulls().cast(pl.Float64).to_list())
            assert shown == pytest.approx(allowed), viewer
            hidden_somewhere += len([c for c in peers if c["decided"]]) - len(allowed)
    assert hidden_somewhere > 0  # the sample has peers whose rates rest on small counts


def test_each_viewers_own_measures_appear_once_with_its_own_values(sample_db, viewers):
    year = 2025
    with connect(sample_db) as con:
        by_agency = counts(con, year)
        for viewer in viewers:
            positions = profile.agency_positions(con, viewer, year, "sector", role=viewer)
            if positions.is_empty():
                continue
            assert positions["kpi"].n_unique() == positions.height, viewer
            # The peers' distribution of utilisation shows only with 5 other agencies with funds.
            utilisation = positions.filter(pl.col("kpi") == "utilisation").row(0, named=True)
            others = len(members(con, viewer, year)) - 1
            assert ("peer_median" in utilisation["hidden"]) == (others < MIN_OTHER_AGENCIES), viewer
            own = by_agency.get(viewer)
            approval = positions.filter(pl.col("kpi") == "approval_rate")["value"].to_list()
            if own and own["decided"]:
                assert approval == [pytest.approx(own["granted"] / own["decided"])], viewer


def test_a_national_share_whose_rest_is_small_is_hidden_with_its_complement(tmp_path):
    # The boundary fixture's applications are all "studier". Fem A sends 2 "mentorskap" applications
    # and Fem B 3: the nation's 5, less Fem A's own 2, leaves 3 (small) from one other agency, so the
    # national shares of mentorskap hide for Fem A, and those of studier with them (the national
    # total is shown, so studier = total - mentorskap). Fem C, with none of its own, sees 5
    # applications from 2 agencies: the count is not small, but 2 agencies are, so it hides too.
    files = boundary_fixture.write_files(tmp_path / "files")
    extra = [(ORG["Fem A"], 2), (ORG["Fem B"], 3)]
    lines = [
        f"M{n}-{i};{org};{date(2025, 4, 1)};{date(2025, 4, 10)};mentorskap;beviljad;5000;5000\n"
        for n, (org, many) in enumerate(extra)
        for i in range(many)
    ]
    with files[2].open("a", encoding="utf-8") as out:
        out.writelines(lines)
    db = tmp_path / "lom.duckdb"
    assert [o.status for o in load_files(files, db)] == ["loaded"] * 3
    shares = ["national_share_of_applications", "national_share_of_granted_sek"]
    with connect(db) as con:
        for viewer in (ORG["Fem A"], ORG["Fem C"]):
            mix = profile.measure_mix(con, viewer, 2025, role=viewer)
            assert sorted(mix["measure"]) == ["mentorskap", "studier"]
            for row in mix.iter_rows(named=True):
                assert set(shares) <= set(row["hidden"]), (viewer, row["measure"])
                assert all(row[s] is None for s in shares), (viewer, row["measure"])
        # Fem A's own counts and shares are its own, always shown: 2 mentorskap and 26 studier.
        own = profile.measure_mix(con, ORG["Fem A"], 2025, role=ORG["Fem A"]).sort("measure")
        assert own["applications"].to_list() == [2, 26] and own["granted"].to_list() == [2, 20]
        assert own["share_of_applications"].to_list() == pytest.approx([2 / 28, 26 / 28])
        assert own["share_of_granted_sek"].to_list() == pytest.approx([10_000 / 110_000, 100_000 / 110_000])


def test_the_totals_of_the_viewers_own_sector_hide_when_its_others_are_few(tmp_path):
    # The boundary fixture without its lone agency, so that no other sector is small. Each of the
    # five "Fyra" agencies: its sector's totals rest on 4 other agencies, so they hide (with "Fem",
    # the smaller of the other two, as complement), whichever agency sorts first by name or org_nr.
    files = boundary_fixture.write_files(tmp_path / "files")
    for file in files:
        kept = [line for line in file.read_text(encoding="utf-8").splitlines(keepends=True) if ORG["Minus"] not in line]
        file.write_text("".join(kept), encoding="utf-8")
    db = tmp_path / "lom.duckdb"
    assert [o.status for o in load_files(files, db)] == ["loaded"] * 3
    with connect(db) as con:
        for letter in "ABCDE":
            viewer = ORG[f"Fyra {letter}"]
            totals = overview.year_totals(con, role=viewer)
            own_sector = totals.filter(pl.col("sector") == boundary_fixture.FOUR).row(0, named=True)
            assert own_sector["allocated_sek"] is None and "allocated_sek" in own_sector["hidden"], letter
            hidden = {r["sector"] for r in totals.filter(pl.col("year") == 2025).iter_rows(named=True) if r["hidden"]}
            assert hidden == {boundary_fixture.FOUR, boundary_fixture.FIVE}, letter


def test_the_approval_peer_check_counts_the_other_agencies_with_a_shown_rate(sample_db, viewers):
    # Every viewer with decisions of its own: the peer median shows only when at least 5 other
    # agencies of its group have a rate it may see, and is then their median with its own rate.
    year = 2025
    at_the_boundary = 0
    with connect(sample_db) as con:
        by_agency = counts(con, year)

        def rate(org_nr: str) -> float | None:
            c = by_agency.get(org_nr)
            if not c or not c["decided"] or any(is_small(c[k]) for k in ("decided", "granted", "rejected")):
                return None
            return c["granted"] / c["decided"]

        for viewer in viewers:
            own = by_agency.get(viewer)
            group = members(con, viewer, year)
            if viewer not in group or not own or not own["decided"]:
                continue
            others = [r for r in (rate(o) for o in group if o != viewer) if r is not None]
            row = profile.approval_intervals(con, year, "sector", role=viewer).row(0, named=True)
            if len(others) < MIN_OTHER_AGENCIES:
                assert "peer_median" in row["hidden"] and row["peer_median"] is None, viewer
                at_the_boundary += len(others) == MIN_OTHER_AGENCIES - 1
            else:
                assert row["hidden"] == [], viewer
                assert row["peer_median"] == pytest.approx(median([*others, own["granted"] / own["decided"]]))
                # The funnel around the median, as numbers, and the difference from it in words.
                assert isinstance(row["funnel_low"], float) and isinstance(row["funnel_high"], float)
                assert row["funnel_low"] <= row["peer_median"] <= row["funnel_high"]
                assert row["difference"] in ("above", "below", "within")
    assert at_the_boundary > 0  # the sample has viewers with exactly 4 other agencies with a rate


def test_an_agency_with_applications_but_no_funds_sees_its_own_approval_rate(tmp_path):
    # An agency that sent its applications but not yet its funds for the year sees its own rate.
    files = boundary_fixture.write_files(tmp_path / "files")
    late = fictitious_org_nr(930)
    with files[0].open("a", encoding="utf-8") as out:
        out.write(f"{late};Sen med medel;{boundary_fixture.FIVE}\n")
    with files[2].open("a", encoding="utf-8") as out:
        out.writelines(
            f"S-{i};{late};2025-03-01;2025-03-20;studier;{'beviljad' if i < 7 else 'avslag'};5000;"
            f"{5000 if i < 7 else 0}\n"
            for i in range(10)
        )
    db = tmp_path / "lom.duckdb"
    assert [o.status for o in load_files(files, db)] == ["loaded"] * 3
    with connect(db) as con:
        row = profile.approval_intervals(con, 2025, "sector", role=late).row(0, named=True)
    assert row["approval_rate"] == pytest.approx(0.7)


def test_a_member_without_a_rate_does_not_count_toward_the_approval_peer_check(tmp_path):
    # The five agencies of "Fyra" and a sixth with funds but no applications, whose org_nr sorts
    # first: Fyra A has 5 other agencies in its group but only 4 with a rate, so no peer check.
    files = boundary_fixture.write_files(tmp_path / "files")
    first = min(ORG[f"Fyra {x}"] for x in "ABCDE")
    serial = next(s for s in range(100, 940) if fictitious_org_nr(s) < first)
    silent = fictitious_org_nr(serial)
    with files[0].open("a", encoding="utf-8") as out:
        out.write(f"{silent};Fyra tyst;{boundary_fixture.FOUR}\n")
    with files[1].open("a", encoding="utf-8") as out:
        out.write(f"{silent};2025;100;25000000;50000;30000;40000;60000\n")
    db = tmp_path / "lom.duckdb"
    assert [o.status for o in load_files(files, db)] == ["loaded"] * 3
    viewer = ORG["Fyra A"]
    with connect(db) as con:
        assert len(members(con, viewer, 2025)) == 6
        row = profile.approval_intervals(con, 2025, "sector", role=viewer).row(0, named=True)
    assert "peer_median" in row["hidden"] and row["peer_median"] is None
    assert row["approval_rate"] == pytest.approx(20 / 26)  # its own, always
    with connect(db) as con:  # the silent agency itself: no decisions, so no approval rate
        assert profile.approval_intervals(con, 2025, "sector", role=silent)["approval_rate"].to_list() == [None]
