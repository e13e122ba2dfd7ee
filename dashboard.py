"""LOM-benchmark: the Streamlit app. Six pages over the published database (LOM_DB).

    streamlit run dashboard.py

This script runs first on every rerun: it decides who is looking, draws the filters that every
page shares (kept in the URL), and runs the chosen page of views/ with that context.
"""

from __future__ import annotations

import streamlit as st

from ui import auth, shell

# No page_icon: a Material icon there is fetched from Google's font servers by every visitor.
st.set_page_config(page_title="Lokala omställningsmedel", layout="wide")

PAGES = [
    ("views/overview.py", "Översikt", "oversikt", ":material/dashboard:", False),
    ("views/watchlist.py", "Outnyttjade medel", "outnyttjade-medel", ":material/savings:", True),
    ("views/profile.py", "Myndighetsprofil", "myndighetsprofil", ":material/account_balance:", False),
    ("views/trends.py", "Utveckling", "utveckling", ":material/trending_up:", False),
    ("views/data.py", "Data och inläsning", "data", ":material/upload_file:", True),
    ("views/about.py", "Om måtten", "om-matten", ":material/menu_book:", False),
]

# The role comes from the login (or, locally, the demo switch), never from the URL.
viewer = auth.current_viewer(None if auth.login_configured() else shell.demo_agencies())
if viewer is None:
    st.stop()  # the login message is all a logged-out or unknown user sees
pages = [
    st.Page(path, title=title, url_path=url, icon=icon, default=url == "oversikt")
    for path, title, url, icon, trs_only in PAGES
    if viewer.is_trs or not trs_only
]
page = st.navigation(pages)
st.sidebar.markdown("**Lokala omställningsmedel**  \nJämförelse mellan myndigheter")
context = None
with shell.page_guard():
    context = shell.build_context(viewer)
if context is not None:
    if not viewer.is_trs:
        auth.demo_banner(viewer, context.agency_name(viewer.role))
    st.session_state[shell.CONTEXT_KEY] = context
    page.run()
