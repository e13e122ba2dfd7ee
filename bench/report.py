"""Write bench/README.md and bench/growth.svg from the benchmarks' last results (bench/*results.json).

python -m bench.report
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import altair
import duckdb
import fastexcel
import polars as pl
import streamlit

from bench import goals, growth
from bench.figures import (
    BENCH,
    DASH,
    SCALES,
    Results,
    dig,
    duration,
    factor,
    figures,
    load_medians,
    median,
    megabytes,
    names,
    served_medians,
)

CHART = "growth.svg"


def machine() -> str:
    """Describe the machine and the versions the figures were measured with."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, Polars {pl.__version__}, fastexcel {fastexcel.__version__}, "
        f"Streamlit {streamlit.__version__}, Altair {altair.__version__}."
    )


def timing_table(results: dict, key: str, label: str, code: bool, digits: int | None = None) -> str:
    """A table of warm (median, slowest) and cold times, one line per query or page, a pair of columns a scale."""
    lines = []
    for name in names(results, key):
        cells = []
        for scale in SCALES:
            timing = dig(results, scale, key, name)
            if timing is None:
                cells += [DASH, DASH]
                continue
            warm = f"{duration(timing['warm_median'], digits)} ({timing['warm_max'] * 1000:.0f})"
            cells += [warm, duration(timing["cold"], digits)]
        lines.append(f"| {f'`{name}`' if code else name} | {' | '.join(cells)} |")
    header = " | ".join(f"{scale} warm (max) | {scale} cold" for scale in SCALES)
    return "\n".join([f"| {label} | {header} |", "|---|" + "---|" * (2 * len(SCALES)), *lines])


def per_scale(results: dict, describe) -> str:
    """'1x: ..., 10x: ..., 100x: ...' over the scales measured."""
    return ", ".join(f"{scale}: {describe(results[scale])}" for scale in SCALES if scale in results) or DASH


def counts(results: dict, key: str) -> str:
    """How many runs a figure is the median of, as the last scale measured says."""
    measured = [results[scale][key] for scale in SCALES if key in results.get(scale, {})]
    return str(measured[-1]) if measured else DASH


def query_section(results: dict) -> str:
    """Render the query benchmark: every dashboard query at every scale, warm and cold, for both roles."""
    refused = dict.fromkeys(name for scale in SCALES for name in dig(results, scale, "refused_to_agency") or [])
    return f"""## Dashboard queries at 1x, 10x and 100x the national volume

`python -m bench.query_benchmark`. Databases from the sample-data generator (`bench/datasets.py`):
300 agencies, 20 years (2006-2025); {per_scale(results, lambda r: f"{r['applications']:,} applications")}.
Every function of the query layer (`lom/queries/`), with the arguments a page passes (the newest year,
the agency with the most applications). Warm: the median of {counts(results, "runs")} runs on an open
connection, the slowest in brackets; cold: the median of {counts(results, "cold_runs")} first runs,
each on a fresh connection.

As TSN staff (role `tsn`):

{timing_table(results, "queries", "query", code=True, digits=1)}

As the agency with the most applications (role = its org_nr): what an agency's pages call, its
peers under pseudonyms and every figure through disclosure control. The query layer refuses it
the rest ({", ".join(f"`{name}`" for name in refused) or DASH}).

{timing_table(results, "agency_queries", "query", code=True, digits=1)}

Opening a read-only connection (a fresh in-memory DuckDB attaching the published file, and the
check that its measures are this code's), once per page run:
{per_scale(results, lambda r: duration(r["open_connection_median"], 0))}.

Why the queries hardly grow with the data: the one aggregate over every application
(`int_agency_year_applications`, per agency and year, and its siblings per measure type and for
handling times) is a table built when a load publishes, and so are the measures per agency and year
(`agency_year_kpis`), the peers' statistics and positions and the projections. The pages then read a
few thousand agency-years, the same at every scale. Building all of it, as `bootstrap` does and a
load does on measures of other code (a load on this code's builds again only the tables that read
what it wrote; best of three):
{per_scale(results, lambda r: f"{min(r['build_measures_seconds']):.2f} s")}.
"""


