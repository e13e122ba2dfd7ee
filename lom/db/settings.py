"""Paths and limits, from the package's resources, overridable by environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lom import resources

SQL_DIR = resources.sql_dir()
DEFAULT_CONFIG = resources.config_file()
DEFAULT_MAX_APPLICATION_SEK = 10_000_000


def default_db() -> Path:
    """Return where the database lives unless told: data/lom.duckdb in a checkout, else the
    user's data directory (an installed package's folder is no place for data)."""
    if root := resources.checkout_root():
        return root / "data" / "lom.duckdb"
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "lom" / "lom.duckdb"


def db_path(override: str | os.PathLike | None = None) -> Path:
    """Return the database path: the argument, else LOM_DB, else the default_db()."""
    chosen = override or os.environ.get("LOM_DB") or default_db()
    return Path(chosen).expanduser().resolve()


def key_file() -> Path:
    """Return where the pseudonym key lives: LOM_KEY_FILE, else the user's config directory."""
    if path := os.environ.get("LOM_KEY_FILE"):
        return Path(path).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config_home) / "lom" / "pseudonym.key"


def max_file_bytes() -> int:
    """Return the size above which a file is refused before parsing (LOM_MAX_FILE_MB, 100)."""
    return int(float(os.environ.get("LOM_MAX_FILE_MB", "100")) * 1024 * 1024)


def part_bytes() -> int:
    """Return the size above which an applications CSV is loaded in parts of about that size
    (LOM_PART_MB, 32): a part of 32 MB is some 300 000 rows, and the load's memory stays near
    what one part needs however large the file."""
    return max(int(float(os.environ.get("LOM_PART_MB", "32")) * 1024 * 1024), 1)


def loader_memory() -> str:
    """Return the memory DuckDB may use in a load before it spills to disk (LOM_LOADER_MEMORY, 1GB)."""
    return os.environ.get("LOM_LOADER_MEMORY", "1GB")


def lock_timeout_seconds() -> float:
    """Return how long a load waits for another load to finish (LOM_LOCK_TIMEOUT, 600)."""
    return float(os.environ.get("LOM_LOCK_TIMEOUT", "600"))


@dataclass(frozen=True)
class Vocabulary:
    """Accepted values of the contract: canonical value by normalised alias."""

    first_year: int
    max_application_sek: int  # the most one application can be about (requested or granted)
    sectors: dict[str, str]
    measures: dict[str, str]
    decisions: dict[str, str]
    genders: dict[str, str]
    age_bands: dict[str, str]
    person_headers: frozenset[str]
    decision_counts: dict[str, frozenset[str]]  # decision -> what it counts as: granted, decided

    @property
    def granting(self) -> list[str]:
        """The decisions that count as granted (in whole or in part)."""
        return [d for d, counts in self.decision_counts.items() if "granted" in counts]

    def decision_rules(self) -> dict[str, list]:
        """The decisions and what each counts as, as columns (the table decision_types)."""
        decisions = list(self.decision_counts)
        return {
            "decision": decisions,
            "is_granted": [d in self.granting for d in decisions],
            "is_decided": ["decided" in self.decision_counts[d] for d in decisions],
        }


def normalise(text: str) -> str:
    """Lower-case, trim and collapse inner whitespace, as header and value matching does."""
    return " ".join(text.replace("\u00a0", " ").split()).lower()


def _alias_map(table: dict[str, list[str]]) -> dict[str, str]:
    mapping = {}
    for canonical, aliases in table.items():
        for alias in [canonical, *aliases]:
            mapping[normalise(alias)] = canonical
    return mapping


@cache
def vocabulary(path: Path | None = None) -> Vocabulary:
    """Read the configured sectors, measure types and other accepted values."""
    path = path or Path(os.environ.get("LOM_CONFIG", DEFAULT_CONFIG))
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return Vocabulary(
        first_year=int(raw["first_year"]),
        max_application_sek=int(raw.get("max_application_sek", DEFAULT_MAX_APPLICATION_SEK)),
        sectors={normalise(s): s for s in raw["sectors"]},
        measures=_alias_map(raw["measures"]),
        decisions=_alias_map(raw["decisions"]),
        genders=_alias_map(raw["genders"]),
        age_bands=_alias_map(raw["age_bands"]),
        person_headers=frozenset(normalise(h) for h in raw["person_headers"]),
        decision_counts={d: frozenset(counts) for d, counts in raw["decision_counts"].items()},
    )
