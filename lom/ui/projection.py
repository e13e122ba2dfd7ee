"""The projection of an agency's balance, as Outnyttjade medel and Myndighetsprofil show it: the chart
(a pure builder) and the sentences that say what it means."""

from __future__ import annotations

import altair as alt
import polars as pl

from lom.db import measures
from lom.queries.disclosure import MIN_OTHER_AGENCIES
from lom.ui import charts, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column

RESERVE = "reserve_years"


def lines(row: dict, reserve_limit: float, group_phrase: str) -> list[str]:
    """The projection in words: the balance in three years, the year the limit is crossed, and the gap
    to the peer median in kronor a year (or why there is none)."""
    if row["horizon_balance_sek"] is None:
        return ["Ingen prognos: den bygger på årets och de två föregående årens rapporterade medel."]
    found = [
        f"**Om tre år ({row['horizon_year']}):** {fmt.kronor(row['horizon_balance_sek'])} "
        "om myndigheten fortsätter som de senaste tre åren."
    ]
    if row["over_limit_now"]:
        found.append(f"**Redan nu över gränsen** {fmt.number(reserve_limit, 1)} årsavsättningar.")
    elif row["crossing_year"] is not None:
        found.append(f"**Passerar gränsen {fmt.number(reserve_limit, 1)} årsavsättningar:** {row['crossing_year']}.")
    else:
        found.append(f"Passerar inte gränsen {fmt.number(reserve_limit, 1)} årsavsättningar inom 30 år.")
    gap = row["extra_spending_per_year_sek"]
    median = f"medianen för {group_phrase}"
    if "extra_spending_per_year_sek" in (row.get("hidden") or []):
        found.append(f"Inget gap: jämförelsegruppen har färre än {MIN_OTHER_AGENCIES} andra myndigheter med saldo.")
    elif gap is not None and gap > 0:
        found.append(
            f"**Gapet:** {fmt.kronor(gap)} mer per år skulle föra saldot till {median} "
            f"({fmt.number(row['peer_median_reserve_years'], 1)} årsavsättningar, "
            f"{fmt.number(row['peer_agencies'])} myndigheter) om tre år."
        )
    elif gap is not None:
        found.append(f"**Inget gap:** saldot om tre år är redan vid eller under {median}.")
    else:
        found.append("Jämförelsegruppen är för liten (under 4 myndigheter) för att räkna ut ett gap.")
    return found


def chart(path: pl.DataFrame, name: str, reserve_limit: float, context: shell.Context) -> alt.LayerChart:
    """The balance in years of allocation: what was reported up to the year, and three years projected."""
    data = path.with_columns(
        pl.when(pl.col("is_projection")).then(pl.lit("Prognos")).otherwise(pl.lit("Utfall")).alias("kind"),
        fmt.texts(path["balance_sek"], fmt.kronor, "balance_text"),
    )
    # The projection line starts at the last actual year, so the two lines meet.
    last_actual = data.filter(~pl.col("is_projection")).tail(1).with_columns(pl.lit("Prognos").alias("kind"))
    data = pl.concat([data, last_actual]).sort("year")
    base = alt.Chart(charts.data_of(data)).encode(
        x=alt.X("year:O", title="År", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("reserve_years:Q", title=fmt.titled(RESERVE), axis=alt.Axis(format=fmt.axis_format(RESERVE))),
        color=alt.Color(
            "kind:N", title=None, scale=alt.Scale(domain=["Utfall", "Prognos"], range=[charts.BLUE, charts.DARK_ORANGE])
        ),
        strokeDash=alt.StrokeDash(
            "kind:N", title=None, scale=alt.Scale(domain=["Utfall", "Prognos"], range=[[1, 0], [6, 4]])
        ),
        tooltip=[
            alt.Tooltip("year:O", title="År"),
            alt.Tooltip("kind:N", title="Typ"),
            alt.Tooltip("balance_text:N", title="Saldo"),
            alt.Tooltip("reserve_years:Q", title="Årsavsättningar", format=fmt.axis_format(RESERVE)),
        ],
    )
    limit = (
        alt.Chart(pl.DataFrame({"limit": [reserve_limit]}))
        .mark_rule(color=charts.VERMILLION, strokeDash=[2, 2])
        .encode(y="limit:Q")
    )
    label = limit.mark_text(align="left", dx=4, dy=-6, color=charts.VERMILLION).encode(
        x=alt.value(0), text=alt.value(f"Gräns {fmt.number(reserve_limit, 1)}")
    )
    marks = charts.rate_change_marks(context.rates, data["year"])
    chart = alt.layer(base.mark_line(point=True), limit, label, *marks).properties(
        height=300,
        title=charts.title(
            f"{measures.label(RESERVE)}, {name}, utfall till {context.year} och prognos", context.vintage
        ),
    )
    return charts.swedish(chart)


def description(path: pl.DataFrame, name: str, found: list[str]) -> str:
    """The chart's text alternative: what it shows, then the projection in words (`lines()`)."""
    actual = path.filter(~pl.col("is_projection"))["year"]
    projected = path.filter(pl.col("is_projection"))["year"]
    shown = f"Linjediagram: saldot i årsavsättningar för {name}"
    if actual.len():
        shown += f", utfall {actual.min()}–{actual.max()}"
    if projected.len():
        shown += f" och prognos till {projected.max()}"
    return f"{shown}. " + " ".join(charts.plain(line) for line in found)


def table(path: pl.DataFrame, key: str, file_stem: str) -> None:
    """The figures behind the chart: year, outcome or projection, balance in kronor and in years."""
    rows = path.with_columns(
        pl.when(pl.col("is_projection")).then(pl.lit("Prognos")).otherwise(pl.lit("Utfall")).alias("kind")
    )
    tables.show(
        rows,
        [
            Column("year", "År", "year"),
            Column("kind", "Utfall eller prognos"),
            Column("balance_sek", "Saldo (kr)", "kronor"),
            Column(RESERVE, fmt.header(RESERVE), "years"),
        ],
        key=key,
        file_stem=file_stem,
    )