def page_section(results: dict) -> str:
    """Render the page benchmark: every page at every scale, cold and warm, for both roles."""
    start = per_scale(results, lambda r: f"{median(r['start_seconds']):.1f} s")
    return f"""## Dashboard pages at 1x, 10x and 100x

`python -m bench.page_benchmark`. Every page through Streamlit's AppTest on the same databases,
logged in as a deployment logs users in, for the newest year and the agency with the most
applications. Cold: the median of {counts(results, "cold_runs")} runs of the page, each with
Streamlit's caches emptied first, every query and chart made anew; warm: the median of
{counts(results, "runs")} reruns after them with the same state (the slowest in brackets): what a
rerun costs once its queries and charts are cached.

As TSN staff:

{timing_table(results, "pages", "page", code=False)}

As the agency with the most applications (its four pages, as it sees them):

{timing_table(results, "agency_pages", "page", code=False)}

Cold start of a new process (importing Streamlit, Polars, DuckDB and Altair, then drawing the
overview with empty caches; median of 3): {start}.

Why warm reruns are cheap: query results are cached by the database file's identity and the
viewer's role (`lom/ui/data.py`), and so are finished Vega-Lite specifications (`lom/ui/charts.py`):
building an Altair chart and validating it cost 20-60 ms a chart, more than the query behind it.
"""


def served_section(served: dict) -> str:
    """Render the served benchmark: page times under concurrent sessions, per scale."""
    lines = []
    for runs_key, how in (("runs", "no pause"), ("reading_runs", "reading 2-6 s")):
        for scale in SCALES:
            runs = dig(served, "scales", scale, runs_key) or []
            figures_of = served_medians(served, scale, runs_key)
            rate = figures_of["pages_per_second"]
            pages = f"{sum(r['pages'] for r in runs):,} ({sum(r['failed'] for r in runs)})" if runs else DASH
            lines.append(
                f"| {scale} | {how} | {duration(figures_of['p50'])} | {duration(figures_of['p95'])} | "
                f"{duration(figures_of['max'])} | {DASH if rate is None else f'{rate:.1f}'} | {pages} |"
            )
    memory = ", ".join(
        f"{scale}: {dig(served, 'scales', scale, 'server_peak_mb'):,.0f} MB"
        for scale in SCALES
        if dig(served, "scales", scale, "server_peak_mb") is not None
    )
    runs = max((len(dig(served, "scales", scale, "runs") or []) for scale in SCALES), default=0) or DASH
    sessions = served.get("sessions", 16)
    return f"""## The served app under {sessions} concurrent sessions

`python -m bench.served_benchmark`. `streamlit run` serves the dashboard on each scale's database
with the repository's `.streamlit/config.toml`, as a deployment does. {sessions} sessions talk to
it over Streamlit's websocket as browser tabs do (`tests/served.py`: the same protobuf messages,
no browser, so that sixteen fit on this machine beside the server). Each session opens the six
TSN pages in turn from a different page, with the newest year and the busiest agency in the
link. A page time runs from the request to the end of the script run, every element received.
One session first opens every page once, so the figures are of a running server whose caches
hold the pages; a new server's first visitors are the pages' cold runs above.

- **No pause:** each session opens its next page as soon as the last is there,
  {served.get("rounds", DASH)} times through the pages: sixteen page runs always in the server,
  the hardest load sixteen people can make.
- **Reading:** each session reads a page for 2-6 s (drawn uniformly, seeded) before it opens the
  next, {served.get("reading_rounds", DASH)} times through: sixteen people working, which is
  still busier than people are.

Each figure is the median over the runs ({runs} a scale of each kind) of that run's p50, p95 and
slowest page. Server peak memory (RSS): {memory or DASH}.

| scale | sessions | p50 | p95 | slowest | pages a second | pages (failed) |
|---|---|---|---|---|---|---|
{chr(10).join(lines)}

What made it fast enough, one step at a time, each found with py-spy on the server under this
benchmark (at 1x, no pause; before: p50 2.2 s, p95 2.9 s, 6.6 pages a second):

1. Streamlit runs a full `gc.collect(2)` after every script run by default; under sixteen
   sessions that was more than half the server's time, all of it holding the GIL.
   `runner.postScriptGC = false` in `.streamlit/config.toml`: p50 0.94 s, 14.8 pages a second,
   server peak memory 353 MB before and 373 MB after.
2. Tables without row choice are styled once per content and their finished element replayed
   (`lom/ui/tables.py`): pandas' Styler formatted every cell in Python at every rerun, a third of
   the server's time. p50 0.63 s, 23 pages a second.
3. Query results are cached once for all sessions (`st.cache_resource` in `lom/ui/data.py`), where
   `st.cache_data` unpickled a copy of the frame at every read, a tenth of the server's time.

What is left: the Styler of the two tables one chooses rows in (overview and watchlist), and
Streamlit's own work per message, all of it holding the GIL, so a second core does not help.
The client's sixteen sessions run on the same two cores and use about 4 % of one.

The goal without pauses was met when these steps were measured (2026-11-24: p95 0.85-0.90 s) and
is not now: the agency profile has grown since (the application flow and the applicants by
gender and age band, the agency's own figures year by year, the outlook, the report button and
the follow-up log), and under sixteen sessions it is the slowest page by far (median 0.8-1.1 s,
the other pages 0.4-0.65 s). py-spy on the server (1x, no pause) put a third of its time in the
tables: the styled tables one chooses rows in 15 %, the replayed ones 6 %, and the CSV and Excel
buttons under every table 12 %, a row of three columns each; the charts took 16 %, half of it
marshalling their data. The buttons now sit in one horizontal row: p95 1.07 s, 1.20 s and 1.24 s
at 1x, 10x and 100x, where it was 1.51 s, 1.39 s and 1.28 s the same day. Fewer elements on the
profile, such as one place for its downloads, is a choice for the page's users.

With reading pauses, the p95 is the sessions' first pages: all sixteen sessions start at the
same moment, so their first pages are sixteen runs at once; after that a page takes about 45 ms.
"""


