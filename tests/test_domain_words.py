"""The domain's words: the foundation is Trygghetsstiftelsen (short form TSN; "TRS" is another
organisation) and the funds rest on Avtal om lokala omställningsmedel. Checked in everything the
app sends to a browser, for every role and page, and in every text of the repository."""

from __future__ import annotations

import re
import subprocess

import pytest

from .pages import open_page
from .paths import ROOT
from .test_access import AGENCY_PAGES, TSN_PAGES, _everything_sent, _file_text, login_app

OTHER_ORGANISATION = re.compile(r"\bTRS\b")
WRONG_AGREEMENT = re.compile(r"Avtal om omställning\b", re.IGNORECASE)


def sent_by_every_page(app, pages) -> str:
    sent = []
    for page in pages:
        open_page(app, page).run()
        assert not app.exception, page
        sent.append(_everything_sent(app).decode("utf-8", "replace"))
    return "".join(sent)


@pytest.mark.parametrize("who", ["tsn", "agency", "unknown", "logged_out"])
def test_no_text_the_app_sends_says_trs(sample_db, monkeypatch, roles, downloads, who):
    users = {
        "tsn": {"is_logged_in": True, "email": roles["tsn"]},
        "agency": {"is_logged_in": True, "email": roles["agency"]},
        "unknown": {"is_logged_in": True, "email": "someone@else.example"},
        "logged_out": {"is_logged_in": False},
    }
    app = login_app(sample_db, monkeypatch, users[who])
    pages = {"tsn": TSN_PAGES, "agency": AGENCY_PAGES}.get(who, [])
    sent = sent_by_every_page(app, pages) if pages else _everything_sent(app).decode("utf-8", "replace")
    files = "".join(_file_text(name, make()) for name, make in downloads.items())
    assert not OTHER_ORGANISATION.findall(sent + files)
    assert not WRONG_AGREEMENT.findall(sent + files)
    # The foundation is named, so the search looks at real text.
    assert "Trygghetsstiftelsen" in sent
    if pages:
        assert len(sent) > 20_000 and downloads


def repository_texts() -> dict[str, str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    texts = {}
    for name in listed.splitlines():
        # The tests may hold the wrong word to show it refused (a role "TRS" is unknown).
        if name.startswith("tests/") or not name.endswith((".py", ".sql", ".md", ".toml", ".csv", ".txt", ".typ")):
            continue
        path = ROOT / name
        if path.is_file() and not path.is_symlink():
            texts[name] = path.read_bytes().decode("utf-8", "replace")  # some samples are 8-bit
    return texts


def test_no_text_of_the_repository_says_trs_or_cites_the_wrong_agreement():
    texts = repository_texts()
    assert "README.md" in texts and "lom/ui/pages/about.py" in texts and "sql/schema/01_allocation_rates.sql" in texts
    assert not {name for name, text in texts.items() if OTHER_ORGANISATION.search(text)}
    assert not {name for name, text in texts.items() if WRONG_AGREEMENT.search(text)}
    assert "Avtal om lokala omställningsmedel" in texts["sql/schema/01_allocation_rates.sql"]
