"""LOM-benchmark: the database layer, the query layer and the dashboard of the product."""
