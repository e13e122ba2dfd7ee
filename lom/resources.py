"""The files shipped inside the package, found through importlib.resources: the SQL, the
contract's configuration, the measures' definitions, the documents the app shows, the sample files
and the Streamlit config.

In a checkout they are links into the repository's own folders (lom/sql -> ../sql, ...); a built
wheel holds copies. Either way the package is installed as files (never zipped), so each resource
is a real path that DuckDB, Streamlit and Polars can open.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def path(*parts: str) -> Path:
    """Return the path of a resource of the lom package, e.g. path("sql", "app")."""
    found = resources.files("lom").joinpath(*parts)
    if not isinstance(found, Path):  # a zipped install: not supported
        raise RuntimeError(f"the lom package must be installed as files, not as {type(found).__name__}")
    return found


def sql_dir() -> Path:
    """Return the folder of the SQL files (schema, load statements, models, app queries)."""
    return path("sql")


def config_file() -> Path:
    """Return the contract's lists: sectors, measure types, decisions, person headers."""
    return path("config", "lom.toml")


def measures_file() -> Path:
    """Return the measures' definitions: Swedish name, unit, direction (lom/db/measures.py reads it)."""
    return path("config", "measures.toml")


def doc(name: str) -> Path:
    """Return one of the documents the app shows, e.g. doc("measures.md")."""
    return path("docs", name)


def sample_files() -> list[Path]:
    """Return the committed sample files as agencies send them, in name order."""
    return sorted(p for p in path("sample_data").iterdir() if p.suffix in (".csv", ".xlsx"))


def streamlit_config() -> Path:
    """Return the Streamlit settings of a public deployment that `lom serve` applies."""
    return path("streamlit", "config.toml")


def app_script() -> Path:
    """Return the app's script, which Streamlit runs as its main script."""
    return path("app.py")


def checkout_root() -> Path | None:
    """Return the repository's folder when the package runs from a checkout, else None."""
    root = path().resolve().parent
    return root if (root / "pyproject.toml").is_file() and (root / "pipelines").is_dir() else None
