"""Approval rate against applications per 100 employees (Översikt): pure builders, frame in, chart out.

Two things keep every agency readable. One agency far out on the x axis (40 applications per 100
employees where the rest have 2-6) does not squeeze the others into a corner: the axis ends at
charts.axis_limit and the agencies beyond it sit at its edge, marked with their value. And in an
agency's view, a peer whose rate is hidden (..) is not left out: it sits in a strip beside the
axis, marked "dold (..)", at the value that is shown.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from lom.db import measures
from lom.queries.disclosure import HIDDEN_SIGN
from lom.ui import charts
from lom.ui import format as fmt

X, Y = "applications_per_100_employees", "approval_rate"
X_TITLE, Y_TITLE = fmt.titled(X), fmt.titled(Y)
TITLE = f"{measures.label(Y)} mot {measures.label(X).lower()}"  # with the year and who is shown after it
BALANCE, RESERVE = "closing_balance_sek", "reserve_years"
HIDDEN_Y = -0.14  # the strip under the 0 % line where a hidden approval rate sits
HIDDEN_TEXT = f"dold ({HIDDEN_SIGN})"


def placed(frame: pl.DataFrame) -> tuple[pl.DataFrame, float | None]:
    """Where each agency is drawn: x_plot and y_plot (a hidden value in its strip, an outlier at the
    axis' end), the values as Swedish text for the tooltip, and whether it was moved; with the end of
    the x axis when an outlier moved it (else None). Agencies without either value (–) are left out."""
    hidden = frame["hidden"] if "hidden" in frame.columns else pl.Series([[]] * frame.height)
    x_hidden = [X in (h or []) for h in hidden.to_list()]
    y_hidden = [Y in (h or []) for h in hidden.to_list()]
    data = frame.with_columns(
        pl.Series("x_hidden", x_hidden, dtype=pl.Boolean), pl.Series("y_hidden", y_hidden, dtype=pl.Boolean)
    ).filter((pl.col(X).is_not_null() | pl.col("x_hidden")) & (pl.col(Y).is_not_null() | pl.col("y_hidden")))
    limit = charts.axis_limit(data[X].to_list())
    end = limit if limit is not None else max([*data[X].drop_nulls().to_list(), 1.0])
    x_strip = -0.12 * end
    # Agencies with both values hidden share the strips' corner: spread them along it, in the frame's order.
    corner = (data["x_hidden"] & data["y_hidden"]).cum_sum() * (data["x_hidden"] & data["y_hidden"])
    spread = (corner - (corner.max() or 0) / 2 - 0.5) * 0.025 * end if data.height else corner
    data = data.with_columns(
        pl.when(pl.col("x_hidden"))
        .then(pl.lit(x_strip) + pl.when(pl.col("y_hidden")).then(spread).otherwise(0.0))
        .otherwise(pl.col(X).clip(upper_bound=end))
        .alias("x_plot"),
        pl.when(pl.col("y_hidden")).then(pl.lit(HIDDEN_Y)).otherwise(pl.col(Y)).alias("y_plot"),
        (pl.col(X) > end).fill_null(False).alias("clipped"),
        (pl.col("x_hidden") | pl.col("y_hidden")).alias("in_strip"),
    )
    return (
        data.with_columns(
            _texts(data, X, lambda v: fmt.by_measure(v, X), "x_text"),
            _texts(data, Y, lambda v: fmt.by_measure(v, Y), "y_text"),
        ),
        limit,
    )


def _texts(data: pl.DataFrame, column: str, render, name: str) -> pl.Series:
    shown = fmt.texts(data[column], render, name)
    hidden = data["x_hidden" if column == X else "y_hidden"].to_list()
    return pl.Series(name, [HIDDEN_SIGN if h else v for v, h in zip(shown.to_list(), hidden, strict=True)])


def x_axis(data: pl.DataFrame, limit: float | None) -> alt.X:
    """The x axis: whole-number ticks from 0, ending at the clipping limit if there is one."""
    end = limit if limit is not None else max([*data[X].drop_nulls().to_list(), 1.0])
    low = -0.2 * end if data["x_hidden"].any() else 0
    return alt.X(
        "x_plot:Q",
        title=X_TITLE,
        scale=alt.Scale(domain=[low, end * 1.04], nice=False, zero=False),
        axis=alt.Axis(values=charts.tick_values(end), format=",.0f"),
    )


def y_axis(data: pl.DataFrame) -> alt.Y:
    low = HIDDEN_Y - 0.06 if data["y_hidden"].any() else 0
    return alt.Y(
        "y_plot:Q",
        title=Y_TITLE,
        scale=alt.Scale(domain=[low, 1.02], nice=False, zero=False),
        axis=alt.Axis(values=[0, 0.2, 0.4, 0.6, 0.8, 1.0], format=fmt.axis_format(Y)),
    )


def strip_labels(data: pl.DataFrame, limit: float | None) -> list[alt.Chart]:
    """The words beside each strip and at the clipped edge, where the data holds such points."""
    layers = []
    end = limit if limit is not None else max([*data[X].drop_nulls().to_list(), 1.0])
    if data["y_hidden"].any():
        frame = pl.DataFrame({"x": [0.0], "y": [HIDDEN_Y], "text": [f"{measures.label(Y)} {HIDDEN_TEXT}"]})
        layers.append(
            alt.Chart(frame)
            .mark_text(align="left", dx=4, dy=-12, color="#555555", fontSize=11)
            .encode(x="x:Q", y="y:Q", text="text:N")
        )
    if data["x_hidden"].any():
        frame = pl.DataFrame({"x": [-0.12 * end], "y": [1.0], "text": [HIDDEN_TEXT]})
        layers.append(
            alt.Chart(frame)
            .mark_text(align="center", dy=-8, color="#555555", fontSize=11)
            .encode(x="x:Q", y="y:Q", text="text:N")
        )
    clipped = data.filter(pl.col("clipped"))
    if not clipped.is_empty():
        arrows = clipped.select("x_plot", "y_plot", (pl.col("x_text") + " →").alias("text"))
        layers.append(
            alt.Chart(arrows)
            .mark_text(align="right", dx=-9, dy=-9, color="#333333", fontSize=11)
            .encode(x="x_plot:Q", y="y_plot:Q", text="text:N")
        )
    return layers


def agencies(frame: pl.DataFrame, title: alt.TitleParams, *, pick: bool) -> alt.LayerChart:
    """Trygghetsstiftelsen's scatter: every agency by name, sized by its unused funds, a click opens it."""
    data, limit = placed(charts.with_class_names(frame, "reserve_years_class"))
    data = data.with_columns(
        pl.col("closing_balance_sek").cast(pl.Float64).alias("balance"),
        fmt.texts(data["closing_balance_sek"], fmt.short_kronor, "balance_text"),
    )
    colour, shape, domain = charts.class_scales(question="question" in data["reserve_years_class"].to_list())
    selection = alt.selection_point(name="pick", fields=["org_nr"], on="click")
    fields = ["org_nr", "name", "sector", "x_plot", "y_plot", "x_text", "y_text", "balance", "balance_text"]
    points = (
        alt.Chart(charts.data_of(data.select(*fields, "reserve_years", "reserve_years_class_name")))
        .mark_point(filled=True, opacity=0.85, stroke="#333333", strokeWidth=0.6)
        .encode(
            x=x_axis(data, limit),
            y=y_axis(data),
            size=alt.Size("balance:Q", title=fmt.titled(BALANCE), legend=None, scale=alt.Scale(range=[30, 900])),
            color=alt.Color("reserve_years_class_name:N", title="Läge saldo", scale=colour, sort=domain),
            shape=alt.Shape("reserve_years_class_name:N", title="Läge saldo", scale=shape, sort=domain),
            tooltip=[
                alt.Tooltip("name:N", title="Myndighet"),
                alt.Tooltip("sector:N", title="Sektor"),
                alt.Tooltip("x_text:N", title=X_TITLE),
                alt.Tooltip("y_text:N", title=Y_TITLE),
                alt.Tooltip("balance_text:N", title=measures.label(BALANCE)),
                alt.Tooltip("reserve_years:Q", title=fmt.titled(RESERVE), format=fmt.axis_format(RESERVE)),
            ],
        )
    )
    if pick:
        points = points.add_params(selection)
    return charts.swedish(alt.layer(points, *strip_labels(data, limit)).properties(height=420, title=title))


def peers(frame: pl.DataFrame, title: alt.TitleParams) -> alt.LayerChart:
    """An agency's scatter: itself large, outlined and named; peers under pseudonyms, no kronor; a peer
    whose rate is hidden in the strip beside the axis."""
    data, limit = placed(charts.with_class_names(frame, "reserve_years_class"))
    data = data.select("name", "is_self", "x_plot", "y_plot", "x_text", "y_text", "in_strip", "clipped", "x_hidden",
                       "y_hidden", X, "reserve_years_class_name")  # fmt: skip
    colour, shape, domain = charts.class_scales(
        question="Negativt saldo, kontrollera" in data["reserve_years_class_name"]
    )
    base = alt.Chart(charts.data_of(data.drop(X))).encode(x=x_axis(data, limit), y=y_axis(data))
    tooltip = [
        alt.Tooltip("name:N", title="Myndighet"),
        alt.Tooltip("x_text:N", title=X_TITLE),
        alt.Tooltip("y_text:N", title=Y_TITLE),
        alt.Tooltip("reserve_years_class_name:N", title="Läge saldo"),
    ]
    encoding = {
        "color": alt.Color("reserve_years_class_name:N", title="Läge saldo", scale=colour, sort=domain),
        "shape": alt.Shape("reserve_years_class_name:N", title="Läge saldo", scale=shape, sort=domain),
        "tooltip": tooltip,
    }
    others = base.transform_filter("!datum.is_self")
    shown = others.transform_filter("!datum.in_strip").mark_point(
        filled=True, opacity=0.85, size=90, stroke="#333333", strokeWidth=0.6
    )
    in_strip = others.transform_filter("datum.in_strip").mark_point(filled=False, opacity=0.9, size=90, strokeWidth=1.6)
    own = base.transform_filter("datum.is_self").mark_point(filled=True, size=380, stroke="#000000", strokeWidth=2.5)
    label = (
        base.transform_filter("datum.is_self")
        .mark_text(align="left", dx=14, dy=-10, fontWeight="bold", fontSize=13, color="#000000")
        .encode(text="name:N")
    )
    layers = [shown.encode(**encoding), in_strip.encode(**encoding), own.encode(**encoding), label]
    return charts.swedish(alt.layer(*layers, *strip_labels(data, limit)).properties(height=440, title=title))
