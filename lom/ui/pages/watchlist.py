"""Outnyttjade medel (TSN): agencies whose funds sit idle, why, where they are heading, and the gap."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lom.db import measures
from lom.followup import section as followup
from lom.queries import watchlist
from lom.queries.watchlist import Thresholds
from lom.ui import charts, projection, shell, tables
from lom.ui import format as fmt
from lom.ui.tables import Column, measure_column

RESERVE_LIMITS = [x / 2 for x in range(1, 41)]  # 0,5 to 20 years of allocation
UTILISATION_LIMITS = list(range(5, 205, 5))  # per cent
LOW_YEARS = list(range(1, 21))

COLUMNS = [
    Column("name", "Myndighet"),
    Column("sector", "Sektor"),
    measure_column("closing_balance_sek", "Utgående saldo vid årets slut"),
    measure_column("reserve_years"),
    measure_column("utilisation"),
    Column("horizon_balance_sek", "Saldo om tre år", "kronor", "Om myndigheten fortsätter som de senaste tre åren"),
    Column("crossing", "Över gränsen", help="Året saldot i prognosen först är över saldogränsen"),
    Column(
        "extra_spending_per_year_sek",
        "Behövs mer per år",
        "kronor",
        "Så mycket mer per år skulle ge jämförelsegruppens mediansaldo om tre år",
    ),
    Column("reasons", "Skäl", help="Varför myndigheten kan behöva stöd, med beloppet det gäller"),
    Column("org_nr", "Organisationsnummer"),
]


def thresholds() -> Thresholds:
    """The thresholds, adjustable on the page and kept in the link."""
    shell.seed("reserve_limit", 3.0, shell.one_of_numbers(RESERVE_LIMITS), "saldogränsen")
    shell.seed("utilisation_limit", 50, shell.one_of_numbers(UTILISATION_LIMITS), "nyttjandegränsen")
    shell.seed("low_years", 3, shell.one_of_numbers(LOW_YEARS), "antalet år i rad")
    left, middle, right = st.columns(3)
    reserve = left.select_slider(
        "Saldo över",
        RESERVE_LIMITS,
        format_func=lambda x: f"{fmt.number(x, 1)} årsavsättningar",
        key="reserve_limit",
        help="Ta med en myndighet när dess utgående saldo är större än så många årsavsättningar.",
    )
    utilisation = middle.select_slider(
        f"{measures.label('utilisation')} under",
        UTILISATION_LIMITS,
        format_func=lambda x: f"{x} %",
        key="utilisation_limit",
        help="Ta med en myndighet när nyttjandegraden varit under gränsen så många år i rad som anges till höger.",
    )
    years = right.select_slider("Antal år i rad", LOW_YEARS, format_func=lambda x: f"{x} år", key="low_years")
    shell.keep("reserve_limit", reserve, f"{reserve:g}")
    shell.keep("utilisation_limit", utilisation, str(utilisation))
    shell.keep("low_years", years, str(years))
    return Thresholds(float(reserve), utilisation / 100, int(years))


def render(context: shell.Context) -> None:
    st.title(f"{measures.label('closing_balance_sek')} {context.year or ''}".strip())
    if not context.viewer.is_tsn:
        st.warning("Listan över myndigheter att erbjuda stöd är bara för Trygghetsstiftelsen.")
        return
    if not shell.require_data(context):
        return
    shell.caption_vintage(context)
    followup.overdue_list(context)
    st.markdown(
        "Myndigheter vars medel ligger still och som Trygghetsstiftelsen kan erbjuda stöd: saldot är stort "
        "jämfört med årets avsättning, eller så nyttjas lite av avsättningen år efter år. Myndigheterna "
        "beslutar själva över sina medel; listan är ett underlag för att ta kontakt, inte en granskning. "
        "Justera gränserna nedan; länken behåller dem."
    )
    limits = thresholds()
    year = context.year
    flags = shell.sector_filter(context.fetch(watchlist.idle_fund_flags, year, limits), context)
    projections = context.fetch(watchlist.projections, year, limits.reserve_limit, context.group)
    listed = followup.with_latest(listing(flags, projections), context)

    a, b, c = st.columns(3)
    a.metric("Myndigheter att erbjuda stöd", fmt.number(listed.height), border=True)
    b.metric("Deras outnyttjade medel", fmt.short_kronor(listed["closing_balance_sek"].sum()), border=True)
    c.metric("Sammanlagt gap per år", fmt.short_kronor(listed["extra_spending_per_year_sek"].sum()), border=True)
    if listed.is_empty():
        among = "" if context.sector is None else f" i sektorn {context.sector}"
        st.success(f"Ingen myndighet{among} når gränserna {year}.")
        return

    st.header(f"Myndigheter att erbjuda stöd {year}")
    st.caption(
        f"{fmt.number(listed.height)} myndigheter ({shell.where(context)}), störst saldo i årsavsättningar först. "
        f"Prognosen följer myndighetens nyttjandegrad de senaste tre åren; behovet jämförs med "
        f"{context.group_phrase}. Välj en rad för att se prognosen."
    )
    picked = tables.show(
        listed,
        followup.watchlist_columns(COLUMNS),
        key=f"watchlist-{year}-{context.sector}-{context.group}-{limits}",  # a new list, a new choice
        file_stem=f"outnyttjade_medel_{year}",
        selectable=True,
        height=420,
    )
    org_nrs = listed["org_nr"].to_list()
    if picked is not None:
        org_nr = org_nrs[picked]
    else:  # the agency of the link, or the one shown before, if it is on this list
        shell.seed("agency", org_nrs[0], shell.one_of(context.agencies["org_nr"].to_list()))
        org_nr = st.session_state["agency"] if st.session_state["agency"] in org_nrs else org_nrs[0]
    shell.keep("agency", org_nr, org_nr)
    row = listed.filter(pl.col("org_nr") == org_nr).row(0, named=True)
    detail(context, row, limits)
    followup.section(context, org_nr, row["name"], "watchlist")


def listing(flags: pl.DataFrame, projections: pl.DataFrame) -> pl.DataFrame:
    """One row per flagged agency: its reasons together, and its projection."""
    if flags.is_empty():
        empty = {"org_nr": pl.String, "name": pl.String, "sector": pl.String, "reasons": pl.String}
        return pl.DataFrame(schema=empty | {c.source: pl.Float64 for c in COLUMNS if c.source not in empty})
    per_agency = flags.group_by("org_nr", "name", "sector", maintain_order=True).agg(
        pl.col("reason").str.strip_chars_end(".").str.join("; ").alias("reasons"),
        pl.col("closing_balance_sek").first().cast(pl.Float64),
        pl.col("reserve_years").first(),
        pl.col("utilisation").first(),
    )
    return per_agency.join(
        projections.with_columns(
            pl.when(pl.col("over_limit_now"))
            .then(pl.lit("redan nu"))
            .otherwise(pl.col("crossing_year").cast(pl.String))
            .fill_null("inte inom 30 år")
            .alias("crossing")
        ).select(
            "crossing","org_nr", "horizon_year", "horizon_balance_sek", "crossing_year", "over_limit_now",
                           "peer_agencies", "peer_median_reserve_years", "extra_spending_per_year_sek"),
        on="org_nr",
        how="left",
    ).sort("reserve_years", descending=True, nulls_last=True)  # fmt: skip


def detail(context: shell.Context, row: dict, limits: Thresholds) -> None:
    """One agency's balance and its projection against the limit, with the gap in words."""
    st.header(f"Prognos: {row['name']}")
    path = context.fetch(watchlist.balance_path, row["org_nr"], context.year)
    lines = [
        f"**Skäl:** {row['reasons'].rstrip('.')}.",
        *projection.lines(row, limits.reserve_limit, context.group_phrase),
    ]
    charts.show(
        lambda: projection.chart(path, row["name"], limits.reserve_limit, context),
        context.chart_key("projection", row["org_nr"], limits),
        projection.description(path, row["name"], lines),
        lambda: projection.table(path, f"projection_{row['org_nr']}", f"prognos_{row['org_nr']}_{context.year}"),
        width="stretch",
    )
    st.markdown("  \n".join(lines))
    if st.button("Öppna myndighetens profil", key="watchlist_profile", icon=":material/account_balance:"):
        shell.open_profile(row["org_nr"])
    st.caption(
        "Från 2024 är avsättningen 0,2 % av lönesumman i stället för 0,3 %; samma saldo motsvarar därför "
        "fler årsavsättningar från 2024."
    )
