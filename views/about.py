"""The page about: see ui/pages/about.py."""

from ui import shell
from ui.pages import about

with shell.page_guard():
    about.render(shell.current())
