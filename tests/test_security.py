"""The served app's security settings, checked against `streamlit run` with the repository's
`.streamlit/config.toml`: no traceback reaches the browser, uploads over the limit are refused,
and no database connection of the app or the loader can reach another file or the network."""

from __future__ import annotations

import ast
from contextlib import closing

import duckdb
import httpx
import pytest

from lom.db import store
from lom.queries import connection

from .paths import ROOT
from .served import Session, serve

UPLOAD_LIMIT = 100 * 1024 * 1024  # server.maxUploadSize, MB


def test_an_error_reaches_the_browser_without_its_details(tmp_path, sample_db):
    """An uncaught error shows Streamlit's generic message; its text and stack stay in the log."""
    log = tmp_path / "streamlit.log"
    with serve(sample_db, log, script=ROOT / "tests" / "raising_app.py") as url, Session(url) as session:
        page = session.open()
    [sent] = page.exceptions
    assert "This app has encountered an error" in sent
    for detail in ("hemlig detalj", "/srv/lom", "raising_app", "RuntimeError", "Traceback", "line "):
        assert detail not in sent
    assert "hemlig detalj" in log.read_text()  # the operator still finds it


@pytest.fixture(scope="module")
def served_app(sample_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("security") / "streamlit.log"
    with serve(sample_db, log) as url:
        yield url


def upload(url: str, session_id: str, body, *, token: bool = True, length: bool = True) -> int:
    """PUT a file to the upload endpoint as the browser's uploader does; return the status."""
    with httpx.Client(base_url=url, timeout=120) as client:
        cookie = client.get("/_stcore/health").cookies["_streamlit_xsrf"]  # as the browser gets it
        headers = {"X-Xsrftoken": cookie} if token else {}
        boundary = "lomgrans"
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="medel.csv"\r\n\r\n'.encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        if length:
            content = head + body + tail
        else:  # chunked: no Content-Length to trust, the server must count while it reads

            def content():
                yield head
                for start in range(0, len(body), 1 << 20):
                    yield body[start : start + (1 << 20)]
                yield tail

            content = content()
        response = client.put(f"/_stcore/upload_file/{session_id}/fil-1", content=content, headers=headers)
        return response.status_code


def test_uploads_over_the_limit_are_refused(served_app):
    with Session(served_app) as session:
        assert not session.open("data").failed
        small = b"org_nr;year\n"
        assert upload(served_app, session.session_id, small) == 204  # accepted: the request is otherwise right
        assert upload(served_app, session.session_id, small, token=False) == 403
        too_big = bytes(UPLOAD_LIMIT + 2 * 1024 * 1024)
        assert upload(served_app, session.session_id, too_big) == 413
        assert upload(served_app, session.session_id, too_big, length=False) == 413
        assert not session.open("data").failed  # and the session goes on


def test_no_connection_reaches_another_file_or_the_network(sample_db, tmp_path):
    """The app's read-only connection, the loader's draft and the pseudonym connection are all
    locked down the moment they are opened."""
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    (tmp_path / "secret.csv").write_text("a\n1\n")
    statements = [
        f"select * from read_csv('{tmp_path / 'secret.csv'}')",
        f"select * from '{tmp_path / 'secret.csv'}'",
        f"select * from read_blob('{tmp_path / 'secret.csv'}')",
        f"select * from glob('{tmp_path}/*')",
        f"attach '{other}' as other",
        f"copy (select 1) to '{tmp_path / 'out.csv'}'",
        f"export database '{tmp_path / 'dump'}'",
        "install httpfs",
        "select * from read_csv('https://example.com/x.csv')",
        "set enable_external_access = true",
        "reset enable_external_access",
    ]
    draft_db = tmp_path / "drafts" / "lom.duckdb"
    draft_db.parent.mkdir()
    with (
        connection.connect(sample_db) as app,
        store.writer_lock(draft_db),
        store.next_version(draft_db) as draft,
        closing(store.open_schema_only()) as check,
    ):
        assert app.sql("select count(*) from stg_agencies").fetchall() == [(60,)]
        for con in (app, draft, check):
            for statement in statements:
                with pytest.raises(duckdb.Error):
                    con.sql(statement).fetchall()
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()


def test_every_connection_is_opened_by_the_store():
    """Only lom/db/store.py calls duckdb.connect: every connection the app and the loader use is
    locked down (the pseudonyms are computed in Polars, with no connection of their own)."""
    callers = []
    for path in [
        ROOT / "dashboard.py",
        *(p for d in ("pipelines", "lom") for p in (ROOT / d).rglob("*.py")),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "connect" and getattr(node.value, "id", "") == "duckdb":
                callers.append(path.relative_to(ROOT).as_posix())
    assert sorted(callers) == ["lom/db/store.py"] * 3


def test_the_served_code_calls_no_python_from_polars_threads():
    """`map_elements` and its kin run Python on Polars' worker threads. Under sixteen sessions the
    served app deadlocked on one (tests/test_concurrency.py found it); the served code has none."""
    calls = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in [ROOT / "dashboard.py", *(ROOT / "lom").rglob("*.py")]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("map_elements", "map_batches", "map_groups", "map_rows")
    ]
    assert calls == []


IN_PLACE = ("insert_column", "replace_column", "extend", "drop_in_place", "shrink_to_fit", "set_at_idx", "scatter")


def test_the_served_code_changes_no_frame_in_place():
    """Query results are cached once for every session (`ui/data.py`, cache_resource): a frame
    changed in place would change it for every later viewer. The served code calls none of
    Polars' in-place methods, no `in_place=True`, and assigns no `frame[row, column]`. (The
    query layer runs inside the cached function, before its frame is cached.)"""
    found = []
    for path in [
        ROOT / "dashboard.py",
        ROOT / "lom" / "app.py",
        *(ROOT / "lom" / "ui").rglob("*.py"),
        *(ROOT / "lom" / "followup").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr in IN_PLACE:
                found.append(f"{where} .{node.attr}")
            elif isinstance(node, ast.keyword) and node.arg == "in_place":
                found.append(f"{where} in_place=")
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found += [
                    f"{where} [row, column] ="
                    for t in targets
                    if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Tuple)
                ]
    assert found == []
