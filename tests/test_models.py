"""Building the measures: order, all-or-nothing, and telling a database built by other code."""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from lom import resources
from lom.db import measures, models, settings, store
from lom.queries.connection import connect
from pipelines.load import load_files
from pipelines.write import LOG_TABLES

from .conftest import SAMPLE_FILES, rows, run_cli


@pytest.fixture(autouse=True)
def fresh_digest():
    """Some tests build from a changed list of files; no digest of theirs may outlive them."""
    models.digest.cache_clear()
    yield
    models.digest.cache_clear()


def test_every_model_comes_after_the_models_it_reads():
    files = models.model_files()
    names = [path.stem for path in files]
    for position, path in enumerate(files):
        text = path.read_text(encoding="utf-8")
        for later in names[position + 1 :]:
            assert not re.search(rf"\b{later}\b", text), f"{path.stem} reads {later}, which is built after it"


def test_every_model_file_creates_the_object_it_is_named_after():
    for path in models.model_files():
        statements = duckdb.connect().extract_statements(path.read_text(encoding="utf-8"))
        assert len(statements) == 1, path.name
        assert re.search(rf"create or replace (view|table|macro) {path.stem}\b", path.read_text()), path.name


def test_a_database_built_by_other_code_is_refused_until_bootstrap_rebuilds_it(sample_copy, capsys):
    con = duckdb.connect(str(sample_copy))
    con.execute("update model_build set sql_sha256 = repeat('0', 64)")
    con.close()
    with pytest.raises(models.ModelsOutdated, match="kör `python -m pipelines bootstrap`"), connect(sample_copy):
        pass
    code, output = run_cli(capsys, "bootstrap", "--db", sample_copy)
    assert (code, "måtten är ombyggda" in output) == (0, True)
    with connect(sample_copy) as con:
        assert con.sql("select count(*) from agency_year_kpis").fetchall() == [(660,)]
    code, output = run_cli(capsys, "bootstrap", "--db", sample_copy)
    assert (code, "måtten är ombyggda" in output) == (0, False)


def test_a_database_from_before_the_measures_gets_them(sample_copy, capsys):
    """A database of the first version has no model_build table and no measures at all."""
    con = duckdb.connect(str(sample_copy))
    con.execute("drop table model_build")
    con.execute("drop table agency_year_kpis")
    con.execute("drop view kpi_values")
    con.close()
    with pytest.raises(models.ModelsOutdated), connect(sample_copy):
        pass
    assert run_cli(capsys, "bootstrap", "--db", sample_copy)[0] == 0
    with connect(sample_copy) as con:
        assert con.sql("select count(*) from agency_year_kpis").fetchall() == [(660,)]


def test_a_view_may_become_a_table(sample_copy):
    """peer_positions is a table now; a database where it was a view is rebuilt without error."""
    con = duckdb.connect(str(sample_copy))
    con.execute("drop table peer_positions")
    con.execute("create view peer_positions as select 1 as x")
    models.build(con)
    tables = con.sql("select table_name from duckdb_tables() where database_name = current_database()").fetchall()
    assert ("peer_positions",) in tables
    con.close()


def test_a_failing_model_leaves_the_previous_measures(sample_copy, tmp_path, monkeypatch):
    broken = tmp_path / "marts" / "broken_view.sql"
    broken.parent.mkdir()
    broken.write_text("create or replace view broken_view as select * from no_such_table")
    before = rows(sample_copy, "select * from model_build")
    con = duckdb.connect(str(sample_copy))
    files = (*models.model_files(), broken)
    monkeypatch.setattr(models, "model_files", lambda: files)
    with pytest.raises(duckdb.CatalogException):
        models.build(con)
    assert con.sql("select count(*) from agency_year_kpis").fetchall() == [(660,)]
    con.close()
    assert rows(sample_copy, "select * from model_build") == before


def test_an_unchanged_load_does_not_rebuild_the_measures(sample_copy):
    [(built_at,)] = rows(sample_copy, "select built_at from model_build")
    outcomes = load_files(SAMPLE_FILES[:1], sample_copy)
    assert [o.status for o in outcomes] == ["unchanged"]
    assert rows(sample_copy, "select built_at from model_build") == [(built_at,)]


