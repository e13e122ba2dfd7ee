"""The page data: see ui/pages/data.py."""

from ui import shell
from ui.pages import data

with shell.page_guard():
    data.render(shell.current())
