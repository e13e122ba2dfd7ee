"""Reports to take to the meeting, as PDF: the agency's one-page LOM report (agency.py) and the
national report for Trygghetsstiftelsen (national.py), typeset by Typst (typeset.py) from the
query layer's figures, with charts from the app's own Altair builders."""


def quiet_streamlit() -> None:
    """Keep Streamlit's warnings off a command's output: the reports import the app's chart modules,
    whose caches warn that no Streamlit runtime runs. For the command and its worker processes only
    (the app keeps its own logging)."""
    from streamlit import logger

    logger.set_log_level("error")
