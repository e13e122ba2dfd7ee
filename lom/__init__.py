"""LOM-benchmark: the package that the application's modules move into (issue 18)."""
