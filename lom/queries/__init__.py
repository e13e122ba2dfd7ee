"""The query layer: one function per figure or table, shared by the dashboard, exports and reports.

Every function runs one query of sql/app/ with bound parameters on a read-only connection and
returns a Polars frame. Open the connection once per script run with `connect(db)`; it checks
that the database's measures were built by this code.
"""
