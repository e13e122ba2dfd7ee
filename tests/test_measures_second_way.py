"""Every measure computed a second way, in Polars from the raw tables, over the whole sample.

Nothing here reads a view of sql/ to compute an expected value: only agencies, fund_years,
applications and allocation_rates, with the definitions of PRODUCT.md written out again.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lom.queries.access import TSN
from lom.queries.connection import connect, run

GRANTED = ["beviljad", "delvis beviljad"]
DECIDED = [*GRANTED, "avslag"]
DIRECTION = {
    "utilisation": "higher_better",
    "reserve_years": "lower_better",
    "applications_per_100_employees": "higher_better",
    "approval_rate": "neutral",
    "granted_per_employee_sek": "higher_better",
    "median_handling_days": "lower_better",
}
SIZE_BREAKS = [50, 200, 1000, 5000]  # size classes 1-5: under 50, 50-199, 200-999, 1 000-4 999, 5 000-
SIMILAR_COUNT, MIN_GROUP_SIZE = 10, 4
Z = 1.959963984540054


def read(db, query: str) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(query).pl()
    finally:
        con.close()


def same(actual: pl.DataFrame, expected: pl.DataFrame, keys: list[str]) -> None:
    """Compare two frames on the expected frame's columns, rows matched by key."""
    actual = actual.select(expected.columns).sort(keys)
    expected = expected.sort(keys)
    assert_frame_equal(actual, expected, check_dtypes=False, rel_tol=1e-9, abs_tol=1e-6)


