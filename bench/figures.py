"""The benchmarks' figures as bench.report shows them: read from bench/*results.json, reduced to
medians, one value per scale (None where a scale was not measured).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench import load_benchmark, page_benchmark, query_benchmark

BENCH = Path(__file__).resolve().parent
SERVED_RESULTS = BENCH / "served_results.json"  # written by bench.served_benchmark
REPORT_RESULTS = Path(__file__).resolve().parent / "report_results.json"  # bench/report_benchmark.py
LOAD_MEMORY_RESULTS = BENCH / "load_memory_results.json"  # written by bench.load_memory
SCALES = ("1x", "10x", "100x")
DASH = "–"
ROLES = {"TSN": ("queries", "pages"), "agency": ("agency_queries", "agency_pages")}


@dataclass(frozen=True)
class Results:
    """The last results of each benchmark, as their JSON files hold them ({} when not run)."""

    queries: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    served: dict = field(default_factory=dict)
    load_memory: dict = field(default_factory=dict)
    reports: dict = field(default_factory=dict)

    @classmethod
    def read(cls) -> Results:
        """Read every benchmark's results file that exists."""

        def read(path: Path) -> dict:
            return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

        return cls(
            read(query_benchmark.RESULTS),
            read(page_benchmark.RESULTS),
            read(load_benchmark.RESULTS),
            read(SERVED_RESULTS),
            read(LOAD_MEMORY_RESULTS),
            read(REPORT_RESULTS),
        )


@dataclass(frozen=True)
class Figure:
    """One cost measured at each scale: kind is load, query, page or served; unit is s or MB."""

    kind: str
    name: str
    unit: str
    values: dict[str, float | None]

    @property
    def growth(self) -> float | None:
        """The value at 100x divided by the value at 1x."""
        first, last = self.values.get("1x"), self.values.get("100x")
        return last / first if first and last is not None else None


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values given, None if there are none."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def dig(tree: dict, *keys: str) -> object | None:
    """tree[key1][key2]..., or None where a key is missing."""
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def load_medians(runs: dict | None) -> dict[str, float | None]:
    """A scale's load figures: median time and peak memory of each load, and the medians of the
    runs' ratios (each run's own load against the raw load of the same run)."""
    raw, ours = (runs or {}).get("raw", []), (runs or {}).get("ours", [])
    pairs = list(zip(raw, ours, strict=False))
    return {
        "raw_seconds": median(r["seconds"] for r in raw),
        "raw_mb": median(r["peak_mb"] for r in raw),
        "ours_seconds": median(r["seconds"] for r in ours),
        "ours_mb": median(r["peak_mb"] for r in ours),
        "ratio": median(o["seconds"] / r["seconds"] for r, o in pairs),
        "memory_ratio": median(o["peak_mb"] / r["peak_mb"] for r, o in pairs),
    }


def served_medians(served: dict, scale: str, runs_key: str = "runs") -> dict[str, float | None]:
    """A scale's served figures: the medians over the runs of p50, p95, max and pages a second.
    `runs_key`: "runs" (no pause between pages) or "reading_runs" (each page read before the next)."""
    runs = dig(served, "scales", scale, runs_key) or []
    return {key: median(run[key] for run in runs) for key in ("p50", "p95", "max", "pages_per_second")}


def names(results: dict, key: str) -> list[str]:
    """The queries or pages of one role, in the order measured, over every scale."""
    return list(dict.fromkeys(name for scale in SCALES for name in dig(results, scale, key) or {}))


def figures(results: Results) -> list[Figure]:
    """Every figure the report follows across the scales, one line each."""
    load = {scale: load_medians(results.load.get(scale)) for scale in SCALES}
    found = [
        Figure("load", "our load: time", "s", {s: load[s]["ours_seconds"] for s in SCALES}),
        Figure("load", "our load: peak memory", "MB", {s: load[s]["ours_mb"] for s in SCALES}),
        Figure("load", "DuckDB raw load: time", "s", {s: load[s]["raw_seconds"] for s in SCALES}),
        Figure("load", "DuckDB raw load: peak memory", "MB", {s: load[s]["raw_mb"] for s in SCALES}),
    ]
    for role, (queries, _) in ROLES.items():
        for name in names(results.queries, queries):
            values = {s: dig(results.queries, s, queries, name, "warm_median") for s in SCALES}
            found.append(Figure("query", f"{role}: {name} (warm)", "s", values))
    for role, (_, pages) in ROLES.items():
        for name in names(results.pages, pages):
            for state, key in (("cold", "cold"), ("warm", "warm_median")):
                values = {s: dig(results.pages, s, pages, name, key) for s in SCALES}
                found.append(Figure("page", f"{role}: {name} ({state})", "s", values))
    sessions = results.served.get("sessions", 16)
    for runs_key, how in (("runs", "no pause"), ("reading_runs", "reading")):
        served = {scale: served_medians(results.served, scale, runs_key) for scale in SCALES}
        for key in ("p50", "p95"):
            values = {s: served[s][key] for s in SCALES}
            found.append(Figure("served", f"{sessions} sessions, {how}: {key}", "s", values))
    return found


def duration(seconds: float | None, digits: int | None = None) -> str:
    """A time as people read it: milliseconds under a second, else seconds; – when missing."""
    if seconds is None:
        return DASH
    if seconds >= 1:
        return f"{seconds:.2f} s"
    milliseconds = seconds * 1000
    if digits is None:
        digits = 1 if milliseconds < 10 else 0
    return f"{milliseconds:.{digits}f} ms"


def megabytes(mb: float | None) -> str:
    return DASH if mb is None else f"{mb:,.0f} MB"


def factor(value: float | None, digits: int = 2) -> str:
    return DASH if value is None else f"{value:.{digits}f} x"


def value(figure_value: float | None, unit: str) -> str:
    """A figure's value in its unit."""
    return megabytes(figure_value) if unit == "MB" else duration(figure_value)
