"""Typesetting: a template of templates/ filled with a document's data and charts, compiled by
Typst into a tagged PDF (PDF/UA-1) with its title and language set and every font embedded.

The template reads the data as JSON (`data.json`) and the charts as SVG, all handed to the
compiler in memory: nothing is written to disk on the way.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources

import altair as alt
import typst
import vl_convert as vlc

# The templates' fonts in order: Liberation Sans (Debian's fonts-liberation, beside Chromium) and,
# where it is missing, one that Typst carries itself, so that a report always has its fonts embedded.
FONTS = ("Liberation Sans", "Libertinus Serif")


def template(name: str) -> bytes:
    """A template of lom/report/templates/ (packaged with lom)."""
    return resources.files("lom.report").joinpath("templates", f"{name}.typ").read_bytes()


def svg(chart: alt.TopLevelMixin) -> bytes:
    """An Altair chart as SVG, rendered without a browser by vl-convert, in the report's font."""
    return vlc.vegalite_to_svg(chart.to_dict(validate=False), config={"font": FONTS[0]}).encode()


def pdf(name: str, data: dict, charts: dict[str, alt.TopLevelMixin], now: datetime | None = None) -> bytes:
    """Compile the template `name` with its data and charts into PDF bytes."""
    return compile_files(name, data, {f"{key}.svg": svg(chart) for key, chart in charts.items()}, now)


def compile_files(name: str, data: dict, files: dict[str, bytes], now: datetime | None = None) -> bytes:
    """Compile the template `name` with its data and the files it reads (the charts' SVG)."""
    inputs = {"main": template(name), "data.json": json.dumps(data, ensure_ascii=False).encode(), **files}
    return typst.compile(inputs, format="pdf", pdf_standards=["ua-1"], timestamp=_stamp(now), font_paths=_fonts())


@cache
def _fonts() -> typst.Fonts:
    """The system's fonts and Typst's own, found once a process: searched at every compile, they
    took two thirds of Typst's time for a one-page report."""
    return typst.Fonts()


def _stamp(now: datetime | None) -> int | None:
    return None if now is None else int(now.timestamp())
