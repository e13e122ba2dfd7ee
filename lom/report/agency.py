"""The agency's LOM report: one A4 page for one agency and year, as that agency sees it.

Every figure comes from the query layer run in the agency's own role, whoever asks for the report
(the agency itself, Trygghetsstiftelsen on the profile, or `lom report agency` on the command
line): the agency's own figures in full, its peers only as distributions under the same
disclosure control as in the app, and no other agency's name or org_nr.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import altair as alt
import duckdb
import polars as pl

from lom.db import measures
from lom.queries import access, data_status, overview, profile, watchlist
from lom.queries.agency import reading_once
from lom.queries.disclosure import MIN_OTHER_AGENCIES
from lom.report import typeset
from lom.ui import applicants, charts, projection
from lom.ui import format as fmt
from lom.ui.auth import Viewer
from lom.ui.profile_charts import trend_chart
from lom.ui.shell import GROUP_LABELS, GROUP_PHRASES, Context, vintage_text

HIDDEN = ".."  # a figure disclosure control keeps from the agency, as in the app
RESERVE_LIMIT = 3.0  # the watchlist's default limit, in years of allocation (as on the profile)
TREND_KPIS = ("reserve_years", "utilisation")  # drawn over the years inside the peers' band
MONEY = [
    ("allocated_sek", measures.label("allocated_sek")),
    ("spent_sek", measures.label("spent_sek")),
    ("opening_balance_sek", "Ingående saldo"),
    ("closing_balance_sek", "Utgående saldo"),
]
# The words for a position among the peers, in a sentence: "mer än hos tre av fyra myndigheter".
ABOVE, BELOW = "mer än hos tre av fyra", "mindre än hos tre av fyra"


class NotInDatabase(LookupError):
    """The agency or the year asked for is not in the database; the message says which, in Swedish."""


@dataclass(frozen=True)
class Figures:
    """What the report shows, as the agency's role reads it from the query layer."""

    org_nr: str
    name: str
    year: int
    group: str
    own: dict  # the year's own figures (queries.profile.own_figures)
    positions: pl.DataFrame
    trend: pl.DataFrame
    mix: pl.DataFrame
    flow: pl.DataFrame
    gender: pl.DataFrame
    age: pl.DataFrame
    approval: dict | None  # the own row of approval_intervals: interval, peer median, difference
    outlook: dict | None  # the own projection (watchlist.own_projection)
    vintage: str
    rates: pl.DataFrame


def gather(con: duckdb.DuckDBPyConnection, org_nr: str, year: int, group: str = "sector") -> Figures:
    """Read everything the report shows, in the agency's own role; NotInDatabase if the agency has
    no figures for the year. The peer group is read once and shared by the positions, the trend
    and the approval rate."""
    with reading_once():
        return _gather(con, org_nr, year, group)


def _gather(con: duckdb.DuckDBPyConnection, org_nr: str, year: int, group: str) -> Figures:
    role = org_nr
    names = overview.agencies(con, role=role).filter(pl.col("org_nr") == org_nr)["name"]
    if names.is_empty():
        raise NotInDatabase(f"Myndigheten med organisationsnummer {org_nr} finns inte i databasen.")
    own = profile.own_figures(con, org_nr, role=role).filter(pl.col("year") == year)
    if own.is_empty() or not (own["has_funds"][0] or own["reports_applications"][0]):
        raise NotInDatabase(f"{names[0]} har inga siffror för {year} i databasen.")
    intervals = profile.approval_intervals(con, year, group, role=role).filter(pl.col("org_nr") == org_nr)
    outlook = watchlist.own_projection(con, org_nr, year, RESERVE_LIMIT, group, role=role)
    return Figures(
        org_nr=org_nr,
        name=names[0],
        year=year,
        group=group,
        own=own.row(0, named=True),
        positions=profile.agency_positions(con, org_nr, year, group, role=role),
        trend=profile.agency_trend(con, org_nr, group, role=role),
        mix=profile.measure_mix(con, org_nr, year, role=role),
        flow=profile.application_flow(con, org_nr, year, role=role),
        gender=profile.application_groups(con, org_nr, year, "gender", role=role),
        age=profile.application_groups(con, org_nr, year, "age_band", role=role),
        approval=None if intervals.is_empty() else intervals.row(0, named=True),
        outlook=None if outlook.is_empty() else outlook.row(0, named=True),
        vintage=vintage_text(data_status.data_vintage(con, role=role)),
        rates=data_status.allocation_rates(con, role=role),
    )


