"""The app served by `streamlit run`, and sessions that talk to it as a browser tab does.

`serve()` starts the real server on a free port and waits for its health check. `Session` opens
Streamlit's websocket (`/_stcore/stream`), asks for a page with the query string a link would
carry, and collects what the server sends until the script run finishes: every element, every
alert and exception, and how long the page took. No browser is needed, so sixteen sessions run
side by side on two cores; `tests/test_browser.py` checks the same pages in real Chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from .paths import ROOT

FINISHED = ForwardMsg.ScriptFinishedStatus


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, log: Path, script: Path = ROOT / "dashboard.py", **env: str) -> Iterator[str]:
    """Serve `script` (the dashboard) on the database `db` with the repository's settings; its URL.

    The server's output goes to `log`. The server runs in the repository, so it reads
    `.streamlit/config.toml` as a deployment does.
    """
    port = free_port()
    environment = {**os.environ, "LOM_DB": str(db), **env}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a server still busy with sessions' runs
                server.kill()
                server.wait()


def _wait_until_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError(f"the server did not start:\n{log.read_text()}") from None
            time.sleep(0.3)


@dataclass
class Page:
    """What one script run sent: its elements by kind, alerts and exceptions, and its time."""

    seconds: float
    status: str
    elements: dict[str, int] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)  # error alerts' text
    exceptions: list[str] = field(default_factory=list)  # type, message and stack, as sent
    texts: list[str] = field(default_factory=list)  # headings, markdown and alerts

    @property
    def failed(self) -> bool:
        return self.status != "FINISHED_SUCCESSFULLY" or bool(self.alerts or self.exceptions)


class Session:
    """One browser tab's connection: ask for pages, read what the server sends back."""

    def __init__(self, url: str, timeout: float = 300) -> None:
        self.timeout = timeout
        self.session_id = ""  # the server's id of this session, known after the first page
        self._open = ExitStack()
        self._socket = self._open.enter_context(
            connect(
                url.replace("http", "ws", 1) + "/_stcore/stream",
                subprotocols=["streamlit"],
                max_size=None,
                open_timeout=timeout,
                ping_interval=None,  # a busy server answers late; the page's own timeout applies
            )
        )

    def close(self) -> None:
        self._open.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def open(self, page: str = "", query: str = "") -> Page:
        """Ask for a page by its URL path, as a link `/<page>?<query>` would; wait for the whole run."""
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = page
        started = time.perf_counter()
        self._socket.send(message.SerializeToString())
        result = Page(0.0, "")
        deadline = time.monotonic() + self.timeout
        while True:
            forward = ForwardMsg()
            try:
                forward.ParseFromString(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            except TimeoutError:
                seen = ", ".join(f"{k} {v}" for k, v in result.elements.items())
                raise TimeoutError(f"/{page}?{query}: no end of the run after {self.timeout} s ({seen})") from None
            kind = forward.WhichOneof("type")
            if kind == "delta":
                _collect(forward, result)
            elif kind == "script_finished":
                status = FINISHED.Name(forward.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue  # st.switch_page or a rerun: the page's own run follows
                result.status = status
                result.seconds = time.perf_counter() - started
                return result
            elif kind == "new_session":
                self.session_id = forward.new_session.initialize.session_id
            elif kind == "page_not_found":
                result.alerts.append(f"page not found: {page}")


def _collect(forward: ForwardMsg, result: Page) -> None:
    delta = forward.delta
    if delta.WhichOneof("type") != "new_element":
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    result.elements[kind] = result.elements.get(kind, 0) + 1
    if kind == "exception":
        found = element.exception
        result.exceptions.append("\n".join([found.type, found.message, *found.stack_trace]))
    elif kind == "alert":
        result.texts.append(element.alert.body)
        if element.alert.format == element.alert.ERROR:
            result.alerts.append(element.alert.body)
    elif kind == "heading":
        result.texts.append(element.heading.body)
    elif kind == "markdown":
        result.texts.append(element.markdown.body)
