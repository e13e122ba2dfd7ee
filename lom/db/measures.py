"""The measures of the product, defined once in config/measures.toml: each measure's Swedish name,
unit, direction, whether peers are compared on it, and its definition.

The database reads them as the table kpi_definitions (lom/db/models.py hands them to the build, and
their digest is part of the models' digest, so a changed file outdates a built database); the pages
read their labels and units here. The file is checked whole: an unknown unit or direction, a key
given twice, a field missing or unknown is an error that names the entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import cache
from pathlib import Path

from lom import resources


class Unit(StrEnum):
    """What a measure's value counts."""

    KRONOR = "kr"
    SHARE = "andel"  # a share, shown in per cent
    YEARS = "årsavsättningar"  # years of allocation: "0,6 år" would read as a duration
    DAYS = "dagar"
    PER_100 = "per 100"  # per 100 employees


class Direction(StrEnum):
    """Which way is better when an agency is placed among its peers."""

    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    NEUTRAL = "neutral"  # placed high or low, never judged


@dataclass(frozen=True)
class Measure:
    """One measure as users quote it."""

    key: str  # the column of the measure in the marts, e.g. reserve_years
    label: str  # its Swedish name
    unit: Unit
    direction: Direction
    compared: bool  # whether peers are compared on it
    definition: str  # one or two Swedish sentences

    @property
    def neutral(self) -> bool:
        return self.direction is Direction.NEUTRAL


class MeasuresFileError(ValueError):
    """The measures file is not as the code reads it."""


FIELDS = tuple(f.name for f in fields(Measure))
KEY = re.compile(r"[a-z][a-z0-9_]*")


def read(path: Path) -> tuple[Measure, ...]:
    """Read and check a measures file; return its measures in the order listed."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise MeasuresFileError(f"{path.name}: not valid TOML: {error}") from error
    if set(raw) != {"measure"} or not isinstance(raw["measure"], list) or not raw["measure"]:
        raise MeasuresFileError(f"{path.name}: expected one or more [[measure]] entries and nothing else")
    found: dict[str, Measure] = {}
    for number, entry in enumerate(raw["measure"], start=1):
        measure = _measure(entry, f"{path.name}, measure {number}")
        if measure.key in found:
            raise MeasuresFileError(f"{path.name}, measure {number}: key {measure.key!r} is given twice")
        found[measure.key] = measure
    return tuple(found.values())


def _measure(entry: dict, where: str) -> Measure:
    """Check one [[measure]] entry and return it typed."""
    if not isinstance(entry, dict):
        raise MeasuresFileError(f"{where}: expected a [[measure]] table, not {entry!r}")
    if missing := [name for name in FIELDS if name not in entry]:
        raise MeasuresFileError(f"{where}: missing {', '.join(missing)}")
    if unknown := sorted(set(entry) - set(FIELDS)):
        raise MeasuresFileError(f"{where} ({entry['key']}): unknown field {', '.join(unknown)}")
    where = f"{where} ({entry['key']})"
    texts = ("key", "label", "unit", "direction", "definition")
    if wrong := [name for name in texts if not isinstance(entry[name], str) or not entry[name].strip()]:
        raise MeasuresFileError(f"{where}: {', '.join(wrong)} must be non-empty text")
    if not KEY.fullmatch(entry["key"]):
        raise MeasuresFileError(f"{where}: a key is lower-case letters, digits and _")
    if not isinstance(entry["compared"], bool):
        raise MeasuresFileError(f"{where}: compared must be true or false")
    if entry["unit"] not in set(Unit):
        raise MeasuresFileError(f"{where}: unknown unit {entry['unit']!r}; known: {', '.join(Unit)}")
    if entry["direction"] not in set(Direction):
        raise MeasuresFileError(f"{where}: unknown direction {entry['direction']!r}; known: {', '.join(Direction)}")
    return Measure(
        key=entry["key"],
        label=entry["label"].strip(),
        unit=Unit(entry["unit"]),
        direction=Direction(entry["direction"]),
        compared=entry["compared"],
        definition=" ".join(entry["definition"].split()),
    )


@cache
def _read_cached(path: Path) -> tuple[Measure, ...]:
    return read(path)


def definitions() -> tuple[Measure, ...]:
    """Return the product's measures (config/measures.toml), in the order they are shown."""
    return _read_cached(resources.measures_file())


def compared() -> list[str]:
    """Return the keys of the measures placed among peers, in the order they are shown."""
    return [m.key for m in definitions() if m.compared]


def measure(key: str) -> Measure:
    """Return one measure by its key; an unknown key is a bug and raises KeyError."""
    for found in definitions():
        if found.key == key:
            return found
    raise KeyError(f"no measure {key!r} in {resources.measures_file().name}")


def label(key: str) -> str:
    """Return a measure's Swedish name: label("reserve_years") -> 'Saldo i årsavsättningar'."""
    return measure(key).label


def table(measures: tuple[Measure, ...]) -> dict[str, list]:
    """The measures as the columns of the table kpi_definitions."""
    return {
        "kpi": [m.key for m in measures],
        "sort_order": list(range(1, len(measures) + 1)),
        "label_sv": [m.label for m in measures],
        "unit_sv": [str(m.unit) for m in measures],
        "direction": [str(m.direction) for m in measures],
        "compared": [m.compared for m in measures],
        "definition_sv": [m.definition for m in measures],
    }


def canonical(measures: tuple[Measure, ...]) -> str:
    """The measures as one text for a digest: what the file says, not how it is spaced or commented."""
    return "\n".join("\x1f".join(str(getattr(m, name)) for name in FIELDS) for m in measures)
