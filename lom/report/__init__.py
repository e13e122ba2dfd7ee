"""Reports to take to the meeting, as PDF: the agency's one-page LOM report (agency.py) and the
national report for Trygghetsstiftelsen (national.py), typeset by Typst (typeset.py) from the
query layer's figures, with charts from the app's own Altair builders."""
