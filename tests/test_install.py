"""The package as an operator installs it: `pip install .` into a fresh virtual environment, then
the `lom` command from another folder (bootstrap, check, serve), and the wheel's contents."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import rows
from .paths import ROOT, SAMPLE_DIR
from .served import free_port

pytestmark = pytest.mark.slow

# What a copy of the checkout leaves out: tools' folders, data, build output.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "data", "mutants", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis",
    ".pytest_cache", ".ruff_cache", "artifacts", "results",
)  # fmt: skip
PACKAGED = [
    "lom/sql/app/years.sql",
    "lom/sql/schema",
    "lom/config/lom.toml",
    "lom/config/measures.toml",
    "lom/docs/measures.md",
    "lom/streamlit/config.toml",
    "lom/sample_data/myndigheter.csv",
    "lom/sample_data/ansokningar_2020-2025.xlsx",
    "lom/report/templates/agency.typ",
    "lom/report/templates/national.typ",
    "lom/followup/store.py",
]


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment with the checkout installed (not editable), at the runtime
    lock's versions, and an environment that keeps the checkout off the import path."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOM_DB", "VIRTUAL_ENV")}
    env |= {"LOM_KEY_FILE": str(base / "key" / "pseudonym.key"), "XDG_DATA_HOME": str(base / "share")}
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "install", "--constraint", str(ROOT / "requirements.lock"), str(source)], base, env)
    return env_dir, env | {"PATH": f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"}


def test_the_operators_install_has_the_command_and_no_development_tools(installed, tmp_path):
    env_dir, env = installed
    probe = "import importlib.util as u; print([m for m in {} if u.find_spec(m)])"
    for absent in (["ui", "queries", "views"], ["pytest", "playwright", "ruff", "hypothesis"]):
        found = run([str(env_dir / "bin" / "python"), "-c", probe.format(absent)], tmp_path, env)
        assert found.stdout.strip() == "[]", absent
    assert (env_dir / "bin" / "lom").is_file()


def test_lom_bootstraps_checks_and_serves_from_another_folder(installed, tmp_path):
    """`lom bootstrap --db X` builds the database from the packaged samples, `lom check` finds the
    sample files approved, and `lom serve` answers its health check."""
    _, env = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = elsewhere / "lom.duckdb"
    run(["lom", "bootstrap", "--db", str(db)], elsewhere, env)
    assert db.is_file()

    samples = sorted(p for p in SAMPLE_DIR.iterdir() if p.suffix in (".csv", ".xlsx"))
    checked = run(["lom", "check", *map(str, samples)], elsewhere, env)
    for sample in samples:
        assert f"{sample.name}: godkänd" in checked.stdout, checked.stdout
    assert f"Totalt {len(samples)} filer: {len(samples)} godkända, 0 avvisade" in checked.stdout

    # The template for agencies, from the installed contract, checks as a workbook without errors.
    template = elsewhere / "mall.xlsx"
    run(["lom", "template", "--out", str(template)], elsewhere, env)
    assert "mall.xlsx: godkänd" in run(["lom", "check", str(template)], elsewhere, env).stdout

    # The reports: templates, fonts and the chart renderer travel with the package.
    [(org_nr,)] = rows(db, "select org_nr from agencies order by org_nr limit 1")
    for kind in (["agency", org_nr], ["national"]):
        report = elsewhere / f"{kind[0]}.pdf"
        run(["lom", "report", *kind, "--year", "2025", "--out", str(report), "--db", str(db)], elsewhere, env)
        assert report.read_bytes().startswith(b"%PDF"), kind

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["lom", "serve", "--db", str(db), "--port", str(port), "--address", "127.0.0.1"],
            cwd=elsewhere, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        assert _health(f"http://127.0.0.1:{port}/_stcore/health", server) == "ok", log.read_text()
    finally:
        server.kill()
        server.wait()


def test_the_wheel_holds_the_package_data_as_files(tmp_path):
    """A built wheel carries the SQL, the configuration, the documents, the samples and the
    Streamlit settings as files (the checkout's links are followed)."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), str(source)], tmp_path, env)
    (wheel,) = (tmp_path / "dist").glob("lom_benchmark-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for packaged in PACKAGED:
        assert any(name == packaged or name.startswith(packaged + "/") for name in names), packaged
    assert len([n for n in names if n.startswith("lom/sql/") and n.endswith(".sql")]) == len(
        list((ROOT / "sql").rglob("*.sql"))
    )
    assert not [n for n in names if n.split("/")[0] in ("ui", "queries", "views", "tests", "bench")]


def _health(url: str, server: subprocess.Popen, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    return f"no answer (exit code {server.poll()})"
