"""LOM-benchmark: the Streamlit app. Six pages and the accessibility statement over the published database (LOM_DB).

    lom serve                    (or, from a checkout, streamlit run dashboard.py)

main() runs on every rerun: it decides who is looking, draws the filters that every page shares
(kept in the URL), and runs the chosen page with that context.
"""

from __future__ import annotations

import streamlit as st

from lom.ui import accessible, auth, navigation, shell


def main() -> None:
    """Run one script run of the app."""
    # No page_icon: a Material icon there is fetched from Google's font servers by every visitor.
    st.set_page_config(page_title="Lokala omställningsmedel", layout="wide")
    accessible.setup()

    # The role comes from the login (or, locally, the demo switch), never from the URL.
    viewer = auth.current_viewer(None if auth.login_configured() else shell.demo_agencies())
    if viewer is None:
        st.stop()  # the login message is all a logged-out or unknown user sees
    context = None
    pages = [navigation.page(spec, lambda: context) for spec in navigation.PAGES if viewer.is_tsn or not spec.tsn_only]
    page = st.navigation(pages)
    st.sidebar.markdown("**Lokala omställningsmedel**  \nJämförelse mellan myndigheter")
    with shell.page_guard():
        context = shell.build_context(viewer)
    if context is not None:
        if not viewer.is_tsn:
            auth.demo_banner(viewer, context.agency_name(viewer.role))
        page.run()


if __name__ == "__main__":  # `lom serve` runs this file as Streamlit's main script
    main()
