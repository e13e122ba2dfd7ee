"""The six pages and the accessibility statement; each has a render(context) that draws it for the context's viewer."""
