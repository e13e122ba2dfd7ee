"""The six pages; each has a render(context) that draws it for the context's viewer."""
