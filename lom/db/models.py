"""Build the measures: the views, macros and summary tables of sql/ on top of the loaded tables.

The layers are applied in order, each reading only the ones before it: functions (Swedish number
text), reference (definitions and settings as data), staging (the tables renamed and derived),
intermediate (aggregates over every application, materialised as tables so that nothing above
them reads millions of rows) and marts (the measures, peer groups, flags and projections). The
order is the manifest's, sql/models.toml, where each model lists the models it reads. Each file
holds one `create or replace` statement and is named after what it creates.

A load builds them in the draft it publishes: if they are this code's, only the tables that read
(through the models they read) a loaded table it wrote; the manifest says what each model reads.
model_build records a digest of their SQL (without comments and spacing), of the manifest and of
the measures' definitions (config/measures.toml), and a fingerprint of the allocation rates the
summary tables rest on, so that a reader can tell measures built by other code, on other
definitions or on other rates, and refuse them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Collection
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from lom.db import measures, store
from lom.db.settings import SQL_DIR, vocabulary

LAYERS = ("functions", "reference", "staging", "intermediate", "marts")
MANIFEST = "models.toml"


class ModelsOutdated(Exception):
    """The database's views were built from other SQL than this code's (or not at all)."""


@cache
def manifest() -> tuple[dict, ...]:
    """Return sql/models.toml: every model in build order, with its layer and what it reads."""
    return tuple(tomllib.loads((SQL_DIR / MANIFEST).read_text(encoding="utf-8"))["model"])


@cache
def model_files() -> tuple[Path, ...]:
    """Return every model file in the order it must be applied (the manifest's order)."""
    return tuple(SQL_DIR / model["layer"] / f"{model['name']}.sql" for model in manifest())


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def digest() -> str:
    """Return the SHA-256 of what builds the database: the schema (whose allocation rates the
    summary tables rest on), the model files in build order, the measures' definitions
    (config/measures.toml, which kpi_definitions holds) and the decision rules (which decisions
    count as granted and as decided, config/lom.toml) and the manifest, sql/models.toml, which
    says what a load builds again. Comments and spacing do not count, so that
    a change of wording in a comment does not outdate a database."""
    sha = hashlib.sha256()
    for path in [*sorted((SQL_DIR / "schema").glob("*.sql")), *model_files()]:
        sql_only = " ".join(re.sub(r"--[^\n]*", "", _text(path)).split())
        sha.update(f"{path.parent.name}/{path.name}\n{sql_only}\n".encode())
    # The manifest: what each model reads decides what a load builds again.
    sha.update(f"manifest\n{manifest()}\n".encode())
    sha.update(f"measures\n{measures.canonical(measures.definitions())}\n".encode())
    # The decision rules (config/lom.toml [decision_counts]), which decision_types holds.
    rules = vocabulary().decision_rules()
    counted = sorted(zip(rules["decision"], rules["is_granted"], rules["is_decided"], strict=True))
    sha.update(f"decisions\n{counted}\n".encode())
    return sha.hexdigest()


def build(con: duckdb.DuckDBPyConnection, changed: Collection[str] | None = None) -> None:
    """Create or replace every model, and record which SQL built them, in one transaction.

    `changed`, the loaded tables a load wrote: if the measures in the database are this code's and
    all there, only the tables among them that read one of those (`stale_tables`) are built again.
    The views, macros and everything else stay as they are: a view reads its tables when asked.
    Without it, or when the measures are another code's, everything is built anew.
    """
    partial = changed is not None and is_current(con) and _complete(con)
    previous = set() if partial else _built_objects(con)  # before the transaction: a failed lookup would abort it
    store.begin(con)
    try:
        if not partial:
            _drop_models(con, previous)
        # The decision rules of config/lom.toml, which sql/reference/decision_types.sql reads.
        con.register("decision_rules", pl.DataFrame(vocabulary().decision_rules()))
        # The measures of config/measures.toml, which sql/reference/kpi_definitions.sql reads.
        con.register("measure_definitions", pl.DataFrame(measures.table(measures.definitions())))
        for path in stale_tables(changed) if partial else model_files():
            _create(con, path)
        store.run(
            con,
            store.sql("load/record_model_build"),
            {"sql_sha256": digest(), "objects": [path.stem for path in model_files()], "built_at": datetime.now()},
        )
        store.commit(con)
    except BaseException:
        store.rollback(con)
        raise
    if not is_current(con):  # DuckDB may roll back a failed transaction silently on commit
        raise RuntimeError("the measures were not committed")


def _create(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Create or replace one model, inside the build's transaction."""
    store.run(con, _text(path))


def _complete(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every model of this code is in the database: none was dropped by hand since the
    last build, which a partial build would not bring back."""
    present = {name for _, name in con.sql(store.sql("load/model_objects")).fetchall()}
    return {path.stem for path in model_files()} <= present


def stale_tables(changed: Collection[str]) -> list[Path]:
    """The model files of the tables that read, themselves or through the models they read, one
    of the loaded tables `changed`, in build order."""
    return [
        path
        for model, path in zip(manifest(), model_files(), strict=True)
        if _reads()[model["name"]] & set(changed) and _is_table(path)
    ]


@cache
def _reads() -> dict[str, frozenset[str]]:
    """Every model's loaded tables: those it reads itself and those of every model it reads."""
    reads: dict[str, frozenset[str]] = {}
    for model in manifest():
        tables = set(model.get("reads", ()))
        for name in model["depends_on"]:
            tables |= reads[name]
        reads[model["name"]] = frozenset(tables)
    return reads


def _is_table(path: Path) -> bool:
    """Whether a model is materialised: a table, whose rows are those of the build."""
    return re.search(rf"\bcreate or replace table {path.stem}\b", _text(path)) is not None


def _built_objects(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Return the names of what the last build made (none before the first)."""
    try:
        return {name for (name,) in con.sql(store.sql("load/model_build_objects")).fetchall()}
    except (duckdb.CatalogException, duckdb.BinderException):  # no build yet, or an older record
        return set()


def _drop_models(con: duckdb.DuckDBPyConnection, previous: set[str]) -> None:
    """Drop what the last build made (renamed or removed models included) and anything in the way
    of this one, so that nothing stale stays readable and a view may become a table. Objects no
    build made, the loaded data above all, are never touched."""
    names = {path.stem for path in model_files()} | {"model_build"} | previous
    for kind, name in con.sql(store.sql("load/model_objects")).fetchall():
        if name in names:
            store.drop_object(con, kind, name)


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Say whether the database's models were built from this code's SQL and its present rates
    (False for a database from before the measures)."""
    try:
        rows = con.sql(store.sql("load/model_build")).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):  # no model_build, or an older one
        return False
    return rows == [(digest(), True)]


def require_current(con: duckdb.DuckDBPyConnection) -> None:
    """Raise ModelsOutdated unless the database's models were built from this code's SQL."""
    if not is_current(con):
        raise ModelsOutdated(
            "databasen saknar måtten för den här versionen av programmet; "
            "kör `python -m pipelines bootstrap` för att bygga om dem"
        )


def refresh(db: Path) -> bool:
    """Rebuild the models of a published database if they are not this code's; say if it did."""
    with store.writer_lock(db):
        con = store.open_read_only(db)
        try:
            current = is_current(con)
        finally:
            con.close()
        if current:
            return False
        with store.next_version(db) as draft:
            build(draft)
        return True