def report(con: duckdb.DuckDBPyConnection, org_nr: str, year: int, group: str = "sector", *, role: str) -> bytes:
    """The agency's report for a year as PDF bytes, for a viewer who may read the agency's own
    figures (Trygghetsstiftelsen or the agency itself); the report is the agency's view either way."""
    access.require_own(role, org_nr)
    return render(gather(con, org_nr, year, group))


def render(figures: Figures, now: datetime | None = None) -> bytes:
    """Typeset the report of gathered figures."""
    return typeset.pdf("agency", document(figures), trend_charts(figures), now)


# --- what the page says ----------------------------------------------------------------------


def document(f: Figures) -> dict:
    """The report's content as text, every number in Swedish form, for templates/agency.typ."""
    own = f.own
    group_label = _group_name(f.positions)
    return {
        "title": f"LOM-rapport {f.year}: {f.name}",
        "name": f.name,
        "org_nr": f.org_nr,
        "year": str(f.year),
        "group": f"{GROUP_LABELS[f.group]}: {group_label}" if group_label else GROUP_LABELS[f.group],
        "sentences": sentences(f),
        "money": [[shown, fmt.kronor(own[source])] for source, shown in MONEY]
        + [
            [measures.label("utilisation"), fmt.percent(own["utilisation"])],
            [measures.label("reserve_years"), fmt.number(own["reserve_years"], 1)],
        ],
        "negative_balance": bool(own["negative_balance"]),
        "measures": measure_rows(f.positions),
        "funnel": funnel_rows(f.flow),
        "approval": approval_text(f),
        "mix": mix_rows(f.mix),
        "gender": group_rows(f.gender),
        "age": group_rows(f.age),
        "outlook": [charts.plain(line) for line in outlook_lines(f)],
        "charts": [
            {"file": f"{kpi}.svg", "alt": _chart_text(f, kpi)} for kpi in TREND_KPIS if _has_trend(f.trend, kpi)
        ],
        "footnote": footnote(f),
        "hidden_note": HIDDEN_NOTE if _any_hidden(f) else "",
    }


HIDDEN_NOTE = (
    f"{HIDDEN} = dolt: talet bygger på 1–4 personer eller myndigheter utöver myndighetens egna, eller skulle "
    "avslöja ett sådant tal (röjandekontroll, som i instrumentpanelen)."
)


def _group_name(positions: pl.DataFrame) -> str | None:
    labels = positions["group_label"].drop_nulls() if "group_label" in positions.columns else []
    return labels[0] if len(labels) else None


def _hidden(row: dict, column: str) -> bool:
    return column in (row.get("hidden") or [])


def position_text(row: dict) -> str:
    """The position among the peers in symbol and word (never colour alone), or why there is none."""
    if row["value"] is None:
        return fmt.MISSING
    if row["quartile_class"] == "question":
        return charts.class_label("question")
    if _hidden(row, "peer_median"):
        return f"Ingen jämförelse (färre än {MIN_OTHER_AGENCIES} andra)"
    if row["peer_median"] is None:
        return "Ingen jämförelse"
    return charts.class_label(row["quartile_class"], row["direction"] == "neutral")


def measure_rows(positions: pl.DataFrame) -> list[list[str]]:
    """Measure, own value, peer median, the peers' middle half and the position."""
    rows = []
    for row in positions.to_dicts():
        unit = row["unit_sv"]
        hidden = _hidden(row, "peer_median")
        rows.append(
            [
                row["label_sv"],
                fmt.by_unit(row["value"], unit),
                HIDDEN if hidden else fmt.by_unit(row["peer_median"], unit),
                HIDDEN if hidden else fmt.span_by_unit(row["lower_quartile"], row["upper_quartile"], unit),
                position_text(row),
            ]
        )
    return rows


def _national(row: dict, column: str, render) -> str:
    return HIDDEN if _hidden(row, column) else render(row[column])


