"""The national report for Trygghetsstiftelsen: the state sector's transition funds in a year.

National totals and their change, the trends with the count of reporting agencies, the
distribution of reserves, the sector table, the agencies offered support with their reasons and
a summary of the follow-up log (contacts made, plans recorded). Read in Trygghetsstiftelsen's role:
it names agencies, so only Trygghetsstiftelsen may make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import altair as alt
import duckdb
import polars as pl

from lom.db import measures
from lom.followup import log
from lom.followup.store import FollowupStore, StoreUnavailable
from lom.queries import access, data_status, overview, watchlist
from lom.report import typeset
from lom.report.agency import NotInDatabase
from lom.ui import charts
from lom.ui import format as fmt
from lom.ui.shell import vintage_text

ROLE = access.TSN
# The reserve's distribution, in years of allocation: the watchlist's limit is 3.
RESERVE_BINS = [
    (None, 1.0, "under 1"),
    (1.0, 2.0, "1–2"),
    (2.0, 3.0, "2–3"),
    (3.0, 5.0, "3–5"),
    (5.0, None, "5 eller fler"),
]


@dataclass(frozen=True)
class Figures:
    year: int
    summary: dict
    totals: pl.DataFrame  # year_totals: the nation (is_national) and each sector, every year
    ranking: pl.DataFrame  # every agency of the year with its measures
    flags: pl.DataFrame  # the watchlist of the year, one row per rule an agency breaks
    followup: pl.DataFrame | None  # every entry of the follow-up log; None when it cannot be read
    vintage: str


def gather(con: duckdb.DuckDBPyConnection, year: int, store: FollowupStore | None) -> Figures:
    """Read the national figures of a year (NotInDatabase when no agency has funds for it) and,
    where a follow-up log is at hand, its entries."""
    years = overview.years(con, role=ROLE).filter(pl.col("agencies_with_funds") > 0)["year"].to_list()
    if year not in years:
        known = f"{min(years)}–{max(years)}" if years else "inga"
        raise NotInDatabase(f"Året {year} finns inte i databasen (år med medel: {known}).")
    entries = None
    if store is not None:
        try:
            entries = log.entries(store, role=ROLE)
        except StoreUnavailable:
            entries = None
    return Figures(
        year=year,
        summary=overview.national_summary(con, year, role=ROLE).row(0, named=True),
        totals=overview.year_totals(con, role=ROLE),
        ranking=overview.agency_ranking(con, year, role=ROLE),
        flags=watchlist.idle_fund_flags(con, year, role=ROLE),
        followup=entries,
        vintage=vintage_text(data_status.data_vintage(con, role=ROLE)),
    )


def report(con: duckdb.DuckDBPyConnection, year: int, store: FollowupStore | None, *, role: str) -> bytes:
    """The national report of a year as PDF bytes; Trygghetsstiftelsen's only (it names agencies)."""
    access.require_tsn(role)
    return render(gather(con, year, store))


def render(figures: Figures, now: datetime | None = None) -> bytes:
    return typeset.pdf("national", document(figures), national_charts(figures), now)


# --- what the pages say ----------------------------------------------------------------------

TOTALS = [  # (column, label, render)
    ("agencies_with_funds", "Myndigheter som rapporterat medel", fmt.number),
    ("agencies_with_applications", "Myndigheter som rapporterat ansökningar", fmt.number),
    ("allocated_sek", measures.label("allocated_sek"), fmt.kronor),
    ("spent_sek", measures.label("spent_sek"), fmt.kronor),
    ("closing_balance_sek", "Utgående saldo", fmt.kronor),
    ("utilisation", measures.label("utilisation"), fmt.percent),
    ("reserve_years", measures.label("reserve_years"), lambda x: fmt.number(x, 1)),
    ("applications", "Ansökningar", fmt.number),
    ("approval_rate", measures.label("approval_rate"), fmt.percent),
    ("median_handling_days", measures.label("median_handling_days"), lambda x: fmt.by_unit(x, "dagar")),
]


def change(now, before, column: str) -> str:
    """The change from the year before: percent for amounts and counts, points for shares."""
    if now is None or before is None:
        return fmt.MISSING
    if column in ("utilisation", "approval_rate"):
        return fmt.percentage_points(float(now) - float(before))
    if column in ("reserve_years", "median_handling_days"):
        return fmt.signed(float(now) - float(before), 1)
    if not before:
        return fmt.MISSING
    return fmt.signed((float(now) / float(before) - 1) * 100) + fmt.NBSP + "%"