def load_section(results: dict, memory: dict | None = None) -> str:
    """Render the load benchmark: our load against DuckDB's raw load, per scale, and its stages."""
    lines = []
    for scale in SCALES:
        runs = results.get(scale)
        load = load_medians(runs)
        ours = (runs or {}).get("ours") or [{}]
        size = f"{runs['file_mb']:,.0f} MB" if runs else DASH
        rows = f"{ours[0]['rows']:,}" if "rows" in ours[0] else DASH
        years = "-".join(map(str, ours[0]["years"])) if ours[0].get("years") else DASH
        lines.append(
            f"| {scale} | {rows} | {years} | {size} | {duration(load['raw_seconds'])} | {megabytes(load['raw_mb'])} | "
            f"{duration(load['ours_seconds'])} | {megabytes(load['ours_mb'])} | **{factor(load['ratio'])}** | "
            f"{factor(load['memory_ratio'])} |"
        )
    load = load_medians(results.get("100x"))
    ratios = goals.load_ratios(results)
    runs = max((len(results[scale]["ours"]) for scale in SCALES if scale in results), default=DASH)
    time_verdict = goals.verdict(list(ratios.values()), goals.LOAD_RATIO_GOAL)
    memory_verdict = goals.verdict([load["ours_mb"]], goals.LOAD_MEMORY_GOAL_MB)
    return f"""## Loading the largest applications file of each scale

`python -m bench.load_benchmark`. The largest applications file of each scale, as the sample-data
generator writes it (UTF-8 CSV with semicolons, decimal commas and Swedish headers; 300 agencies),
loaded into a database that holds their agencies and funds; beside it, DuckDB's raw load of the
same file in the same run: `create table raw as select * from read_csv(file)`. Each figure is the
median of {runs} runs, each load in a fresh process; times exclude Python start-up; peak: the
process's peak memory (RSS). The ratios are the medians of each run's own ratio.

| scale | applications | years | file | raw: time | raw: peak | ours: time | ours: peak | time ratio | memory ratio |
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(lines)}

{stages_section(memory or {})}
Goals: within {goals.LOAD_RATIO_GOAL:g}x of DuckDB's raw load at {" and ".join(ratios)}, **{time_verdict}**
({" and ".join(factor(ratio, 1) for ratio in ratios.values())}); peak memory under 2 GB at 100x,
**{memory_verdict}** ({megabytes(load["ours_mb"])}).
DuckDB's raw load sniffs types and checks no rule; ours reads every cell as text, checks every
rule of the data contract, scans for personal data, computes an HMAC-SHA256 per row (four
SHA-256 blocks a row), and since the measures came it also builds again, before it publishes, the measures'
tables that read what it wrote.

{LOAD_LEFT}
"""


