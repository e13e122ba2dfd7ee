"""The dashboard's building blocks: Swedish formats, charts, exports, cached data, the pages."""