def totals_rows(f: Figures) -> list[list[str]]:
    row = f.summary
    return [
        [
            label,
            render(row[column]),
            render(row[f"previous_{column}"]),
            change(row[column], row[f"previous_{column}"], column),
        ]
        for column, label, render in TOTALS
    ]


def trend_rows(totals: pl.DataFrame) -> list[list[str]]:
    national = totals.filter(pl.col("is_national")).sort("year", descending=True)
    return [
        [
            str(row["year"]),
            fmt.number(row["agencies_with_funds"]),
            fmt.number(row["agencies_with_applications"]),
            fmt.short_kronor(row["allocated_sek"]),
            fmt.short_kronor(row["spent_sek"]),
            fmt.short_kronor(row["closing_balance_sek"]),
            fmt.percent(row["utilisation"]),
            fmt.number(row["reserve_years"], 1),
            fmt.number(row["applications"]),
            fmt.percent(row["approval_rate"]),
        ]
        for row in national.to_dicts()
    ]


def reserve_bins(ranking: pl.DataFrame) -> pl.DataFrame:
    """How many agencies have a reserve in each span of years of allocation (negative ones apart)."""
    reserves = ranking.filter(pl.col("has_funds") & pl.col("reserve_years").is_not_null())["reserve_years"].to_list()
    rows = [("negativt", sum(1 for r in reserves if r < 0))]
    for low, high, label in RESERVE_BINS:
        rows.append((label, sum(1 for r in reserves if r >= max(low or 0.0, 0.0) and (high is None or r < high))))
    return pl.DataFrame(rows, schema={"span": pl.String, "agencies": pl.Int64}, orient="row")


def sector_rows(totals: pl.DataFrame, year: int) -> list[list[str]]:
    sectors = totals.filter(~pl.col("is_national") & (pl.col("year") == year)).sort("sector")
    return [
        [
            row["sector"],
            fmt.number(row["agencies_with_funds"]),
            fmt.short_kronor(row["allocated_sek"]),
            fmt.short_kronor(row["spent_sek"]),
            fmt.short_kronor(row["closing_balance_sek"]),
            fmt.percent(row["utilisation"]),
            fmt.number(row["reserve_years"], 1),
            fmt.number(row["applications"]),
            fmt.percent(row["approval_rate"]),
        ]
        for row in sectors.to_dicts()
    ]


def support_rows(f: Figures) -> list[list[str]]:
    """The agencies the watchlist flags, with their reasons and where their follow-up stands."""
    if f.flags.is_empty():
        return []
    listed = (
        f.flags.group_by("org_nr", "name", maintain_order=True)
        .agg(pl.col("reason").str.strip_chars_end(".").str.join("; ").alias("reasons"), pl.col("reserve_years").first())
        .sort("reserve_years", descending=True, nulls_last=True)
    )
    status = latest_status(f.followup)
    return [
        [row["name"], row["org_nr"], row["reasons"] + ".", status.get(row["org_nr"], fmt.MISSING)]
        for row in listed.to_dicts()
    ]


def latest_status(entries: pl.DataFrame | None) -> dict[str, str]:
    """Each agency's newest status in the follow-up log."""
    if entries is None or entries.is_empty():
        return {}
    newest = entries.sort("written_at", descending=True).unique("org_nr", keep="first")
    return dict(zip(newest["org_nr"], newest["status"], strict=True))


def followup_summary(f: Figures) -> list[str]:
    """What the follow-up log says about the year: contacts made, plans recorded, where agencies stand."""
    if f.followup is None:
        return ["Uppföljningsloggen kunde inte läsas när rapporten gjordes; sammanfattningen saknas."]
    entries = f.followup
    if entries.is_empty():
        return ["Uppföljningsloggen är tom: inga kontakter är registrerade."]
    in_year = entries.filter(pl.col("written_at").dt.convert_time_zone(log.TIME_ZONE).dt.year() == f.year)
    contacts = in_year.filter(pl.col("status") != log.Status.NOT_CONTACTED.value)
    plans = in_year.filter(pl.col("plan").is_not_null() & (pl.col("plan").str.strip_chars() != ""))
    said = [
        f"Under {f.year} registrerades {fmt.number(in_year.height)} anteckningar: kontakt med "
        f"{fmt.number(contacts['org_nr'].n_unique())} myndigheter och planer från "
        f"{fmt.number(plans['org_nr'].n_unique())} myndigheter."
    ]
    status = pl.Series("status", list(latest_status(entries).values()), dtype=pl.String)
    counts = status.value_counts()
    per_status = dict(zip(counts["status"], counts["count"], strict=True))
    parts = [f"{s.value.lower()} {fmt.number(per_status[s.value])}" for s in log.Status if per_status.get(s.value)]
    said.append(f"Läget i loggen nu, per myndighet: {', '.join(parts)}.")
    return said