# What the work on the load's speed (issue 23) changed, and what is left and why.
LOAD_LEFT = """What is done once and vectorised: the HMAC is computed over a whole part's column by
polars-hash's SHA-256 (`pipelines/pseudonym.py`; `tests/test_pseudonym.py` checks it against Python's
`hmac` for 5 000 case numbers in many scripts), every rule is a Polars expression over whole
columns, each distinct value is parsed once, and a part's rows are staged from its Arrow data. The
next part is read in a thread while the one before is checked; a part's scan for personal data and
its HMAC run in threads beside its validation; the survey hashes the file in a thread.

Since the last figures:
- **The HMAC by polars-hash, not DuckDB's SQL.** The same RFC 2104 passes over the same bytes, by
  a maintained Polars plugin (Rust, with the CPU's SHA instructions) in Polars' threads: a 32 MB
  part's keys take 0.19 s of CPU in place of 0.28 s (0.10 s in place of 0.19 s on the clock),
  and the keys are those written before. DuckDB's `sha256` has no SHA instructions; Python's
  `hmac.digest` row by row took 2.2 s a million rows and holds Python's lock.
- Timed against the code before it (`farm-bench --vs`, whole processes in turn, the median of
  each pair's ratio): 0.99 of the time at 1x (7 pairs), 0.97 at 10x (5 pairs, 0.93 of the CPU)
  and 0.94 at 100x (3 pairs: 23.9 s against 25.5 s; 41 s of CPU against 44 s).
- These figures come from another machine than the last (two cores of an AMD EPYC, where the
  last were two of an Intel Xeon), faster for both loads: DuckDB's raw load of the 100x file took
  4.7 s where it took 7.0 s, ours 24.0 s where it took 37.1 s. The ratios hardly moved with it.

Earlier in this work: a part's scan for personal data runs in a thread beside its validation (its
findings still told first); UTF-8 is checked once, by Polars, in the survey (1.4-1.7 s for the
100x file where Python's decoder took 2.7 s); text whose characters all lie below U+0300 (all of
Swedish) is known to be composed (NFC) from its bytes alone. Against the code before those: 0.94
of the time at 1x, 0.93 at 10x and 0.89 at 100x.

Measured and not taken:
- DuckDB's CSV reader gives a 32 MB part's text columns to Polars in 0.15 s, Polars' own reader
  reads them in 0.06 s: Polars stays the reader.
- Counting every rule's mask in one `select` saved nothing that could be measured (0.29 s against
  0.30 s for a part's validation).
- The HMAC in Python (`hashlib` with the pads' states computed once: two SHA-256 blocks a row, not
  four) holds Python's lock: the load took 1.06 times as long at 10x; in a separate process 1.18
  times as long at 100x. Staging each part in a thread while the next is checked changed nothing
  that could be measured and held 100 MB more.
- The application keys are random hex, half of the write's time: stored uncompressed they would
  be written in a third of it (0.12 s against 0.34 s for a million rows) but take twice the space
  (37 MB against 18 MB), and every load copies the database.

What is left, and why the goal is out of reach of this design on two cores:
- **Both cores are busy, with work.** At 100x the load uses 1.7 cores on average (41 s of CPU in
  24 s). One 32 MB part (300 000 rows), each step alone: its read 0.13-0.17 s of CPU, the scan for
  personal data 0.10 s, validation 0.18 s, the HMAC 0.19 s: about 0.6 s a part, 20 s of CPU for
  the 33 parts of the 100x file, 10 s on the clock if the two cores never waited. The checks
  alone (scan, rules, HMAC: 15.5 s of CPU, 7.8 s on the clock) take more than DuckDB's whole
  raw load (4.7 s), which checks nothing; the goal (2x, 9.3 s) leaves 1.5 s for the read, the
  staging and the write.
- **The write is DuckDB's own.** The insert of the 10 million staged rows into `applications` takes
  4-5 s, near DuckDB's cost of writing a table that size, which is most of DuckDB's raw load too.
  Inserting each part straight into `applications` inside the file's transaction would save the
  staging copy (2.3 s at 100x), but the slice replacement, the check against applications loaded
  under another year and the check for an unchanged file would then have to tell a file's rows
  from those loaded before by their load; not started.
- **The build after applications is a floor at 1x:** the four aggregates, the measures per agency
  and year, the projection and the peers' statistics and positions are rebuilt whole, which takes
  more than DuckDB's raw load of the whole 1x file. Only the aggregates could be built for the
  agency-years a file touches: a peer group's median and every member's position change when one
  agency's figures do.
"""


def stages_section(memory: dict) -> str:
    """Render where a load's time and memory go, stage by stage (bench.load_memory)."""
    if not memory:
        return ""
    seconds = memory.get("stage_seconds", {})
    lines = "\n".join(
        f"| {name} | {duration(seconds.get(name))} | {megabytes(peak)} |" for name, peak in memory["peaks_mb"].items()
    )
    beside = memory.get("beside_seconds", {})
    lines += "".join(f"\n| beside, in a thread: {name} | {duration(spent)} | |" for name, spent in beside.items())
    return f"""Where the time and the memory go at {memory["scale"]} (`python -m bench.load_memory`: one load of
the {memory["rows"]:,}-row file, {duration(memory["seconds"])} in all; its resident memory sampled every 20 ms;
each second and sample put down to the stage the load was in, a stage inside another counted as
its own; the work beside, in threads, timed apart as the sum of its runs, which overlap the stages):

| stage | time | peak memory (RSS) |
|---|---|---|
{lines}

A file larger than a part (`LOM_PART_MB`, 32 MB: about 300 000 rows) is loaded part by part
(`pipelines/parts.py`): a survey reads its bytes once (its SHA-256, whether it is all UTF-8,
where parts may start), then each part is read, scanned and validated as a whole file would be,
and its pseudonymised rows are staged in a DuckDB temp table; a part's scan for personal data
and its HMAC run in two threads while the part is validated, and the next part is read in a
third. What spans parts is checked over the staged rows: a case
number twice in the file, the slices the file replaces, applications stored under another year.
DuckDB may use `LOM_LOADER_MEMORY` (1 GB) in a load and spills the rest to disk. So the peak is
one part in Python plus DuckDB's limit, whatever the file's size. The write inserts the staged
rows, checked against the table's CHECK constraints.
"""


