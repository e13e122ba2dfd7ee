"""The issue's goals, each judged on the figures: met, not met, or not measured."""

from __future__ import annotations

from dataclasses import dataclass

from bench.figures import DASH, ROLES, SCALES, Results, dig, duration, factor, load_medians, megabytes, served_medians

LOAD_RATIO_GOAL = 2.0
LOAD_RATIO_SCALES = ("1x", "100x")  # where the load's ratio to DuckDB's raw load is judged
LOAD_MEMORY_GOAL_MB = 2048  # 2 GB, in the MB (2^20 bytes) the peak memory is measured in
QUERY_GOAL = 0.100
PAGE_GOAL = 0.300
P95_GOAL = 1.0
REPORT_GOAL = 0.5  # seconds a report, issue 21


@dataclass(frozen=True)
class Goal:
    """A goal of the issue, the figure it is judged on and the verdict."""

    goal: str
    judged_at: str
    figure: str
    verdict: str


def verdict(values: list[float | None], limit: float) -> str:
    """Say "met" when every value is under the limit, "not met" when one is not, else "not measured"."""
    if any(v is not None and v >= limit for v in values):
        return "not met"
    if not values or any(v is None for v in values):
        return "not measured"
    return "met"


def slowest(results: dict, key: str, scale: str = "100x") -> tuple[float | None, str]:
    """The slowest warm median of one role's queries or pages at a scale, and its name."""
    timings = dig(results, scale, key) or {}
    return max(((t["warm_median"], name) for name, t in timings.items()), default=(None, DASH))


def load_ratios(load: dict) -> dict[str, float | None]:
    """The load's time ratio to DuckDB's raw load at each scale the goal is judged at."""
    return {scale: load_medians(load.get(scale))["ratio"] for scale in LOAD_RATIO_SCALES}


def goals(results: Results) -> list[Goal]:
    """Every goal of the issue, judged on the figures."""
    load = load_medians(results.load.get("100x"))
    ratios = load_ratios(results.load)
    found = [
        Goal(
            f"Our load within {LOAD_RATIO_GOAL:g}x of DuckDB's raw load",
            ", ".join(LOAD_RATIO_SCALES),
            ", ".join(f"{scale}: {factor(ratio)}" for scale, ratio in ratios.items()),
            verdict(list(ratios.values()), LOAD_RATIO_GOAL),
        ),
        Goal(
            "Our load's peak memory under 2 GB",
            "100x",
            megabytes(load["ours_mb"]),
            verdict([load["ours_mb"]], LOAD_MEMORY_GOAL_MB),
        ),
    ]
    for what, limit, source, index in (
        ("Every dashboard query", QUERY_GOAL, results.queries, 0),
        ("Every page's rerun", PAGE_GOAL, results.pages, 1),
    ):
        worst = {role: slowest(source, keys[index]) for role, keys in ROLES.items()}
        figure = "; ".join(
            f"{role}: {DASH if seconds is None else f'{name} {duration(seconds)}'}"
            for role, (seconds, name) in worst.items()
        )
        found.append(
            Goal(
                f"{what} under {limit * 1000:.0f} ms warm (TSN and agency)",
                "100x",
                f"slowest: {figure}",
                verdict([seconds for seconds, _ in worst.values()], limit),
            )
        )
    sessions = results.served.get("sessions", 16)
    for runs_key, how in (("runs", "no pause between pages"), ("reading_runs", "each page read 2-6 s")):
        p95 = {scale: served_medians(results.served, scale, runs_key)["p95"] for scale in SCALES}
        found.append(
            Goal(
                f"p95 page time under {P95_GOAL:g} s with {sessions} sessions, {how}",
                ", ".join(SCALES),
                ", ".join(f"{scale}: {duration(seconds)}" for scale, seconds in p95.items()),
                verdict(list(p95.values()), P95_GOAL),
            )
        )
    batch = dig(results.reports, "batch", "per_report")
    goal = results.reports.get("goal_seconds", REPORT_GOAL)
    found.append(
        Goal(
            f"A PDF report under {goal:g} s in the batch (`lom report agency --all`)",
            "sample",
            DASH if batch is None else duration(batch),
            verdict([batch], goal),
        )
    )
    return found


def section(results: Results) -> str:
    """Render the goals as a table: each with its figure and verdict."""
    lines = [f"| {g.goal} | {g.judged_at} | {g.figure} | **{g.verdict}** |" for g in goals(results)]
    return "\n".join(["## Goals", "", "| goal | at | figure | verdict |", "|---|---|---|---|", *lines])
