"""How each cost grows with the data: a table of every figure at 1x, 10x and 100x, and a chart of it.

The chart is saved as SVG (Altair through vl-convert) beside bench/README.md, which embeds it.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl

from bench.figures import DASH, SCALES, Figure, value

KINDS = ["load", "query", "page", "served"]
UNITS = {"s": "time (s)", "MB": "peak memory (MB)"}


def table(figures: list[Figure]) -> str:
    """One line per figure: its value at each scale and how many times larger it is at 100x than at 1x."""
    lines = [
        f"| {f.kind} | {f.name} | {' | '.join(value(f.values.get(s), f.unit) for s in SCALES)} | "
        f"{DASH if f.growth is None else f'{f.growth:.2f}'} |"
        for f in figures
    ]
    header = f"| kind | figure | {' | '.join(SCALES)} | 100x / 1x |"
    return "\n".join([header, "|---|---|" + "---|" * (len(SCALES) + 1), *lines])


def frame(figures: list[Figure]) -> pl.DataFrame:
    """The figures in long form, one row per figure and measured scale."""
    rows = [
        {"kind": f.kind, "figure": f.name, "unit": UNITS[f.unit], "scale": s, "value": f.values[s]}
        for f in figures
        for s in SCALES
        if f.values.get(s) is not None
    ]
    schema = {"kind": pl.String, "figure": pl.String, "unit": pl.String, "scale": pl.String, "value": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def chart(figures: list[Figure]) -> alt.FacetChart:
    """Every figure as a line over the scales on a log axis, coloured by kind; times and memory apart."""
    lines = (
        alt.Chart(frame(figures))
        .mark_line(point=True, opacity=0.7)
        .encode(
            x=alt.X(
                "scale:O", sort=list(SCALES), title="scale (1x = 100 000 applications)", axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("value:Q", scale=alt.Scale(type="log"), title=None),
            color=alt.Color("kind:N", sort=KINDS, scale=alt.Scale(domain=KINDS), title="kind"),
            detail="figure:N",
            tooltip=["figure:N", "scale:O", alt.Tooltip("value:Q", format=".3~g")],
        )
        .properties(width=320, height=360)
    )
    return lines.facet(column=alt.Column("unit:N", sort=list(UNITS.values()), title=None)).resolve_scale(
        y="independent"
    )


def save(figures: list[Figure], path: Path) -> Path:
    """Write the chart of the figures to path (.svg or .png)."""
    chart(figures).save(str(path))
    return path
