"""The page watchlist: see ui/pages/watchlist.py."""

from ui import shell
from ui.pages import watchlist

with shell.page_guard():
    watchlist.render(shell.current())
