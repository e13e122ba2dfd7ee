"""A page that fails, served with the repository's settings by tests/test_security.py: the error
and where it happened must stay on the server."""

raise RuntimeError("hemlig detalj: /srv/lom/data/lom.duckdb rad 42")