def funnel_rows(flow: pl.DataFrame) -> list[list[str]]:
    """Each stage of the application funnel: own count and share, all agencies' share."""
    return [
        [
            applicants.STAGES[row["stage"]],
            fmt.number(row["own_count"]),
            fmt.percent(row["own_share"]),
            _national(row, "national_share", fmt.percent),
        ]
        for row in flow.to_dicts()
    ]


def mix_rows(mix: pl.DataFrame) -> list[list[str]]:
    """Each measure type the agency had applications for: counts, kronor, shares beside the nation's."""
    return [
        [
            row["measure"].capitalize(),
            fmt.number(row["applications"]),
            fmt.number(row["granted"]),
            fmt.kronor(row["granted_sek"]),
            fmt.percent(row["share_of_applications"]),
            _national(row, "national_share_of_applications", fmt.percent),
        ]
        for row in mix.filter(pl.col("applications") > 0).to_dicts()
    ]


def group_rows(groups: pl.DataFrame) -> list[list[str]]:
    """Applicants by gender or age band: own applications, share and approval rate, the nation's share."""
    return [
        [
            applicants.GROUP_NAMES.get(row["applicant_group"], row["applicant_group"]),
            fmt.number(row["applications"]),
            fmt.percent(row["share_of_applications"]),
            fmt.percent(row["approval_rate"]),
            _national(row, "national_share_of_applications", fmt.percent),
        ]
        for row in groups.filter(pl.col("applications") > 0).to_dicts()
    ]


def approval_text(f: Figures) -> str:
    """The approval rate with its 95 % interval and, where shown, its difference from the peers."""
    own = f.own
    if own["approval_rate"] is None:
        return f"{f.name} har inga beslutade ansökningar {f.year}; beviljandegraden saknas."
    text = (
        f"Beviljandegrad {fmt.percent(own['approval_rate'])} ({fmt.number(own['granted'])} av "
        f"{fmt.number(own['decided'])} beslutade), 95 %-intervall "
        f"{fmt.span_by_unit(own['wilson_low'], own['wilson_high'], 'andel')}."
    )
    row = f.approval or {}
    if row.get("difference") == "above":
        text += f" Statistiskt säkerställt högre än medianen i jämförelsegruppen ({fmt.percent(row['peer_median'])})."
    elif row.get("difference") == "below":
        text += f" Statistiskt säkerställt lägre än medianen i jämförelsegruppen ({fmt.percent(row['peer_median'])})."
    elif row.get("difference") == "within":
        text += f" Skillnaden mot medianen i jämförelsegruppen ({fmt.percent(row['peer_median'])}) är inte säkerställd."
    return text


def outlook_lines(f: Figures) -> list[str]:
    """The projection in words, as the profile says it (ui.projection.lines)."""
    if f.outlook is None:
        return ["Ingen prognos: den bygger på årets och de två föregående årens rapporterade medel."]
    return projection.lines(f.outlook, RESERVE_LIMIT, GROUP_PHRASES[f.group])


def _position(f: Figures, kpi: str) -> dict | None:
    rows = f.positions.filter(pl.col("kpi") == kpi)
    return None if rows.is_empty() else rows.row(0, named=True)


def compared(row: dict | None) -> str:
    """Where a value stands among the peers, in words for a sentence; empty without a distribution."""
    if row is None or row["value"] is None or row["peer_median"] is None or _hidden(row, "peer_median"):
        return ""
    if row["upper_quartile"] is not None and row["value"] > row["upper_quartile"]:
        return f", {ABOVE} myndigheter i jämförelsegruppen"
    if row["lower_quartile"] is not None and row["value"] < row["lower_quartile"]:
        return f", {BELOW} myndigheter i jämförelsegruppen"
    return ", i nivå med den mittersta hälften av jämförelsegruppen"


