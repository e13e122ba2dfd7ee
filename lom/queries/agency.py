"""What an agency viewer gets from the query layer: its own agency by name, peers under keyed
pseudonyms as ratios and distributions, and every figure through disclosure control.

The public query functions of queries/ call these when the role is an agency's org_nr. Every
frame returned here has a `hidden` column: per row, the names of the columns disclosure control
hid (their values are null, and the pages show them as `..`). Nothing returned carries another
agency's name or org_nr.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import duckdb
import polars as pl

from lom.db import keys, measures
from lom.queries import disclosure
from lom.queries.connection import run
from lom.queries.disclosure import MIN_OTHER_AGENCIES, Line, small

HIDDEN_COLUMNS = "hidden"  # per row, the names of the columns disclosure control hid

# The columns of an agency's peer ranking; no amounts in kronor, no head-counts, no org_nr.
RANKING_COLUMNS = [
    "name",
    "is_self",
    *measures.compared(),
    "has_funds",
    "has_applications",
    "reports_applications",
    "peer_group",
    *(f"{key}_class" for key in measures.compared()),
]

# Which counts each rate rests on: a rate is hidden when one of its counts is 1 to 4.
RESTS_ON = {
    "approval_rate": ("decided", "granted", "rejected"),
    "applications_per_100_employees": ("applications",),
    "granted_per_employee_sek": ("granted",),
    "median_handling_days": ("decided",),
}
MONEY = ("allocated_sek", "spent_sek", "closing_balance_sek")
MONEY_RATES = ("utilisation", "reserve_years")


def with_hidden(frame: pl.DataFrame, hidden: list[list[str]]) -> pl.DataFrame:
    """Null the hidden cells of each row and record their columns in `hidden`."""
    frame = frame.with_columns(pl.Series(HIDDEN_COLUMNS, [sorted(set(h)) for h in hidden], dtype=pl.List(pl.String)))
    for column in {c for row in hidden for c in row}:
        if column in frame.columns:
            frame = frame.with_columns(
                pl.when(pl.col(HIDDEN_COLUMNS).list.contains(column)).then(None).otherwise(pl.col(column)).alias(column)
            )
    return frame


def hidden_rates(counts: dict) -> list[str]:
    """The rates of one agency-year that rest on a count of 1 to 4."""
    return [rate for rate, rests in RESTS_ON.items() if any(small(counts.get(c)) for c in rests)]


def peer_names(viewer: str, org_nrs: Iterable[str]) -> dict[str, str]:
    """The viewer's pseudonyms for its peers, keyed by the server's pseudonym key."""
    return disclosure.pseudonyms(disclosure.peer_key(keys.read_key()), viewer, org_nrs)


def own_only(frame: pl.DataFrame, viewer: str) -> pl.DataFrame:
    """The viewer's own rows, shown whole: it holds every one of its own figures."""
    return frame.filter(pl.col("org_nr") == viewer).with_columns(
        pl.lit([], dtype=pl.List(pl.String)).alias(HIDDEN_COLUMNS)
    )


# --- Översikt ---------------------------------------------------------------------------------


def agencies(frame: pl.DataFrame, viewer: str) -> pl.DataFrame:
    """Of the list of agencies, the viewer's own only."""
    return frame.filter(pl.col("org_nr") == viewer)


def ranking(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, year: int, group_type: str, viewer: str):
    """The viewer's agency and its peers in a year: peers pseudonymised, rates that rest on small
    counts hidden, classes among the values the viewer may see, no peers at all when the group has
    fewer than MIN_OTHER_AGENCIES besides the viewer."""
    group = shown_group(con, viewer, group_type, year)
    counts = group.counts
    if counts.height - 1 < MIN_OTHER_AGENCIES:
        counts = counts.filter(pl.col("org_nr") == viewer)
    classes = group.positions.pivot("kpi", index="org_nr", values="quartile_class")
    classes = classes.rename({c: f"{c}_class" for c in classes.columns if c != "org_nr"})
    frame = frame.drop(*classes.columns[1:], strict=False)
    frame = frame.join(counts.select("org_nr"), on="org_nr").join(classes, on="org_nr", how="left")
    names = peer_names(viewer, set(counts["org_nr"]) - {viewer})
    frame = frame.with_columns(
        (pl.col("org_nr") == viewer).alias("is_self"),
        pl.when(pl.col("org_nr") == viewer)
        .then(pl.col("name"))
        .otherwise(pl.col("org_nr").replace_strict(names, default=None))
        .alias("name"),
    )
    hidden = [[*rates, *(f"{r}_class" for r in rates)] for rates in (group.hidden.get(o, []) for o in frame["org_nr"])]
    # Sorted by pseudonym: an order that follows neither names nor size.
    return (
        with_hidden(frame, hidden)
        .select(*RANKING_COLUMNS, HIDDEN_COLUMNS)
        .sort("is_self", "name", descending=[True, False])
    )