def test_a_correction_is_in_the_measures_at_once(sample_copy, tmp_path):
    """Loading a corrected funds row publishes measures that show it."""
    [(org_nr, spent, allocated, opening)] = rows(
        sample_copy,
        "select org_nr, spent_sek, allocated_sek, opening_balance_sek from fund_years "
        "order by org_nr, year desc limit 1",
    )
    [(employees, payroll)] = rows(
        sample_copy, f"select employees, payroll_sek from fund_years where org_nr = '{org_nr}' and year = 2025"
    )
    corrected = spent / 2
    closing = opening + allocated - corrected
    path = tmp_path / "rattelse.csv"
    path.write_text(
        "org_nr;year;employees;payroll_sek;allocated_sek;spent_sek;opening_balance_sek;closing_balance_sek\n"
        f"{org_nr};2025;{employees};{payroll};{allocated};{corrected};{opening};{closing}\n",
        encoding="utf-8",
    )
    assert [o.status for o in load_files([path], sample_copy)] == ["loaded"]
    with connect(sample_copy) as con:
        [(utilisation, funds_corrected)] = con.sql(
            "select k.utilisation, c.funds_corrected from agency_year_kpis as k "
            "join reporting_coverage as c using (org_nr, year) "
            f"where org_nr = '{org_nr}' and year = 2025"
        ).fetchall()
    assert utilisation == pytest.approx(float(corrected / allocated))
    assert funds_corrected is True


def test_building_the_measures_on_an_empty_database(tmp_path):
    """Before any file is loaded the measures exist and are empty, and the app's queries run."""
    db = tmp_path / "lom.duckdb"
    with store.writer_lock(db), store.next_version(db) as con:
        models.build(con)
    with connect(db) as con:
        assert con.sql("select count(*) from agency_year_kpis").fetchall() == [(0,)]
        assert con.sql("select count(*) from idle_fund_flags()").fetchall() == [(0,)]


