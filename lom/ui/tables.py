"""Tables as the pages show them: Swedish headers and formats, class colours with their words,
row choice, and export of the same rows as CSV and Excel."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import streamlit as st

from lom.queries.agency import HIDDEN_COLUMNS
from lom.ui import export
from lom.ui import format as fmt
from lom.ui.charts import CLASSES, class_label
from lom.ui.export import HIDDEN_SIGN

# How each kind of column is shown; the exported value is the number itself.
SHOWN: dict[str, Callable] = {
    "kronor": fmt.kronor,
    "short": fmt.short_kronor,
    "percent": fmt.percent,
    "percent1": lambda x: fmt.percent(x, 1),
    "number": fmt.number,
    "number1": lambda x: fmt.number(x, 1),
    "years": lambda x: fmt.number(x, 1),
    "days": lambda x: fmt.number(x, 1 if x is not None and x == x and x % 1 else 0),
    "int": fmt.number,
    "year": lambda x: "–" if x is None or x != x else str(int(x)),
    "date": fmt.day,
    "moment": fmt.moment,
}
TINTS = {"best": "#CDEBDD", "middle": "#FBF6C8", "worst": "#F6D5C2", "high": "#CCE0EE", "low": "#DDEFF9"}


@dataclass(frozen=True)
class Column:
    """One shown column: where it comes from, its Swedish header, how it is shown, its help."""

    source: str
    label: str
    kind: str = "text"  # text, class, neutral_class, or a key of SHOWN
    help: str | None = None


def measure_column(key: str, help: str | None = None) -> Column:
    """The column of a measure (config/measures.toml): its name and unit in the header, shown by its unit."""
    return Column(key, fmt.header(key), fmt.style(key).column_kind, help)


def hidden_rows(frame: pl.DataFrame, columns: list[Column]) -> dict[str, set[int]]:
    """Per shown header, the rows whose figure disclosure control hid."""
    if HIDDEN_COLUMNS not in frame.columns:
        return {}
    result: dict[str, set[int]] = {}
    for row, hidden in enumerate(frame[HIDDEN_COLUMNS].to_list()):
        for column in columns:
            if hidden and column.source in hidden:
                result.setdefault(column.label, set()).add(row)
    return result


def display_frame(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """The rows with Swedish headers: classes as words with a symbol, shares as percentages."""
    exprs = []
    for column in columns:
        expr = pl.col(column.source)
        if column.kind in ("class", "neutral_class"):
            neutral = column.kind == "neutral_class"
            mapping = {k: class_label(k, neutral) for k in CLASSES if k}
            expr = expr.replace_strict(mapping, default=class_label(None), return_dtype=pl.String)
            if HIDDEN_COLUMNS in frame.columns:
                expr = (
                    pl.when(pl.col(HIDDEN_COLUMNS).list.contains(column.source))
                    .then(pl.lit(HIDDEN_SIGN))
                    .otherwise(expr)
                )
        elif isinstance(frame.schema[column.source], pl.Decimal):
            expr = expr.cast(pl.Float64)
        exprs.append(expr.alias(column.label))
    return frame.select(exprs)


def export_frame(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """What a download holds: the shown rows and headers, shares in per cent with the unit said."""
    shown = display_frame(frame, columns)
    renamed = {}
    exprs = []
    for column in columns:
        expr = pl.col(column.label)
        if column.kind in ("percent", "percent1"):
            expr = (expr * 100).round(1)
            renamed[column.label] = f"{column.label} (%)"
        elif column.kind in ("kronor", "short"):
            expr = expr.round(0)
            renamed[column.label] = f"{column.label} (kr)" if "kr" not in column.label else column.label
        elif column.kind in ("years", "number1", "days"):
            expr = expr.round(2)
        exprs.append(expr)
    return shown.select(exprs).rename(renamed)


def show(
    frame: pl.DataFrame,
    columns: list[Column],
    *,
    key: str,
    file_stem: str,
    selectable: bool = False,
    height: int | str = "auto",
    downloads: bool = True,
) -> int | None:
    """Draw the table with its downloads; return the index of the row the user chose, if any."""
    if selectable:
        event = _draw(frame, columns, key, height, selectable=True)
    else:
        _drawn(content_digest(frame), frame, columns, key, height)
    if downloads:
        download_buttons(lambda: export_frame(frame, columns), file_stem, key, lambda: export_hidden(frame, columns))
    if selectable:
        rows = event.selection.rows
        # A choice made before the rows changed (another year, other thresholds) is no choice.
        return rows[0] if rows and rows[0] < frame.height else None
    return None


def content_digest(frame: pl.DataFrame) -> str:
    """A digest of every value of a frame, with its column names and types.

    Streamlit's own hash of a Polars frame is no content key: it hashes the text of the rows'
    hashes, which pyarrow cuts to the first and last ten rows, so a change in row 11 of 300 gives
    the same key (tests/test_dashboard.py shows the stale table it would replay).
    """
    digest = hashlib.blake2b(repr(frame.schema).encode(), digest_size=16)
    digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


@st.cache_data(max_entries=512, show_spinner=False)
def _drawn(content: str, _frame: pl.DataFrame, columns: list[Column], key: str, height: int | str) -> None:
    """A table no one chooses rows in, drawn once per content: a rerun replays the finished
    element instead of styling every cell again (a third of a served page's time). The frame
    is known by its digest (`content`); Streamlit does not hash it."""
    _draw(_frame, columns, key, height, selectable=False)


def drawn_frame(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """What the table element gets: display_frame, with every number column that holds a hidden
    figure turned into its Swedish text (`..` where hidden, `–` where missing).

    The data grid draws any empty cell as its placeholder, whatever a Styler says, so a hidden
    figure must not be an empty cell: it would read `–` (or "None") instead of `..`. Such a column
    sorts as text; the pages offer their own order (Rangordna efter). Other number columns keep
    their numbers, so that they sort as numbers, and their empty cells read `–` (the placeholder).
    """
    shown = display_frame(frame, columns)
    for column in columns:
        rows = hidden_rows(frame, [column]).get(column.label)
        if column.kind in SHOWN and rows:
            render = SHOWN[column.kind]
            texts = [
                HIDDEN_SIGN if row in rows else (fmt.MISSING if value is None else render(value))
                for row, value in enumerate(shown[column.label].to_list())
            ]
            shown = shown.with_columns(pl.Series(column.label, texts, dtype=pl.String))
    return shown


def _draw(frame: pl.DataFrame, columns: list[Column], key: str, height: int | str, *, selectable: bool):
    """The table element: Swedish display values over the numbers, so a column sorts as numbers."""
    shown = drawn_frame(frame, columns)
    styler = shown.to_pandas().style
    texts = {name for name, dtype in shown.schema.items() if dtype == pl.String}
    formats = {c.label: SHOWN[c.kind] for c in columns if c.kind in SHOWN and c.label not in texts}
    styler = styler.format(formats, na_rep=fmt.MISSING)
    classes = [c.label for c in columns if c.kind in ("class", "neutral_class")]
    if classes:
        tint_of = {class_label(k, neutral): TINTS[k] for k in TINTS for neutral in (False, True)}
        tint_of[class_label("middle", True)] = "#EEEEEE"
        styler = styler.map(lambda v: f"background-color: {tint_of.get(v, '#F2F2F2')}", subset=classes)
    config = {
        c.label: (
            st.column_config.NumberColumn(c.label, help=c.help)
            if c.kind in SHOWN and c.kind not in ("date", "moment") and c.label not in texts
            else st.column_config.Column(
                c.label, help=c.help, alignment="right" if c.kind in SHOWN and c.label in texts else None
            )
        )
        for c in columns
    }
    return st.dataframe(
        styler,
        hide_index=True,
        column_config=config,
        placeholder=fmt.MISSING,  # an empty cell is a missing figure, never "None"
        key=key if selectable else None,
        height=height,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
    )


def export_hidden(frame: pl.DataFrame, columns: list[Column]) -> dict[str, set[int]]:
    """Per exported header, the rows disclosure control hid."""
    headers = dict(zip([c.label for c in columns], export_frame(frame.head(0), columns).columns, strict=True))
    return {headers[label]: rows for label, rows in hidden_rows(frame, columns).items()}


def download_buttons(
    make: Callable[[], pl.DataFrame],
    file_stem: str,
    key: str,
    hidden: Callable[[], dict[str, set[int]]] = dict,
) -> None:
    """CSV and Excel downloads, made only when clicked; hidden figures read `..`."""
    # One horizontal row, not three columns: fewer elements a table, which under sixteen sessions
    # took the served app's p95 at 1x from about 1.4 s to 1.1 s (bench/README.md).
    row = st.container(horizontal=True)
    row.download_button(
        "Ladda ned CSV",
        data=lambda: export.to_csv(make(), hidden()),
        file_name=f"{file_stem}.csv",
        mime=export.CSV_MIME,
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        "Ladda ned Excel",
        data=lambda: export.to_excel(make(), sheet=file_stem, hidden=hidden()),
        file_name=f"{file_stem}.xlsx",
        mime=export.EXCEL_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