@dataclass(frozen=True)
class ShownGroup:
    """The viewer's peer group in a year as the viewer may see it.

    counts: the members (org_nr) with the counts behind their rates; hidden: per peer, the rates that
    rest on a count of 1 to 4 (never the viewer's own); positions: per member and measure, the peer
    distribution over the values shown (sql/app/shown_peer_positions.sql).
    """

    counts: pl.DataFrame
    hidden: dict[str, list[str]]
    positions: pl.DataFrame


# Within `reading_once()`: the peer groups already read, by connection, viewer and group type.
_GROUPS_READ: ContextVar[dict | None] = ContextVar("groups_read", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block, each viewer's peer group is read from the database once and shared by the
    queries that show it (positions, trend, approval): for a report, which reads them all at once.
    The block's reads see the database as it was at the first; outside a block nothing is kept."""
    token = _GROUPS_READ.set({})
    try:
        yield
    finally:
        _GROUPS_READ.reset(token)


def _read_group(con: duckdb.DuckDBPyConnection, viewer: str, group_type: str) -> tuple:
    """The viewer's peer group over every year: counts, the keys of the hidden rates, positions."""
    read = _GROUPS_READ.get()
    if read is not None and (con, viewer, group_type) in read:
        return read[con, viewer, group_type]
    counts = run(con, "peer_counts", role=viewer, org_nr=viewer, group_type=group_type)
    hidden_keys = [
        f"{row['year']}|{row['org_nr']}|{rate}"
        for row in counts.iter_rows(named=True)
        if row["org_nr"] != viewer  # its own: it holds them
        for rate in hidden_rates(row)
    ]
    positions = run(con, "shown_peer_positions", role=viewer, org_nr=viewer, group_type=group_type, hidden=hidden_keys)
    if read is not None:
        read[con, viewer, group_type] = counts, hidden_keys, positions
    return counts, hidden_keys, positions


def shown_group(con: duckdb.DuckDBPyConnection, viewer: str, group_type: str, year: int | None = None) -> ShownGroup:
    """The viewer's peer group, one year or every year, with the distributions resting only on what it may see."""
    counts, hidden_keys, positions = _read_group(con, viewer, group_type)
    if year is not None:
        counts, positions = counts.filter(pl.col("year") == year), positions.filter(pl.col("year") == year)
    hidden: dict[str, list[str]] = {}
    for key in hidden_keys:
        key_year, org_nr, rate = key.split("|")
        if year is None or int(key_year) == year:
            hidden.setdefault(org_nr, []).append(rate)
    return ShownGroup(counts, hidden, positions)


# --- national and sector totals ---------------------------------------------------------------


def year_totals(con: duckdb.DuckDBPyConnection, totals: pl.DataFrame, viewer: str) -> pl.DataFrame:
    """National and sector totals with disclosure control, year by year.

    Amounts in kronor, and the rates on them, must rest on at least MIN_OTHER_AGENCIES agencies besides
    the viewer's own; counts of applications on 0 or at least 5 persons besides the viewer's own.
    The national figure is the sum of the sectors', so one hidden sector hides a second.
    """
    own = run(con, "own_counts", role=viewer, org_nr=viewer)
    own_sector = run(con, "agencies", role=viewer).filter(pl.col("org_nr") == viewer)["sector"]
    own_sector = own_sector[0] if len(own_sector) else None
    by_year = {row["year"]: row for row in own.iter_rows(named=True)}
    hidden_by_row: dict[tuple, list[str]] = {}
    for year, rows in totals.group_by("year"):
        hidden_by_row.update(_year_hidden(rows, by_year.get(year[0]), own_sector))
    hidden = [hidden_by_row.get((r["year"], r["is_national"], r["sector"]), []) for r in totals.iter_rows(named=True)]
    keep = [
        "year",
        "is_national",
        "sector",
        "agencies_with_funds",
        "agencies_with_applications",
        *MONEY,
        *MONEY_RATES,
        "applications",
        "approval_rate",
        "applications_per_100_employees",
        "granted_per_employee_sek",
        "median_handling_days",
    ]
    return with_hidden(totals, hidden).select(*keep, HIDDEN_COLUMNS)


def _year_hidden(rows: pl.DataFrame, own: dict | None, own_sector: str | None) -> dict[tuple, list[str]]:
    """The hidden columns of each national or sector row of one year."""
    sectors = [r for r in rows.iter_rows(named=True) if not r["is_national"]]
    national = next((r for r in rows.iter_rows(named=True) if r["is_national"]), None)
    if national is None:
        return {}
    own_funds = bool(own and own["has_funds"])
    own_reports = bool(own and own["reports_applications"])

    def cell(row):
        return "national" if row["is_national"] else f"sector:{row['sector']}"

    def key(row):
        return (row["year"], row["is_national"], row["sector"])

    result: dict[tuple, list[str]] = {key(r): [] for r in [national, *sectors]}
    lines = [Line("national", tuple(cell(s) for s in sectors))]
    mine = {cell(national)} | {cell(s) for s in sectors if s["sector"] == own_sector}

    def family(units_of, own_units, columns):
        # Each total is the viewer's part (known) plus the rest; the rest must not be small.
        units, known = {}, set()
        for row in [national, *sectors]:
            units[cell(row)] = units_of(row)
            if cell(row) in mine:
                units[f"own|{cell(row)}"] = own_units
                units[f"rest|{cell(row)}"] = units_of(row) - own_units
                known.add(f"own|{cell(row)}")
        own_lines = [Line(c, (f"own|{c}", f"rest|{c}")) for c in mine]
        shown = {cell(r) for r in [national, *sectors]}
        sensitive = {c for c, n in units.items() if small(n) and c not in known}
        for row in [national, *sectors]:
            if cell(row) in mine:
                sensitive.discard(cell(row))  # its rest, not the total itself, is what must not show
        hidden = disclosure.protect(units, lines + own_lines, shown=shown, known=known, sensitive=sensitive)
        for row in [national, *sectors]:
            if cell(row) in hidden:
                result[key(row)].extend(columns)

    family(
        lambda r: r["agencies_with_funds"],
        1 if own_funds else 0,
        [*MONEY, *MONEY_RATES, "granted_per_employee_sek"],
    )
    family(lambda r: r["agencies_with_applications"], 1 if own_reports else 0, [*RESTS_ON, "applications"])
    for count, columns in (
        ("applications", ["applications", "applications_per_100_employees"]),
        ("decided", ["approval_rate", "median_handling_days"]),
        ("granted", ["approval_rate", "granted_per_employee_sek"]),
        ("rejected", ["approval_rate"]),
    ):
        family(lambda r, c=count: int(r[c] or 0), int((own or {}).get(count) or 0), columns)
    return result


def national_summary(totals: pl.DataFrame, year: int) -> pl.DataFrame:
    """The national figures of a year beside the year before's, from protected totals."""
    national = totals.filter(pl.col("is_national"))
    now, before = national.filter(pl.col("year") == year), national.filter(pl.col("year") == year - 1)
    if now.is_empty():
        return pl.DataFrame()
    columns = [c for c in now.columns if c not in ("year", "is_national", "sector", HIDDEN_COLUMNS)]
    row = {"year": year}
    for column in columns:
        row[column] = now[column][0]
        row[f"previous_{column}"] = before[column][0] if not before.is_empty() else None
    hidden = list(now[HIDDEN_COLUMNS][0])
    if not before.is_empty():
        hidden += [f"previous_{c}" for c in before[HIDDEN_COLUMNS][0]]
    return pl.DataFrame([row]).with_columns(pl.Series(HIDDEN_COLUMNS, [hidden], dtype=pl.List(pl.String)))


# --- Myndighetsprofil -------------------------------------------------------------------------


DISTRIBUTION = ["peer_agencies", "lower_quartile", "peer_median", "upper_quartile", "quartile_class"]


def positions(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, viewer: str, group_type: str, year=None):
    """The viewer's measures beside its peer group's distribution: its own values always (it holds
    them); the distribution over its own value and the peers' values it may see, hidden when fewer
    than MIN_OTHER_AGENCIES other agencies have one. `year`: the frame's year, when it has no year column."""
    shown = shown_group(con, viewer, group_type).positions.filter(pl.col("org_nr") == viewer)
    if "year" not in frame.columns:
        frame = frame.with_columns(pl.lit(year, dtype=pl.Int32).alias("year"))
    frame = frame.drop(*DISTRIBUTION, "percentile_rank", strict=False).join(
        shown.select("year", "kpi", "other_agencies", *DISTRIBUTION), on=["year", "kpi"], how="left"
    )
    hidden = [
        DISTRIBUTION[1:] if (others or 0) < MIN_OTHER_AGENCIES else [] for others in frame["other_agencies"].to_list()
    ]
    return with_hidden(frame.drop("other_agencies"), hidden)


def measure_mix(con: duckdb.DuckDBPyConnection, viewer: str, year: int) -> pl.DataFrame:
    """The viewer's applications, grants and granted kronor per measure type, all shown (it holds
    them), beside the national shares with disclosure control: a national figure is hidden when
    the part of it that is not the viewer's rests on 1 to 4 applications or agencies, with a
    complement so that the national total does not give it away."""
    mix = run(con, "measure_mix_counts", role=viewer, org_nr=viewer, year=year)
    measures = mix["measure"].to_list()
    rows = {r["measure"]: r for r in mix.iter_rows(named=True)}
    hidden: dict[str, list[str]] = {m: [] for m in measures}
    for count, shares in (("applications", "applications"), ("granted", "granted_sek")):
        own = {m: int(rows[m][count] or 0) for m in measures}
        national = {m: int(rows[m][f"national_{count}"] or 0) for m in measures}
        agencies = {m: int(rows[m]["national_agencies"] or 0) for m in measures}
        for m in national_beside_own(own, national, agencies, total="national"):
            hidden[m].append(f"national_share_of_{shares}")
    frame = mix.select(
        "measure",
        "applications",
        "granted",
        "granted_sek",
        _share(mix, "applications").alias("share_of_applications"),
        _share(mix, "granted_sek").alias("share_of_granted_sek"),
        _share(mix, "national_applications").alias("national_share_of_applications"),
        _share(mix, "national_granted_sek").alias("national_share_of_granted_sek"),
    )
    return with_hidden(frame, [hidden[m] for m in frame["measure"]])


def national_beside_own(
    own: dict[str, int],
    national: dict[str, int],
    agencies: dict[str, int],
    *,
    total: str | None = None,
    relations: Iterable[Line] = (),
) -> set[str]:
    """The national figures to hide from an agency that sees its own figures beside them.

    Each national figure of a group (a measure type, a gender, a stage of the flow) is the viewer's
    own part, which it knows, plus the rest of the agencies'. A figure is hidden when that rest
    rests on 1 to 4 applications, or the national figure on 1 to 4 agencies besides the viewer;
    then complementary suppression hides what would give it away. `total` names a national total
    over all the groups, which the reader knows (it is shown elsewhere); `relations` are further
    additive lines between the groups (received = decided + withdrawn + pending, for instance).
    """
    groups = list(national)
    units: dict[str, float] = {}
    known: set[str] = set()
    lines: list[Line] = []
    for g in groups:
        units[g], units[f"own|{g}"], units[f"rest|{g}"] = national[g], own[g], national[g] - own[g]
        known.add(f"own|{g}")
        lines.append(Line(g, (f"own|{g}", f"rest|{g}")))
    sensitive = {c for c in units if c.startswith("rest|") and small(units[c])}
    sensitive |= {g for g in groups if small(agencies[g] - (own[g] > 0))}
    lines += list(relations)
    shown = set(groups)
    if total is not None:
        # The total over the groups is known to the reader (the national applications stand on
        # the pages beside them): never hidden, so a complement is always found among the groups;
        # and when the other agencies' part of it is small, no group's figure can be shown.
        own_total = sum(own.values())
        units[total] = sum(national.values())
        units[f"own|{total}"], units[f"rest|{total}"] = own_total, units[total] - own_total
        if small(units[f"rest|{total}"]):
            return set(groups)
        known |= {total, f"own|{total}", f"rest|{total}"}
        lines += [Line(total, tuple(groups)), Line(total, (f"own|{total}", f"rest|{total}"))]
    return disclosure.protect(units, lines, shown=shown, known=known, sensitive=sensitive)


# The stages of the application flow and how they add up.
FLOW_STAGES = ("applications", "decided", "granted", "rejected", "withdrawn", "pending")
FLOW_LINES = (Line("applications", ("decided", "withdrawn", "pending")), Line("decided", ("granted", "rejected")))


def application_flow(flow: pl.DataFrame, *, protect: bool) -> pl.DataFrame:
    """The flow of one year (sql/app/application_flow.sql), each stage with its share of the
    applications received: the agency's own stages in full, the national ones under disclosure
    control when `protect` (the viewer is that agency)."""
    counts = {r["stage"]: r for r in flow.iter_rows(named=True)}
    own = {s: int(counts[s]["own_count"] or 0) if s in counts else 0 for s in FLOW_STAGES}
    national = {s: int(counts[s]["national_count"] or 0) if s in counts else 0 for s in FLOW_STAGES}
    agencies = {s: int(counts[s]["national_agencies"] or 0) if s in counts else 0 for s in FLOW_STAGES}
    hidden = national_beside_own(own, national, agencies, relations=FLOW_LINES) if protect else set()
    if "applications" in hidden or (protect and pinned_by_own(own, national, agencies, hidden)):
        hidden = set(FLOW_STAGES)  # every national share is over the received; or a hidden stage is pinned
    frame = flow_frame(own, national)
    return with_hidden(frame, [["national_count", "national_share"] if s in hidden else [] for s in frame["stage"]])


FLOW_LEAVES = ("granted", "rejected", "withdrawn", "pending")


def pinned_by_own(own: dict[str, int], national: dict[str, int], agencies: dict[str, int], hidden: set[str]) -> bool:
    """Whether a hidden stage that must not show still has one value only, once a reader adds to the
    lines of the flow that no other agency's count is below 0 (each national leaf at least the
    viewer's own). The lines alone leave it open; the bounds can close it: 13 received shown with
    6 granted and 0 withdrawn, the own 3 rejected and 4 pending give decided = 9 exactly.

    Exact by the lines' structure: their matrix is totally unimodular, so if another filling-in
    exists, one lies a step of -1, 0 or +1 per hidden leaf away from the truth, within the bounds.
    """
    sensitive = {s for s in FLOW_STAGES if small(national[s] - own[s]) or small(agencies[s] - (own[s] > 0))}
    if not sensitive & hidden:
        return False
    free = [s for s in FLOW_LEAVES if s in hidden]
    moved: set[str] = set()
    for step in itertools.product((-1, 0, 1), repeat=len(free)):
        leaves = {s: national[s] for s in FLOW_LEAVES} | {s: national[s] + d for s, d in zip(free, step, strict=True)}
        if not any(step) or any(leaves[s] < own[s] for s in FLOW_LEAVES):
            continue
        decided = leaves["granted"] + leaves["rejected"]
        guess = {**leaves, "decided": decided, "applications": decided + leaves["withdrawn"] + leaves["pending"]}
        if all(guess[s] == national[s] for s in FLOW_STAGES if s not in hidden):
            moved |= {s for s in hidden if guess[s] != national[s]}
    return bool((sensitive & hidden) - moved)


def flow_frame(own: dict[str, int], national: dict[str, int]) -> pl.DataFrame:
    """The stages in order with counts and shares of the applications received."""

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return pl.DataFrame(
        {
            "stage": list(FLOW_STAGES),
            "own_count": [own[s] for s in FLOW_STAGES],
            "own_share": [share(own[s], own["applications"]) for s in FLOW_STAGES],
            "national_count": [national[s] for s in FLOW_STAGES],
            "national_share": [share(national[s], national["applications"]) for s in FLOW_STAGES],
        },
        schema={
            "stage": pl.String,
            "own_count": pl.Int64,
            "own_share": pl.Float64,
            "national_count": pl.Int64,
            "national_share": pl.Float64,
        },
    )


def application_groups(groups: pl.DataFrame, *, protect: bool) -> pl.DataFrame:
    """Applications, grants and approval rate by gender or age band (sql/app/application_groups.sql):
    the agency's own in full, the national figures under disclosure control when `protect`, one
    family of counts at a time (applications, decided, granted), each over the groups with their
    total."""
    names = groups["applicant_group"].to_list()
    rows = {r["applicant_group"]: r for r in groups.iter_rows(named=True)}
    hidden: dict[str, set[str]] = {g: set() for g in names}
    hides = {
        "applications": ("national_applications", "national_share_of_applications"),
        "decided": ("national_approval_rate",),
        "granted": ("national_granted", "national_approval_rate"),
    }
    for count, columns in hides.items() if protect else ():
        own = {g: int(rows[g][count] or 0) for g in names}
        national = {g: int(rows[g][f"national_{count}"] or 0) for g in names}
        suffix = "" if count == "applications" else f"_{count}"
        agencies = {g: int(rows[g][f"national_agencies{suffix}"] or 0) for g in names}
        for g in national_beside_own(own, national, agencies, total="all"):
            hidden[g] |= set(columns)
    frame = group_frame(groups)
    return with_hidden(frame, [sorted(hidden[g]) for g in frame["applicant_group"]])


def group_frame(groups: pl.DataFrame) -> pl.DataFrame:
    """Per group: the agency's and the nation's applications, grants, approval rate and share of
    the applications."""

    def rate(part: str, whole: str) -> pl.Expr:
        return pl.when(pl.col(whole) > 0).then(pl.col(part).cast(pl.Float64) / pl.col(whole)).otherwise(None)

    def share(column: str) -> pl.Expr:
        total = float(groups[column].sum() or 0)
        return pl.col(column).cast(pl.Float64) / total if total else pl.lit(None, dtype=pl.Float64)

    return groups.select(
        "applicant_group",
        "applications",
        "granted",
        rate("granted", "decided").alias("approval_rate"),
        share("applications").alias("share_of_applications"),
        "national_applications",
        "national_granted",
        rate("national_granted", "national_decided").alias("national_approval_rate"),
        share("national_applications").alias("national_share_of_applications"),
    )


def _share(mix: pl.DataFrame, column: str) -> pl.Expr:
    """Each row's share of a column's total; null when the total is 0."""
    total = float(mix[column].sum() or 0)
    return pl.col(column).cast(pl.Float64) / total if total else pl.lit(None, dtype=pl.Float64)


def approval(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, viewer: str, group_type: str, year: int):
    """The viewer's own approval rate with its interval, no peers': its own figures always; the peer
    median, the funnel and the difference from it over the rates it may see, hidden with fewer than
    MIN_OTHER_AGENCIES other agencies."""
    own = frame.filter(pl.col("org_nr") == viewer).drop("name", "sector", strict=False)
    shown = shown_group(con, viewer, group_type, year).positions
    shown = shown.filter((pl.col("org_nr") == viewer) & (pl.col("kpi") == "approval_rate"))
    if own.is_empty() or shown.is_empty():
        return with_hidden(own, [[] for _ in range(own.height)])
    peer = shown.row(0, named=True)
    row = own.row(0, named=True)
    funnel = {"funnel_low": None, "funnel_high": None, "difference": None}
    if peer["peer_median"] is not None and row["decided"]:
        funnel = run(
            con,
            "approval_difference",
            role=viewer,
            approval_rate=row["approval_rate"],
            peer_median=peer["peer_median"],
            decided=row["decided"],
        ).row(0, named=True)
    own = own.with_columns(
        pl.lit(peer["peer_agencies"]).alias("peer_agencies"),
        pl.lit(peer["peer_median"], dtype=pl.Float64).alias("peer_median"),
        *(pl.lit(v, dtype=pl.String if k == "difference" else pl.Float64).alias(k) for k, v in funnel.items()),
    )
    hidden = (
        ["peer_median", "difference", "funnel_low", "funnel_high"]
        if peer["other_agencies"] < MIN_OTHER_AGENCIES
        else []
    )
    return with_hidden(own, [hidden])


def projection(frame: pl.DataFrame, viewer: str) -> pl.DataFrame:
    """The viewer's own projection only: the peer median and the gap to it hidden when fewer than
    MIN_OTHER_AGENCIES other agencies of its group have a reserve."""
    own = frame.filter(pl.col("org_nr") == viewer).drop("name", "sector", strict=False)
    hidden = []
    for row in own.iter_rows(named=True):
        others = (row["peer_agencies"] or 0) - (1 if row["reserve_years"] is not None else 0)
        hidden.append(
            ["peer_median_reserve_years", "extra_spending_per_year_sek"] if others < MIN_OTHER_AGENCIES else []
        )
    return with_hidden(own, hidden)