def sentences(f: Figures) -> list[str]:
    """What stands out, in a few plain Swedish sentences."""
    own = f.own
    said = []
    if own["negative_balance"]:
        said.append(
            f"Utgående saldo {f.year} är negativt ({fmt.kronor(own['closing_balance_sek'])}). Det kan inte uppstå "
            "av reglerna för medlen, så underlaget behöver stämmas av."
        )
    elif own["reserve_years"] is not None:
        said.append(
            f"Reserven motsvarar {fmt.number(own['reserve_years'], 1)} årsavsättningar"
            f"{compared(_position(f, 'reserve_years'))}."
        )
    if own["utilisation"] is not None:
        said.append(
            f"Myndigheten använde {fmt.percent(own['utilisation'])} av årets avsättning"
            f"{compared(_position(f, 'utilisation'))}."
        )
    if own["applications_per_100_employees"] is not None:
        said.append(
            f"Det kom {fmt.number(own['applications_per_100_employees'], 1)} ansökningar per 100 anställda"
            f"{compared(_position(f, 'applications_per_100_employees'))}."
        )
    if f.outlook is not None and f.outlook["horizon_balance_sek"] is not None:
        if f.outlook["over_limit_now"]:
            said.append(f"Saldot är redan över gränsen {fmt.number(RESERVE_LIMIT, 1)} årsavsättningar.")
        elif f.outlook["crossing_year"] is not None:
            said.append(
                f"Fortsätter myndigheten som de senaste tre åren passerar saldot gränsen "
                f"{fmt.number(RESERVE_LIMIT, 1)} årsavsättningar {f.outlook['crossing_year']}."
            )
    return said


def footnote(f: Figures) -> str:
    """The data vintage and the definitions the page rests on."""
    return (
        f"{f.vintage} Jämförelsegrupp: {GROUP_PHRASES[f.group]} med värden {f.year}; median och mittersta hälften "
        f"(kvartilerna) visas bara när minst {MIN_OTHER_AGENCIES} andra myndigheter har ett värde. "
        "Nyttjandegrad: använda medel delat med årets avsättning. Saldo i årsavsättningar: utgående saldo delat med "
        "årets avsättning. Beviljandegrad: beviljade (helt eller delvis) av beslutade ansökningar, med "
        "Wilsonintervall. Avsättningen sänktes 2024 från 0,3 till 0,2 % av lönesumman: samma användning ger från "
        "2024 en högre nyttjandegrad och samma saldo fler årsavsättningar. Definitionerna: Om måtten i "
        "instrumentpanelen."
    )


def _any_hidden(f: Figures) -> bool:
    frames = (f.positions, f.flow, f.mix, f.gender, f.age)
    return any("hidden" in frame.columns and frame["hidden"].list.len().sum() for frame in frames)


# --- the charts ------------------------------------------------------------------------------


def _has_trend(trend: pl.DataFrame, kpi: str) -> bool:
    return not trend.filter((pl.col("kpi") == kpi) & pl.col("value").is_not_null()).is_empty()


def _chart_text(f: Figures, kpi: str) -> str:
    """The chart's text alternative, for the tagged PDF."""
    rows = f.trend.filter((pl.col("kpi") == kpi) & pl.col("value").is_not_null()).sort("year")
    first, last = rows.row(0, named=True), rows.row(-1, named=True)
    return (
        f"Linjediagram: {measures.label(kpi).lower()} för {f.name} {first['year']}–{last['year']} inom "
        f"jämförelsegruppens mittersta hälft, från {fmt.by_measure(first['value'], kpi)} till "
        f"{fmt.by_measure(last['value'], kpi)}; 2024 är markerat, då avsättningen sänktes."
    )


def trend_charts(f: Figures) -> dict[str, alt.TopLevelMixin]:
    """The reserve and the utilisation over the years inside the peers' band, with 2024 marked:
    the profile's own chart, drawn small and titled for paper."""
    context = Context(Viewer(f.org_nr), None, year=f.year, group=f.group, vintage="", rates=f.rates)
    drawn = {}
    for kpi in TREND_KPIS:
        if not _has_trend(f.trend, kpi):
            continue
        chart = trend_chart(f.trend, kpi, f.name, context).properties(
            width=330,
            height=110,
            title=alt.TitleParams(
                text=f"{measures.label(kpi)}, alla år",
                subtitle="Band: jämförelsegruppens mittersta hälft; streck: dess median",
                anchor="start",
                fontSize=12,
                subtitleFontSize=10,
                subtitleColor="#555555",
            ),
        )
        drawn[kpi] = chart.configure_axis(labelFontSize=10, titleFontSize=10).configure_legend(
            labelFontSize=9, titleFontSize=9, orient="bottom", columns=4, symbolSize=60
        )
    return drawn