def growth_section(results: Results, chart: str | None) -> str:
    """Render how each cost grows: the chart, then a line per figure."""
    image = f"![Every figure at 1x, 10x and 100x, log scale]({chart})\n\n" if chart else ""
    return f"""## How each cost grows with the data

Every figure above at the three scales (1x, 10x and 100x the national volume), and how many
times larger it is at 100x than at 1x: 1 means the cost does not grow with the data. Queries and
pages: the warm medians (pages also cold); served: the medians over the runs.

{image}{growth.table(figures(results))}
"""


def reports_section(reports: dict) -> str:
    """The PDF reports on the sample database (bench/report_benchmark.py): a report by stage, the batch."""
    if not reports:
        return "## PDF reports\n\nNot run (`python -m bench.report_benchmark`)."
    one, batch = reports["per_report"], reports["batch"]
    met = "met" if batch["per_report"] <= reports["goal_seconds"] else "not met"
    return f"""## PDF reports

The agency's one-page report for each of the sample's {batch["reports"]} agencies ({reports["year"]}),
`python -m bench.report_benchmark` (medians of {batch["runs"]} runs; {reports["cores"]} cores). Goal: under
{reports["goal_seconds"]:.1f} s a report in the batch: **{met}**.

| what | median |
|---|---|
| one report in one process: reading its figures through the query layer | {one["gather"]:.3f} s |
| ... rendering its two charts to SVG (vl-convert) | {one["charts"]:.3f} s |
| ... typesetting the PDF (Typst) | {one["typeset"]:.3f} s |
| ... in all | {one["total"]:.3f} s |
| `lom report agency --all`: {batch["reports"]} reports, a process per core, start included | {batch["seconds"]:.1f} s |
| ... a report | {batch["per_report"]:.3f} s |
| the national report | {reports["national"]["seconds"]:.3f} s |

A report reads the agency's peer group once (`agency.reading_once`: the positions, the trend and the
approval-rate check share one reading of the group under disclosure control), which took reading from
0.76 s to about 0.4 s. What is left is spread thin: some fifteen queries of a few hundredths
each, and the two charts, where building the profile's layered Altair chart (copies of its schema
objects) costs more than vl-convert's rendering. Typst itself takes a fifteenth. In the batch each
worker process runs Polars and DuckDB on one thread (a process per core already fills the cores;
a thread pool per core in every process contended for them, a sixth of the batch's time), and takes
the next agency as soon as it is done: handed out in chunks of seven, the last chunk left one core
idle for seconds (the command's own count: 29.3 s before, 24-26 s after). Two costs of every process went
too: Typst searched the system's fonts at each compile (now once a process: 18 ms to 7 ms a
report), and the table of every script's digits, which the personal-data scan reads, was built
by looking at every Unicode code point when `pipelines` was first imported (now a tenth of them:
a worker starts 0.25 s sooner).
"""


def render(results: Results, chart: str | None = CHART) -> str:
    """The text of bench/README.md; chart: the image's file name beside it, or None for no image."""
    parts = [
        "# Benchmarks",
        "Written by `make bench` (`python -m bench.report` after the benchmarks); do not edit by hand.",
        machine(),
        goals.section(results),
        query_section(results.queries),
        page_section(results.pages),
        served_section(results.served),
        load_section(results.load, results.load_memory),
        reports_section(results.reports),
        growth_section(results, chart),
    ]
    return "\n\n".join(part.strip() for part in parts) + "\n"


def write(results: Results | None = None, folder: Path = BENCH) -> str:
    """Write README.md and the growth chart into folder from the results (by default the last
    results of every benchmark), and return the README's text."""
    results = results or Results.read()
    growth.save(figures(results), folder / CHART)
    text = render(results)
    (folder / "README.md").write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(write())
