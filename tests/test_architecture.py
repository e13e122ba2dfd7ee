"""The layers import one way (README, Architecture): the loader and the app share the database
layer, the app reads through the query layer, and nothing below imports what is above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .paths import ROOT

# Who may import which of the product's own modules; anything else of lom or pipelines is refused.
ALLOWED = {
    "lom": (),  # the package itself: its __init__ imports nothing
    "lom.resources": (),
    "lom.swedish": (),
    "lom.db": ("lom.db", "lom.resources"),
    "pipelines": ("pipelines", "lom.db", "lom.resources", "lom.swedish"),
    "lom.queries": ("lom.queries", "lom.db", "lom.resources"),
    "lom.ui": (
        "lom.ui",
        "lom.followup.section",
        "lom.followup.submissions",
        "lom.followup.store",
        "lom.queries",
        "lom.db",
        "lom.resources",
        "lom.swedish",
    ),
    # The follow-up log has the same three layers of its own: its store, its entries, its section.
    "lom.followup": (),
    "lom.followup.store": ("lom.db", "lom.resources"),
    "lom.followup.log": ("lom.followup.store", "lom.queries", "lom.db", "lom.resources"),
    "lom.followup.section": ("lom.followup", "lom.ui", "lom.queries", "lom.db", "lom.resources", "lom.swedish"),
    "lom.followup.charts": ("lom.ui",),
    # The files agencies submit, kept beside the log; the pages read and write them in the viewer's role.
    "lom.followup.submissions": ("lom.followup.store", "lom.followup.log", "lom.queries", "lom.db"),
    # The reports reuse the app's formats and chart builders; the buttons on the pages make them.
    "lom.report": ("lom.report", "lom.ui", "lom.followup", "lom.queries", "lom.db", "lom.resources", "lom.swedish"),
    "lom.ui.reports": ("lom.report", "lom.followup.store", "lom.ui", "lom.queries", "lom.db"),
    "lom.app": ("lom.ui",),
    "lom.cli": ("lom.resources", "pipelines", "lom.report"),
    "dashboard": ("lom.app",),
}
# The one way from the app to the loader: an upload, after the query layer's access check.
UPLOADS = ("lom.queries.uploads", "pipelines")
# A follow-up note is checked by the loader's own personal-data detector, and only that of the loader.
DETECTOR = ("lom.followup.log", "pipelines.personal_data")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_imports(path: Path) -> set[str]:
    """The modules of lom and pipelines that a file imports (at any depth, lazily or not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {name for name in found if name.split(".")[0] in ("lom", "pipelines")}


def layer_of(module: str) -> str:
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len)


def sources() -> list[Path]:
    return [ROOT / "dashboard.py", *(ROOT / "lom").rglob("*.py"), *(ROOT / "pipelines").rglob("*.py")]


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for path in sources():
        module = module_name(path)
        allowed = ALLOWED[layer_of(module)]
        imports = product_imports(path)
        for imported in imports:
            if any(other.startswith(imported + ".") for other in imports):  # `from lom import db`: judged by its names
                continue
            if any(imported == a or imported.startswith(a + ".") for a in allowed):
                continue
            if module == UPLOADS[0] and imported.startswith(UPLOADS[1] + "."):
                continue
            if module == DETECTOR[0] and (imported == DETECTOR[1] or imported.startswith(DETECTOR[1] + ".")):
                continue
            wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_the_rules_cover_every_module_and_catch_a_wrong_import():
    """Every module of the product falls under a rule, and the check sees an import that breaks one."""
    assert {layer_of(module_name(path)) for path in sources()} == set(ALLOWED)
    assert product_imports(ROOT / "lom" / "queries" / "uploads.py") >= {"pipelines.load.load_files"}
    assert "pipelines" not in ALLOWED["lom.ui"] and "pipelines" not in ALLOWED["lom.db"]


# A string that starts as a statement does (the SQL of this code base is written in lower case).
STATEMENT = re.compile(
    r"((select|insert|update|delete|create|drop|alter|begin|attach|detach|copy|pragma|set|with|install|call|truncate"
    r"|export|import|use)\s+\S|(commit|rollback|checkpoint|vacuum)$)"
)


def statement_strings(path: Path) -> list[str]:
    """The string literals of a file (f-strings by their first part) that read as SQL statements."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            text = str(node.values[0].value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if STATEMENT.match(text):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:40]!r}")
    return found


def test_no_sql_is_written_in_python_outside_the_store():
    """SQL lives in sql/; only the stores, which open, lock and transact, hold statements of their own:
    lom/db/store.py (the published database) and lom/followup/store.py (the follow-up log). Every
    package is scanned: lom, pipelines, sample_data and bench."""
    stores = [ROOT / "lom" / "db" / "store.py", ROOT / "lom" / "followup" / "store.py"]
    scanned = [
        path for package in ("lom", "pipelines", "sample_data", "bench") for path in (ROOT / package).rglob("*.py")
    ]
    assert len(scanned) > 50
    found = [line for path in scanned if path not in stores for line in statement_strings(path)]
    assert found == []
    assert all(statement_strings(store) for store in stores)  # the scan does see a statement


def test_the_tests_import_nothing_from_bench():
    """bench/ measures the product and may reuse the tests' helpers; the tests never lean on bench/
    (its own tests live beside it: bench/test_report.py, bench/test_datasets.py)."""
    found = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "bench"]
    assert found == []