def test_the_sample_database_can_be_copied_and_read_elsewhere(sample_db, tmp_path):
    """The views live in the file: a copy opened by plain DuckDB has them."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, copy)
    assert rows(copy, "select count(*) from peer_positions where year = 2025") == rows(
        sample_db, "select count(*) from peer_positions where year = 2025"
    )


def test_allocation_rates_are_the_code_s_and_a_hand_edit_outdates_the_measures(sample_copy, capsys):
    """The projections rest on the rates. Rates edited in the database make the measures outdated;
    the next publish writes the rates of sql/schema again and rebuilds on them."""
    con = duckdb.connect(str(sample_copy))
    con.execute("update allocation_rates set rate = 0.0025 where first_year = 2024")
    assert not models.is_current(con)
    con.close()
    with pytest.raises(models.ModelsOutdated), connect(sample_copy):
        pass
    assert run_cli(capsys, "bootstrap", "--db", sample_copy)[0] == 0
    assert rows(sample_copy, "select rate from allocation_rates where first_year = 2024") == [(Decimal("0.0020"),)]
    assert rows(
        sample_copy,
        "select distinct round(p.allocated_sek / (f.payroll_sek * 0.002), 9) from fund_projection as p "
        "join fund_years as f on f.org_nr = p.org_nr and f.year = p.base_year where p.base_year = 2025",
    ) == [(1.0,)]


def test_the_schema_its_rates_the_measures_the_decision_rules_and_the_manifest_are_part_of_the_digest():
    schema = models.SQL_DIR / "schema" / "01_allocation_rates.sql"
    assert "0.0020" in schema.read_text()
    sha = hashlib.sha256()
    for path in [*sorted((models.SQL_DIR / "schema").glob("*.sql")), *models.model_files()]:
        sql_only = " ".join(re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")).split())
        sha.update(f"{path.parent.name}/{path.name}\n{sql_only}\n".encode())
    manifest = tuple(tomllib.loads((models.SQL_DIR / "models.toml").read_text(encoding="utf-8"))["model"])
    sha.update(f"manifest\n{manifest}\n".encode())
    definitions = measures.read(resources.measures_file())
    fields = ("key", "label", "unit", "direction", "compared", "definition")
    text = "\n".join("\x1f".join(str(getattr(m, name)) for name in fields) for m in definitions)
    sha.update(f"measures\n{text}\n".encode())
    # The decision rules, read from config/lom.toml here: which decisions are granted and decided.
    counts = tomllib.loads(resources.config_file().read_text(encoding="utf-8"))["decision_counts"]
    counted = sorted((d, "granted" in what, "decided" in what) for d, what in counts.items())
    sha.update(f"decisions\n{counted}\n".encode())
    assert models.digest() == sha.hexdigest()


def test_a_comment_does_not_change_the_digest(tmp_path, monkeypatch):
    original = models.model_files()[-1]
    commented = tmp_path / original.parent.name / original.name
    commented.parent.mkdir()
    commented.write_text("-- a new comment\n" + original.read_text().replace("\n", "\n\n"), encoding="utf-8")
    before = models.digest()
    files = (*models.model_files()[:-1], commented)
    monkeypatch.setattr(models, "model_files", lambda: files)
    models.digest.cache_clear()
    assert models.digest() == before


def test_a_renamed_model_leaves_nothing_behind_and_nothing_else_is_touched(sample_copy, tmp_path, monkeypatch):
    """A model that a build made and the code no longer has is dropped; a table no build made
    (loaded data, or a newer version's) is kept."""
    old = tmp_path / "marts" / "old_measure.sql"
    old.parent.mkdir()
    old.write_text("create or replace table old_measure as select 1 as x")
    con = duckdb.connect(str(sample_copy))
    con.execute("create table someone_elses as select 1 as x")
    files = models.model_files()
    monkeypatch.setattr(models, "model_files", lambda: (*files, old))
    models.build(con)
    monkeypatch.setattr(models, "model_files", lambda: files)
    models.digest.cache_clear()
    models.build(con)
    assert models.is_current(con)
    names = {name for _, name in con.sql(store.sql("load/model_objects")).fetchall()}
    con.close()
    assert "old_measure" not in names
    data = {"agencies", "fund_years", "applications", "loads", "load_messages", "load_slices", "allocation_rates"}
    assert data | {"someone_elses"} <= names


def test_the_manifest_lists_every_model_once_each_after_what_it_reads():
    """sql/models.toml orders the build: every file of the model layers once, the layers in order,
    and each model after every model it depends on."""
    listed = [(model["layer"], model["name"]) for model in models.manifest()]
    on_disk = [
        (path.parent.name, path.stem) for layer in models.LAYERS for path in (models.SQL_DIR / layer).glob("*.sql")
    ]
    assert sorted(listed) == sorted(on_disk) and len(set(listed)) == len(listed)
    layers = [models.LAYERS.index(layer) for layer, _ in listed]
    assert layers == sorted(layers)
    built: set[str] = set()
    for model in models.manifest():
        assert set(model["depends_on"]) <= built, model["name"]
        built.add(model["name"])


def test_every_model_a_file_reads_is_declared_in_the_manifest():
    """A model's declared dependencies are exactly the models its SQL names (comments aside), so
    the manifest cannot drift from the SQL."""
    names = {model["name"] for model in models.manifest()}
    for model, path in zip(models.manifest(), models.model_files(), strict=True):
        sql_only = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        named = {name for name in names - {model["name"]} if re.search(rf"\b{re.escape(name)}\b", sql_only)}
        assert named == set(model["depends_on"]), model["name"]


def test_which_decisions_count_as_granted_is_defined_once_in_the_configuration(sample_db):
    """config/lom.toml's [decision_counts] is the one definition: the loader's checks read it, the
    measures read it as decision_types, and the schema's CHECK constraints agree with it."""
    vocabulary = settings.vocabulary()
    assert vocabulary.granting == ["beviljad", "delvis beviljad"]
    rules = vocabulary.decision_rules()
    assert rows(sample_db, "select decision, is_granted, is_decided from decision_types") == list(
        zip(rules["decision"], rules["is_granted"], rules["is_decided"], strict=True)
    )
    schema = (models.SQL_DIR / "schema" / "06_applications.sql").read_text(encoding="utf-8")
    every, granted = (re.findall(r"'([^']+)'", listed) for listed in re.findall(r"decision in \(([^)]*)\)", schema))
    assert every == rules["decision"] and granted == vocabulary.granting


def _loaded_tables() -> set[str]:
    """The tables of sql/schema, which loads write."""
    schema = " ".join(path.read_text(encoding="utf-8") for path in (models.SQL_DIR / "schema").glob("*.sql"))
    return set(re.findall(r"create table if not exists (\w+)", schema))


def test_every_loaded_table_a_file_reads_is_declared_in_the_manifest():
    """A model's `reads` are exactly the loaded tables its SQL selects from (a CTE of the same
    name is no read of the table, unless it selects from that name itself): what a load builds
    again rests on them."""
    loaded = _loaded_tables()
    assert {"agencies", "fund_years", "applications", "loads", "load_slices", "allocation_rates"} <= loaded
    for model, path in zip(models.manifest(), models.model_files(), strict=True):
        sql_only = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        named_here = set(re.findall(r"\b(\w+)\s+as\s*\(", sql_only))
        read = {t for t in loaded - named_here if re.search(rf"\b(?:from|join)\s+{t}\b", sql_only)}
        # A CTE named after a loaded table that selects from that name reads the table itself.
        read |= {t for t in loaded & named_here if re.search(rf"\b{t}\s+as\s*\([^()]*\bfrom\s+{t}\b", sql_only)}
        assert read == set(model.get("reads", ())), model["name"]


def test_a_load_builds_again_the_tables_that_read_what_it_wrote():
    """By hand, from the manifest: applications reach the aggregates, the measures' tables and
    the peers, not the nearest agencies (sizes and sectors) nor the definitions; funds reach the
    nearest agencies and the projection but no aggregate of applications. Every one of the three
    reaches the measures per agency and year."""
    log = set(LOG_TABLES)
    after_applications = {path.stem for path in models.stale_tables({"applications"} | log)}
    aggregates = {"int_agency_year_applications", "int_handling_times", "int_agency_year_measures"}
    aggregates |= {"int_agency_year_groups"}
    measures = {"agency_year_kpis", "fund_projection", "peer_stats", "peer_positions"}
    assert after_applications == aggregates | measures
    after_funds = {path.stem for path in models.stale_tables({"fund_years"} | log)}
    assert after_funds == measures | {"similar_agencies"}
    assert {path.stem for path in models.stale_tables(log)} == set()
    after_agencies = {path.stem for path in models.stale_tables({"agencies"})}
    assert after_agencies == measures | {"int_handling_times", "similar_agencies"}


def assert_as_built_whole(db: Path, full: Path) -> None:
    """Every view and table of `db` holds what a build of everything gives on a copy at `full`."""
    shutil.copyfile(db, full)
    con = duckdb.connect(str(full))
    models.build(con)
    con.close()
    for path in models.model_files():
        if "create or replace macro" not in path.read_text():
            query = f"select * from {path.stem} order by all"
            assert rows(db, query) == rows(full, query), path.stem


def test_what_a_load_builds_again_equals_building_everything(sample_copy, tmp_path):
    """Loading a correction of funds (another size and spending: other nearest agencies, another
    projection) and of applications (another year's count) builds only some tables again; every
    model then holds what a build of everything gives, and the tables that should change did."""
    tables = [path.stem for path in models.model_files() if "create or replace table" in path.read_text()]
    before = {name: rows(sample_copy, f"select * from {name} order by all") for name in tables}
    [(org_nr, employees, payroll, allocated, spent, opening)] = rows(
        sample_copy,
        "select org_nr, employees, payroll_sek, allocated_sek, spent_sek, opening_balance_sek "
        "from fund_years where year = 2025 order by employees desc, org_nr limit 1",
    )
    closing = opening + allocated - spent / 2
    funds = tmp_path / "medel_rattelse.csv"
    funds.write_text(
        "org_nr;year;employees;payroll_sek;allocated_sek;spent_sek;opening_balance_sek;closing_balance_sek\n"
        f"{org_nr};2025;{employees // 50};{payroll};{allocated};{spent / 2};{opening};{closing}\n",
        encoding="utf-8",
    )
    applications = tmp_path / "ansokningar_rattelse.csv"
    applications.write_text(
        "application_id;org_nr;received_on;decided_on;measure;decision;requested_sek;granted_sek\n"
        f"Dnr 2025/9001;{org_nr};2025-03-01;2025-03-20;Studier;beviljad;10 000;10 000\n",
        encoding="utf-8",
    )
    assert [o.status for o in load_files([funds, applications], sample_copy)] == ["loaded", "loaded"]
    assert_as_built_whole(sample_copy, tmp_path / "full.duckdb")
    changed = {name for name in tables if rows(sample_copy, f"select * from {name} order by all") != before[name]}
    assert {"similar_agencies", "int_agency_year_applications", "peer_positions", "fund_projection"} <= changed


# A change of each loaded table alone, as a load of one kind of file makes it (with its log).
CHANGES = {
    "applications": "delete from applications where year(received_on) = 2025 and org_nr = "
    "(select min(org_nr) from applications)",
    "fund_years": "update fund_years set employees = employees // 50 + 1, spent_sek = spent_sek / 2, "
    "closing_balance_sek = opening_balance_sek + allocated_sek - spent_sek / 2 "
    "where org_nr = (select max(org_nr) from fund_years)",
    "agencies": "update agencies set sector = case when sector = 'Universitet och högskolor' "
    "then 'Kultur, utbildning och övrigt' else 'Universitet och högskolor' end "
    "where org_nr = (select min(org_nr) from agencies)",
}


@pytest.mark.parametrize("table", list(CHANGES))
def test_building_again_after_one_table_changed_equals_building_everything(sample_copy, tmp_path, table):
    """Each loaded table changed alone: the tables built again for it, with everything else left as
    it was, hold what a build of everything gives, view for view and table for table; and some
    of them did change."""
    stale = [path.stem for path in models.stale_tables({table})]
    before = {name: rows(sample_copy, f"select * from {name} order by all") for name in stale}
    con = duckdb.connect(str(sample_copy))
    con.execute(CHANGES[table])
    models.build(con, changed={table, *LOG_TABLES})
    con.close()
    assert any(rows(sample_copy, f"select * from {name} order by all") != before[name] for name in stale)
    assert_as_built_whole(sample_copy, tmp_path / "full.duckdb")


def test_a_table_that_does_not_read_what_a_load_wrote_is_left_as_it_was(sample_copy):
    """A row put into the nearest agencies by hand outlives a build after applications, and is
    gone after one after funds: the partial build is what runs."""
    con = duckdb.connect(str(sample_copy))
    con.execute("insert into similar_agencies select * from similar_agencies limit 1")
    before = con.sql("select count(*) from similar_agencies").fetchall()
    models.build(con, changed={"applications", *LOG_TABLES})
    assert con.sql("select count(*) from similar_agencies").fetchall() == before
    models.build(con, changed={"fund_years", *LOG_TABLES})
    assert con.sql("select count(*) from similar_agencies").fetchall() == [(before[0][0] - 1,)]
    con.close()


def test_a_measure_dropped_by_hand_is_built_again_by_the_next_load(sample_copy):
    """A load's build is partial only when every model is there: one dropped since is made again."""
    con = duckdb.connect(str(sample_copy))
    before = con.sql("select * from similar_agencies order by all").fetchall()
    con.execute("drop table similar_agencies")
    models.build(con, changed={"applications", *LOG_TABLES})
    assert con.sql("select * from similar_agencies order by all").fetchall() == before
    con.close()
