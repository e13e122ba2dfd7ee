"""The documents in the repository: every one the code or the README cites is there, no picture
lies unused, and the data contract's limits are the code's."""

from __future__ import annotations

import importlib
import re

import pytest

from .paths import ROOT

# A path into the repository as the README, the documents and the code cite it.
CITED = re.compile(
    r"(?<![\w/.-])((?:docs|tests|bench|lom|pipelines|sql|config|sample_data)/[\w/.-]*\.(?:md|png|svg|py|toml|sql|csv|xlsx))"
)
UNITS = {"": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3}


def citing_files() -> list:
    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    code = [p for d in ("lom", "pipelines", "bench", "tests") for p in (ROOT / d).rglob("*.py")]
    return [*texts, *code, ROOT / "Makefile", ROOT / "pyproject.toml"]


def test_every_document_and_file_cited_is_in_the_repository():
    missing = set()
    for path in citing_files():
        for cited in CITED.findall(path.read_text(encoding="utf-8")):
            if "*" not in cited and "NAME" not in cited and not (ROOT / cited).exists():
                missing.add(f"{path.relative_to(ROOT)} cites {cited}")
    assert missing == set()


def test_every_picture_in_docs_is_shown_somewhere():
    texts = "".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    pictures = [p for p in (ROOT / "docs").rglob("*") if p.suffix in (".png", ".svg", ".jpg")]
    assert pictures and [p.name for p in pictures if p.relative_to(ROOT).as_posix() not in texts] == []


def limits() -> list[tuple[str, str, list[str]]]:
    """The rows of the data contract's table of limits: what, the value, the code's names."""
    text = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    table = text.split("## Limits the loader enforces", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:4] for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return [(what.strip(), value.strip(), re.findall(r"`([\w.]+\.[\w]+)`", names)) for what, value, names in rows[1:]]


def code_value(name: str):
    module, attribute = name.rsplit(".", 1)
    value = getattr(importlib.import_module(module), attribute)
    return value() if callable(value) else value


def in_numbers(value: str) -> list:
    """'64 kB' -> [65536]; '20 / 1 000' -> [20, 1000]; '1 GB' -> [1073741824]; text stays text."""
    found = []
    for part in value.split("/"):
        match = re.fullmatch(r"([\d\u00a0 ]+)\s*(kB|MB|GB)?(?: \w+)?", part.strip())
        found.append(int(re.sub(r"\D", "", match[1])) * UNITS[match[2] or ""] if match else part.strip())
    return found


@pytest.mark.parametrize(("what", "value", "names"), limits(), ids=[row[0][:40] for row in limits()])
def test_the_contracts_limits_are_the_codes(what, value, names, monkeypatch):
    for variable in ("LOM_MAX_FILE_MB", "LOM_PART_MB", "LOM_LOADER_MEMORY"):
        monkeypatch.delenv(variable, raising=False)
    assert names, what
    values = [code_value(name) for name in names]
    documented = in_numbers(value)
    if isinstance(values[0], bytes):  # the 8-bit encoding: the Swedish subset of Windows-1252
        assert value == "Windows-1252" and values[0].decode("cp1252")
    elif isinstance(values[0], str):  # DuckDB's memory setting, e.g. "1GB"
        assert value.replace(" ", "") == values[0]
    else:
        assert documented == values, what


def test_the_readmes_limits_agree_with_the_contract():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable, value in (("LOM_PART_MB", "32 MB"), ("LOM_LOADER_MEMORY", "1 GB"), ("LOM_MAX_FILE_MB", "100 MB")):
        (row,) = [line for line in readme.splitlines() if f"`{variable}`" in line and line.startswith("|")]
        assert f"| {value} |" in row, row
