"""LOM-benchmark: the Streamlit app from a checkout (`streamlit run dashboard.py`); see lom/app.py."""

from lom import app

app.main()
