"""The page trends: see ui/pages/trends.py."""

from ui import shell
from ui.pages import trends

with shell.page_guard():
    trends.render(shell.current())
