"""Open a page of the app in AppTest by its module name (overview, profile, ...).

The pages are functions (lom/ui/navigation.py), and AppTest.switch_page finds only pages that are
files; Streamlit keys every page, file or function, by the hash of its URL path, which is what a
real session's navigation sends and what this sets.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from lom.ui.navigation import BY_NAME


def open_page(app: AppTest, name: str) -> AppTest:
    """Make the next run of `app` run the page `name`, as a click in the navigation would; like
    AppTest.switch_page, refuse a page that the app's navigation did not offer in its last run."""
    page_hash = calc_hash(BY_NAME[name].url_path)
    if app._registered_pages and page_hash not in app._registered_pages:
        raise ValueError(f"page {name!r} is not in the app's navigation")
    app._page_hash = page_hash
    return app
