"""A reader process for tests/test_concurrency.py: `python -m tests.concurrent_reader DB STOP OUT SLICES`.

Until the file STOP exists, it opens the database as the dashboard does (`queries.connection`),
checks that what it sees is whole, runs every query of the dashboard, and closes again. It writes
what it saw to OUT as JSON: how many snapshots, every failed query and every broken invariant.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from lom.queries.connection import connect
from tests.query_calls import calls, example_arguments

# For each agency of the test (a slice of 2024 that the concurrent loads keep replacing): rows from
# more than one load, a row count other than its load's, amounts of another load, or a measure
# table that disagrees with the rows are each half a load seen.
BROKEN_SLICES = """
with slice_rows as (
    select a.org_nr, a.load_id, a.requested_sek, l.file_name, l.rows_inserted, l.status
    from applications a left join loads l using (load_id)
    where year(a.received_on) = 2024 and a.org_nr in (select unnest($slices::varchar[]))
),
per_slice as (
    select
        org_nr,
        count(distinct load_id) as loads,
        count(*) as n,
        any_value(rows_inserted) as logged,
        any_value(file_name) as file_name,
        any_value(status) as status,
        count(distinct requested_sek) as amounts,
        min(requested_sek) as amount
    from slice_rows group by org_nr
)
select p.org_nr, p.loads, p.n, p.logged, p.file_name, p.status, p.amounts, p.amount, m.applications
from per_slice p left join int_agency_year_applications m on m.org_nr = p.org_nr and m.year = 2024
where p.loads <> 1
    or p.status is distinct from 'loaded'
    or m.applications is distinct from p.n
    or (p.file_name like 'konkurrens-%' and (
        p.n <> p.logged
        or p.amounts <> 1
        or p.amount <> 1000 + cast(regexp_extract(p.file_name, '(\\d+)', 1) as integer)))
"""


def main(db: Path, stop: Path, out: Path, slices: list[str]) -> None:
    seen = {"snapshots": 0, "queries": 0, "failures": [], "half_loads": [], "loads_seen": set()}
    while not stop.exists():
        try:
            with connect(db) as con:
                broken = con.sql(BROKEN_SLICES, params={"slices": slices}).fetchall()
                seen["half_loads"] += [list(map(str, row)) for row in broken]
                seen["loads_seen"].add(con.sql("select count(*) from loads").fetchall()[0][0])
                year, org_nr = example_arguments(con)
                for call in calls(con, year, org_nr).values():
                    call()
                    seen["queries"] += 1
            seen["snapshots"] += 1
        except Exception as error:  # every failure is the finding: record it and go on reading
            seen["failures"].append(f"{type(error).__name__}: {error}"[:300])
        time.sleep(0.1)
    seen["loads_seen"] = sorted(seen["loads_seen"])
    out.write_text(json.dumps(seen))


if __name__ == "__main__":
    database, stop_file, out_file, *agencies = sys.argv[1:]
    main(Path(database), Path(stop_file), Path(out_file), agencies)