def document(f: Figures) -> dict:
    row = f.summary
    flagged = f.flags["org_nr"].n_unique() if not f.flags.is_empty() else 0
    return {
        "title": f"Lokala omställningsmedel i staten {f.year}: nationell rapport",
        "year": str(f.year),
        "previous": str(f.year - 1),
        "lead": (
            f"{fmt.number(row['agencies_with_funds'])} myndigheter rapporterade medel för {f.year}. De avsatte "
            f"{fmt.kronor(row['allocated_sek'])} och använde {fmt.kronor(row['spent_sek'])} "
            f"({fmt.percent(row['utilisation'])} av avsättningen). Det utgående saldot var "
            f"{fmt.kronor(row['closing_balance_sek'])}, {fmt.number(row['reserve_years'], 1)} årsavsättningar. "
            f"{fmt.number(flagged)} myndigheter har medel som ligger stilla enligt bevakningslistans regler."
        ),
        "totals": totals_rows(f),
        "trends": trend_rows(f.totals),
        "reserves": [[r["span"], fmt.number(r["agencies"])] for r in reserve_bins(f.ranking).to_dicts()],
        "sectors": sector_rows(f.totals, f.year),
        "support": support_rows(f),
        "followup": followup_summary(f),
        "charts": [
            {"file": "money.svg", "alt": money_text(f.totals)},
            {"file": "reserves.svg", "alt": reserves_text(f)},
        ],
        "footnote": (
            f"{f.vintage} Bevakningslistan: saldo över 3 årsavsättningar, eller nyttjandegrad under 50 % tre år i rad. "
            "Avsättningen sänktes 2024 från 0,3 till 0,2 % av lönesumman. Definitionerna: Om måtten i "
            "instrumentpanelen. Rapporten namnger myndigheter och är avsedd för Trygghetsstiftelsen."
        ),
    }


# --- the charts ------------------------------------------------------------------------------

MONEY = {"allocated_sek": "Avsatt", "spent_sek": "Använt", "closing_balance_sek": "Utgående saldo"}


def money_text(totals: pl.DataFrame) -> str:
    national = totals.filter(pl.col("is_national")).sort("year")
    first, last = national.row(0, named=True), national.row(-1, named=True)
    return (
        f"Linjediagram: avsatt, använt och utgående saldo för alla myndigheter {first['year']}–{last['year']}, i "
        f"miljoner kronor. Saldot gick från {fmt.short_kronor(first['closing_balance_sek'])} till "
        f"{fmt.short_kronor(last['closing_balance_sek'])}."
    )


def reserves_text(f: Figures) -> str:
    bins = reserve_bins(f.ranking)
    parts = ", ".join(f"{r['span']}: {r['agencies']}" for r in bins.to_dicts())
    return f"Stapeldiagram: antal myndigheter efter saldo i årsavsättningar {f.year} ({parts})."


def national_charts(f: Figures) -> dict[str, alt.TopLevelMixin]:
    national = f.totals.filter(pl.col("is_national")).sort("year")
    long = (
        national.unpivot(index="year", on=list(MONEY), variable_name="what", value_name="sek")
        .with_columns(
            (pl.col("sek").cast(pl.Float64) / 1e6).alias("mnkr"), pl.col("what").replace_strict(MONEY).alias("what")
        )
        .select("year", "what", "mnkr")
    )
    domain = list(MONEY.values())
    money = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mnkr:Q", title="Miljoner kronor"),
            color=alt.Color("what:N", title=None, scale=alt.Scale(domain=domain, range=charts.LINE_COLOURS[:3])),
            strokeDash=alt.StrokeDash(
                "what:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [6, 3], [2, 2]])
            ),
        )
        .properties(width=330, height=150, title=alt.TitleParams("Alla myndigheter, miljoner kronor", anchor="start"))
    )
    bins = reserve_bins(f.ranking)
    reserves = (
        alt.Chart(bins)
        .mark_bar(color=charts.BLUE)
        .encode(
            x=alt.X(
                "span:N", title="Saldo i årsavsättningar", sort=bins["span"].to_list(), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("agencies:Q", title="Antal myndigheter", axis=alt.Axis(tickMinStep=1, format="d")),
        )
        .properties(width=330, height=150, title=alt.TitleParams(f"Reservernas fördelning {f.year}", anchor="start"))
    )
    return {
        "money": charts.swedish(money).configure_axis(labelFontSize=10, titleFontSize=10),
        "reserves": charts.swedish(reserves).configure_axis(labelFontSize=10, titleFontSize=10),
    }
