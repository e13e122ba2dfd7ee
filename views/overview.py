"""The page overview: see ui/pages/overview.py."""

from ui import shell
from ui.pages import overview

with shell.page_guard():
    overview.render(shell.current())