def ratio(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    numerator = pl.col(numerator) if isinstance(numerator, str) else numerator
    denominator = pl.col(denominator) if isinstance(denominator, str) else denominator
    return pl.when(denominator > 0).then(numerator.cast(pl.Float64) / denominator.cast(pl.Float64))


@pytest.fixture(scope="module", params=["sample_db", "measures_db"])
def raw(request) -> dict:
    """The raw tables of the sample and of the hand-computed fixture (which holds the edge cases:
    no employees, no allocation, a year without funds, agencies that send no applications)."""
    db = request.getfixturevalue(request.param)
    amounts = ["payroll_sek", "allocated_sek", "spent_sek", "opening_balance_sek", "closing_balance_sek"]
    return {
        "db": db,
        "is_sample": request.param == "sample_db",
        "agencies": read(db, "select org_nr, name, sector from agencies"),
        "funds": read(db, "select * exclude (load_id) from fund_years").with_columns(pl.col(amounts).cast(pl.Float64)),
        "applications": read(db, "select * from applications").with_columns(
            pl.col("received_on").dt.year().cast(pl.Int32).alias("year"),
            (pl.col("decided_on") - pl.col("received_on")).dt.total_days().alias("handling_days"),
            pl.col("granted_sek").cast(pl.Float64),
        ),
        "rates": read(
            db,
            "select first_year, coalesce(last_year, 9999) as last_year, rate::double as rate from allocation_rates",
        ),
    }


@pytest.fixture(scope="module")
def kpis(raw) -> pl.DataFrame:
    """Per agency and year, from the raw tables."""
    decision = pl.col("decision")
    counts = (
        raw["applications"]
        .group_by("org_nr", "year")
        .agg(
            pl.len().alias("applications"),
            decision.is_in(DECIDED).sum().alias("decided"),
            decision.is_in(GRANTED).sum().alias("granted"),
            (decision == "avslag").sum().alias("rejected"),
            (decision == "återtagen").sum().alias("withdrawn"),
            (decision == "under handläggning").sum().alias("pending"),
            pl.col("granted_sek").sum(),
            pl.col("handling_days").filter(decision.is_in(DECIDED)).median().alias("median_handling_days"),
        )
    )
    joined = (
        raw["funds"]
        .with_columns(pl.lit(True).alias("has_funds"))
        .join(
            counts.with_columns(pl.lit(True).alias("has_applications")),
            on=["org_nr", "year"],
            how="full",
            coalesce=True,
        )
        .join(raw["agencies"], on="org_nr")
    )
    # from an agency's first year with applications to the last year anyone has applications for,
    # a year without any is a zero; before (or for an agency that sends none) the counts are missing
    spans = (
        counts.group_by("org_nr")
        .agg(pl.col("year").min().alias("first"))
        .with_columns(pl.lit(counts["year"].max()).alias("last"))
    )
    joined = joined.join(spans, on="org_nr", how="left").with_columns(
        pl.col("year").is_between(pl.col("first"), pl.col("last")).fill_null(False).alias("reports_applications")
    )
    counted = ["applications", "decided", "granted", "rejected", "withdrawn", "pending", "granted_sek"]
    return joined.with_columns(
        *[pl.when("reports_applications").then(pl.col(c).fill_null(0)).alias(c) for c in counted],
        pl.col("has_funds", "has_applications").fill_null(False),
    ).with_columns(
        ratio("spent_sek", "allocated_sek").alias("utilisation"),
        ratio("closing_balance_sek", "allocated_sek").alias("reserve_years"),
        ratio("granted", "decided").alias("approval_rate"),
        ratio(pl.col("applications") * 100, "employees").alias("applications_per_100_employees"),
        ratio("granted_sek", "employees").alias("granted_per_employee_sek"),
        (
            pl.when(pl.col("employees").is_not_null())
            .then(1 + pl.sum_horizontal(pl.col("employees") >= b for b in SIZE_BREAKS))
            .alias("size_class")
        ),
    )


@pytest.fixture(scope="module")
def positions(kpis) -> pl.DataFrame:
    """Each agency's position in its sector, size and similar-agencies groups, computed in Polars."""
    members = _memberships(kpis)
    values = kpis.unpivot(list(DIRECTION), index=["org_nr", "year"], variable_name="kpi", value_name="value")
    member_values = members.join(values, left_on=["member_org_nr", "year"], right_on=["org_nr", "year"])
    stats = member_values.group_by("year", "group_type", "group_id", "kpi").agg(
        pl.col("value").count().alias("peer_agencies"),
        pl.col("value").quantile(0.25, interpolation="linear").alias("lower_quartile"),
        pl.col("value").quantile(0.5, interpolation="linear").alias("peer_median"),
        pl.col("value").quantile(0.75, interpolation="linear").alias("upper_quartile"),
    )
    focal = members.filter(pl.col("is_focal")).join(
        values, left_on=["member_org_nr", "year"], right_on=["org_nr", "year"]
    )
    pairs = focal.join(
        member_values.filter(pl.col("value").is_not_null()),
        on=["year", "group_type", "group_id", "kpi"],
        suffix="_peer",
    ).filter(pl.col("member_org_nr") != pl.col("member_org_nr_peer"))
    counted = pairs.group_by("year", "member_org_nr", "group_type", "kpi").agg(
        (pl.col("value_peer") < pl.col("value")).sum().alias("lower"),
        (pl.col("value_peer") > pl.col("value")).sum().alias("higher"),
        (pl.col("value_peer") == pl.col("value")).sum().alias("equal"),
    )
    frame = (
        focal.join(stats, on=["year", "group_type", "group_id", "kpi"])
        .join(counted, on=["year", "member_org_nr", "group_type", "kpi"], how="left")
        .rename({"member_org_nr": "org_nr"})
    )
    return frame.with_columns(_percentile_rank(), _quartile_class())


def _memberships(kpis: pl.DataFrame) -> pl.DataFrame:
    """(year, group_type, group_id, member_org_nr, is_focal): every group an agency is in."""
    base = kpis.select("org_nr", "year", "sector", "size_class", "employees")
    sector = base.select(
        "year",
        pl.lit("sector").alias("group_type"),
        pl.col("sector").alias("group_id"),
        pl.col("org_nr").alias("member_org_nr"),
        pl.lit(True).alias("is_focal"),
    )
    size = base.filter(pl.col("size_class").is_not_null()).select(
        "year",
        pl.lit("size").alias("group_type"),
        pl.col("size_class").cast(pl.String).alias("group_id"),
        pl.col("org_nr").alias("member_org_nr"),
        pl.lit(True).alias("is_focal"),
    )
    nearest = similar_agencies(kpis)
    similar = pl.concat(
        [
            nearest.select("year", "org_nr")
            .unique()
            .with_columns(pl.col("org_nr").alias("member_org_nr"), pl.lit(True).alias("is_focal")),
            nearest.select(
                "year", "org_nr", pl.col("peer_org_nr").alias("member_org_nr"), pl.lit(False).alias("is_focal")
            ),
        ]
    ).select(
        "year", pl.lit("similar").alias("group_type"), pl.col("org_nr").alias("group_id"), "member_org_nr", "is_focal"
    )
    return pl.concat([sector, size, similar])


def similar_agencies(kpis: pl.DataFrame) -> pl.DataFrame:
    staffed = kpis.filter(pl.col("employees") > 0).select("org_nr", "year", "sector", "employees")
    pairs = staffed.join(staffed, on="year", suffix="_peer").filter(pl.col("org_nr") != pl.col("org_nr_peer"))
    larger = pl.max_horizontal("employees", "employees_peer").cast(pl.Float64)
    smaller = pl.min_horizontal("employees", "employees_peer").cast(pl.Float64)
    pairs = pairs.with_columns(
        ((larger / smaller).log(2) + pl.when(pl.col("sector") == pl.col("sector_peer")).then(0.0).otherwise(1.0))
        .round(9)
        .alias("distance")
    )
    return (
        pairs.sort("year", "org_nr", "distance", "org_nr_peer")
        .group_by("year", "org_nr", maintain_order=True)
        .head(SIMILAR_COUNT)
        .with_columns(pl.int_range(1, pl.len() + 1).over("year", "org_nr").alias("peer_rank"))
        .rename({"org_nr_peer": "peer_org_nr"})
    )


def _percentile_rank() -> pl.Expr:
    others = pl.col("peer_agencies") - 1
    better = pl.when(pl.col("kpi").replace_strict(DIRECTION) == "lower_better").then("higher").otherwise("lower")
    return (
        pl.when(pl.col("value").is_not_null() & (pl.col("peer_agencies") >= MIN_GROUP_SIZE))
        .then((better + 0.5 * pl.col("equal")) / others)
        .alias("percentile_rank")
    )


def _quartile_class() -> pl.Expr:
    value, q1, q3 = pl.col("value"), pl.col("lower_quartile"), pl.col("upper_quartile")
    direction = pl.col("kpi").replace_strict(DIRECTION)
    above = (
        pl.when(direction == "higher_better")
        .then(pl.lit("best"))
        .when(direction == "lower_better")
        .then(pl.lit("worst"))
        .otherwise(pl.lit("high"))
    )
    below = (
        pl.when(direction == "higher_better")
        .then(pl.lit("worst"))
        .when(direction == "lower_better")
        .then(pl.lit("best"))
        .otherwise(pl.lit("low"))
    )
    return (
        pl.when(value.is_null() | (pl.col("peer_agencies") < MIN_GROUP_SIZE))
        .then(None)
        .when(value > q3)
        .then(above)
        .when(value < q1)
        .then(below)
        .otherwise(pl.lit("middle"))
        .alias("quartile_class")
    )


def test_agency_year_kpis(raw, kpis):
    columns = [
        "org_nr",
        "year",
        "name",
        "sector",
        "employees",
        "size_class",
        "allocated_sek",
        "spent_sek",
        "closing_balance_sek",
        "utilisation",
        "reserve_years",
        "applications",
        "decided",
        "granted",
        "rejected",
        "withdrawn",
        "pending",
        "approval_rate",
        "applications_per_100_employees",
        "granted_per_employee_sek",
        "median_handling_days",
        "has_funds",
        "has_applications",
        "reports_applications",
    ]
    same(read(raw["db"], "select * from agency_year_kpis"), kpis.select(columns), ["org_nr", "year"])


def test_measure_mix(raw):
    per_measure = (
        raw["applications"]
        .group_by("org_nr", "year", "measure")
        .agg(pl.len().alias("applications"), pl.col("granted_sek").sum())
    )
    expected = per_measure.with_columns(
        (pl.col("applications") / pl.col("applications").sum().over("org_nr", "year")).alias("share_of_applications"),
        ratio("granted_sek", pl.col("granted_sek").sum().over("org_nr", "year")).alias("share_of_granted_sek"),
    )
    same(read(raw["db"], "select * from agency_year_measure_mix"), expected, ["org_nr", "year", "measure"])


def test_national_and_sector_totals(raw, kpis):
    def totals(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
        reporting = pl.col("reports_applications")
        both = reporting & pl.col("has_funds")
        funds_sum = pl.when(pl.col("has_funds").any())  # no agency with funds: no sum, not 0
        return frame.group_by(by).agg(
            pl.col("has_funds").sum().alias("agencies_with_funds"),
            reporting.sum().alias("agencies_with_applications"),
            funds_sum.then(pl.col("allocated_sek").sum()).alias("allocated_sek"),
            funds_sum.then(pl.col("closing_balance_sek").sum()).alias("closing_balance_sek"),
            ratio(pl.col("spent_sek").sum(), pl.col("allocated_sek").sum()).alias("utilisation"),
            pl.when(reporting.any()).then(pl.col("applications").filter(reporting).sum()).alias("applications"),
            ratio(pl.col("granted").sum(), pl.col("decided").sum()).alias("approval_rate"),
            ratio(100 * pl.col("applications").filter(both).sum(), pl.col("employees").filter(both).sum()).alias(
                "applications_per_100_employees"
            ),
            ratio(pl.col("granted_sek").filter(both).sum(), pl.col("employees").filter(both).sum()).alias(
                "granted_per_employee_sek"
            ),
        )

    handling = raw["applications"].filter(pl.col("decision").is_in(DECIDED))
    national = totals(kpis, ["year"]).join(
        handling.group_by("year").agg(pl.col("handling_days").median().alias("median_handling_days")),
        on="year",
        how="left",
    )
    sectors = totals(kpis, ["year", "sector"])
    found = read(raw["db"], "select * from year_totals")
    same(found.filter(pl.col("is_national")), national, ["year"])
    same(found.filter(~pl.col("is_national")), sectors, ["year", "sector"])


def test_similar_agencies(raw, kpis):
    expected = similar_agencies(kpis).select("year", "org_nr", "peer_rank", "peer_org_nr", "distance")
    same(read(raw["db"], "select * from similar_agencies"), expected, ["year", "org_nr", "peer_rank"])


def test_peer_medians_quartiles_ranks_and_classes(raw, positions):
    columns = [
        "year",
        "org_nr",
        "group_type",
        "kpi",
        "value",
        "peer_agencies",
        "lower_quartile",
        "peer_median",
        "upper_quartile",
        "percentile_rank",
        "quartile_class",
    ]
    found = read(raw["db"], "select * from peer_positions")
    assert found.height == positions.height
    same(found, positions.select(columns), ["year", "org_nr", "group_type", "kpi"])
    if raw["is_sample"]:
        assert set(found["quartile_class"].drop_nulls()) == {"best", "middle", "worst", "high", "low"}


def wilson(p: pl.Expr, n: pl.Expr, side: int) -> pl.Expr:
    """A Wilson 95 % limit of a share p of n trials, computed here from its formula."""
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * (p * (1 - p) / n + Z**2 / (4 * n * n)).sqrt()
    return (centre + side * half).clip(0, 1)


def test_wilson_intervals_funnel_limits_and_flags(raw, kpis, positions):
    rates = kpis.filter(pl.col("decided") > 0).select("org_nr", "year", "granted", "decided", "approval_rate")
    p, n = pl.col("approval_rate"), pl.col("decided").cast(pl.Float64)
    expected = rates.with_columns(wilson(p, n, -1).alias("wilson_low"), wilson(p, n, 1).alias("wilson_high"))
    medians = positions.filter(pl.col("kpi") == "approval_rate").select(
        "org_nr", "year", "group_type", "peer_median", "peer_agencies"
    )
    median = pl.col("peer_median")
    # The funnel: the Wilson limits of the peer median for as many decisions; outside it, a difference.
    expected = expected.join(medians, on=["org_nr", "year"]).with_columns(
        wilson(median, n, -1).alias("funnel_low"), wilson(median, n, 1).alias("funnel_high")
    )
    expected = expected.with_columns(
        pl.when(pl.col("peer_agencies") < MIN_GROUP_SIZE)
        .then(None)
        .when(pl.col("approval_rate") > pl.col("funnel_high") + 1e-9)
        .then(pl.lit("above"))
        .when(pl.col("approval_rate") < pl.col("funnel_low") - 1e-9)
        .then(pl.lit("below"))
        .otherwise(pl.lit("within"))
        .alias("difference"),
    )
    found = read(raw["db"], "select * from approval_rate_intervals where decided > 0")
    same(found, expected.drop("peer_agencies"), ["org_nr", "year", "group_type"])
    if raw["is_sample"]:
        assert set(found["difference"]) == {"above", "below", "within", None}
    # At a median of 100 % the funnel keeps a width: n / (n + z^2) up to 1.
    edge = found.filter((pl.col("peer_median") == 1) & pl.col("funnel_low").is_not_null())
    if raw["is_sample"]:
        assert edge.height > 0
    for row in edge.iter_rows(named=True):
        assert row["funnel_low"] == pytest.approx(row["decided"] / (row["decided"] + Z**2))
        assert row["funnel_high"] == 1


@pytest.mark.parametrize(("reserve_limit", "utilisation_limit", "low_years"), [(3, 0.5, 3), (2, 0.55, 2), (4, 0.9, 1)])
def test_idle_fund_flags(raw, kpis, reserve_limit, utilisation_limit, low_years):
    funds = kpis.filter(pl.col("has_funds")).sort("org_nr", "year")
    expected = []
    by_year = {(r["org_nr"], r["year"]): r for r in funds.iter_rows(named=True)}
    for (org_nr, year), row in by_year.items():
        if row["reserve_years"] is not None and row["reserve_years"] > reserve_limit:
            excess = row["closing_balance_sek"] - reserve_limit * row["allocated_sek"]
            expected.append((org_nr, year, "reserve", excess))
        if row["allocated_sek"] == 0 and row["closing_balance_sek"] > 0:
            expected.append((org_nr, year, "reserve", row["closing_balance_sek"]))
        run = [by_year.get((org_nr, y)) for y in range(year - low_years + 1, year + 1)]
        if all(r is not None and r["utilisation"] is not None and r["utilisation"] < utilisation_limit for r in run):
            unspent = sum(r["allocated_sek"] - r["spent_sek"] for r in run)
            expected.append((org_nr, year, "low_utilisation", unspent))
    schema = {"org_nr": pl.String, "year": pl.Int32, "rule": pl.String, "amount_sek": pl.Float64}
    found = read(
        raw["db"],
        "select org_nr, year, rule, amount_sek::double as amount_sek from idle_fund_flags("
        f"reserve_limit := {reserve_limit}, utilisation_limit := {utilisation_limit}, low_years := {low_years})",
    )
    assert {"reserve", "low_utilisation"} <= set(found["rule"])
    same(found, pl.DataFrame(expected, schema=schema, orient="row"), ["org_nr", "year", "rule"])


@pytest.mark.parametrize("group_type", ["similar", "sector"])
def test_projection_summary(raw, kpis, positions, group_type):
    funds = {(r["org_nr"], r["year"]): r for r in kpis.filter(pl.col("has_funds")).iter_rows(named=True)}
    peers = {
        (r["org_nr"], r["year"]): (r["peer_median"], r["peer_agencies"])
        for r in positions.filter((pl.col("kpi") == "reserve_years") & (pl.col("group_type") == group_type)).iter_rows(
            named=True
        )
    }
    rates = raw["rates"].rows()

    def rate(year: int) -> float:
        return next(r for first, last, r in rates if first <= year <= last)

    expected = []
    for (org_nr, base), row in funds.items():
        recent = [funds[(org_nr, y)]["utilisation"] for y in range(base - 2, base + 1) if (org_nr, y) in funds]
        recent = [u for u in recent if u is not None]
        if not recent:
            continue
        mean = sum(recent) / len(recent)
        allocated, balances = 0.0, []
        for step in range(1, 31):
            allocation = row["payroll_sek"] * rate(base + step)
            allocated += allocation
            balances.append((base + step, max(0.0, row["closing_balance_sek"] + (1 - mean) * allocated), allocation))
        over_now = row["reserve_years"] is not None and row["reserve_years"] > 3
        crossing = None if over_now else next((y for y, b, a in balances if a > 0 and b / a > 3), None)
        year3, balance3, allocation3 = balances[2]
        median, agencies = peers.get((org_nr, base), (None, 0))
        extra = None if agencies < MIN_GROUP_SIZE else max(0.0, (balance3 - median * allocation3) / 3)
        expected.append(
            {
                "org_nr": org_nr,
                "base_year": base,
                "mean_utilisation": mean,
                "horizon_year": year3,
                "horizon_balance_sek": balance3,
                "crossing_year": crossing,
                "extra_spending_per_year_sek": extra,
            }
        )
    expected = pl.DataFrame(expected, infer_schema_length=None)
    found = read(raw["db"], f"select * from projection_summary(peer_group := '{group_type}')")
    same(found, expected, ["org_nr", "base_year"])
    assert found["crossing_year"].drop_nulls().len() > 0
    assert math.isclose(found["extra_spending_per_year_sek"].max(), expected["extra_spending_per_year_sek"].max())


@pytest.mark.parametrize("decided", [1, 400, 33_017, 2_000_000])
def test_the_funnel_of_a_count_bound_from_python(sample_db, decided):
    """An agency's own difference from its peer median binds its count of decisions from Python, a
    32-bit integer in DuckDB: at 33 017 decisions (the busiest agency-year at 100x) 4 n² no longer
    fits one. The limits and the difference are those of the formula, worked out here."""
    with connect(sample_db) as con:
        found = run(con, "approval_difference", role=TSN, approval_rate=0.5, peer_median=0.75, decided=decided)
    row = found.row(0, named=True)
    p, n = 0.75, decided
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
    assert row["funnel_low"] == pytest.approx(max(0, centre - half), abs=1e-11)
    assert row["funnel_high"] == pytest.approx(min(1, centre + half), abs=1e-11)
    assert row["difference"] == ("below" if centre - half > 0.5 else "within")
