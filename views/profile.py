"""The page profile: see ui/pages/profile.py."""

from ui import shell
from ui.pages import profile

with shell.page_guard():
    profile.render(shell.current())
