"""Contacts on an agency's trend charts: a rule at the year of each contact, with its day and status
in a tooltip, so that what followed a contact can be seen. Pure: frames in, chart out."""

from __future__ import annotations

import altair as alt
import polars as pl

from lom.ui import charts

CONTACT_COLOUR = charts.ORANGE


def with_contacts(chart: alt.LayerChart, contacts: pl.DataFrame) -> alt.LayerChart:
    """The chart (a finished layer chart over `year:O`) with a rule per contact day.

    contacts: contact_day, status and year, as lom.followup.log.contacts returns them.
    """
    if contacts.is_empty():
        return chart
    marked = chart.copy(deep=True)
    config = marked.config  # a configured chart cannot take another layer: set the config aside
    marked.config = alt.Undefined
    data = contacts.select(
        "year",
        pl.col("contact_day").dt.to_string("%Y-%m-%d").alias("contact_day"),
        "status",
        pl.lit("Kontakt från Trygghetsstiftelsen").alias("what"),
    )
    rule = (
        alt.Chart(data)
        .mark_rule(color=CONTACT_COLOUR, strokeWidth=2, strokeDash=[2, 2], opacity=0.9)
        .encode(
            x="year:O",
            tooltip=[
                alt.Tooltip("what:N", title="Markering"),
                alt.Tooltip("contact_day:N", title="Kontakt"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )
    marked.layer = [*marked.layer, rule]
    marked.config = config
    return marked
