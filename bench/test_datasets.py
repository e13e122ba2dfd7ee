"""The benchmark databases (bench/datasets.py) are built from the generator as the loader would
write them: every column the write expects, the funds' full-time equivalents as the funds file
gives them. A database at 1x is built here (a few seconds); no benchmark runs."""

from __future__ import annotations

import duckdb

from bench import datasets
from sample_data.generate import generate


def test_a_benchmark_database_holds_what_the_generator_made(tmp_path):
    path = tmp_path / "lom_1x.duckdb"
    made = datasets.build("1x", path)
    dataset = generate(
        datasets.AGENCIES, scale=datasets._generator_scale(100_000), seed=datasets.SEED, years=datasets.YEARS
    )
    assert made["applications"] == dataset.applications.height
    with duckdb.connect(path, read_only=True) as con:
        applications = con.table("applications").count("*").fetchall()[0][0]
        funds = con.table("fund_years").select("org_nr, year, fte").order("org_nr, year").fetchall()
    assert applications == dataset.applications.height
    # The head count times 0.93 in tenths, half to even, worked out here in Python from the generator's rows.
    expected = sorted(
        (row["org_nr"], row["year"], round(row["employees"] * 0.93 * 10)) for row in dataset.funds.iter_rows(named=True)
    )
    found = [(org_nr, year, int(fte * 10)) for org_nr, year, fte in funds]
    assert found == expected
    assert not path.with_name(path.name + ".building").exists()
