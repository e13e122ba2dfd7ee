"""What every page needs for WCAG 2.1 AA that Streamlit does not give: the page's language, caption
contrast, a visible focus, section headings sized as before when they became h2 (`st.header`: the
pages go h1, h2, h3 in order) and a skip link to the main content in Swedish.

Streamlit's page declares `lang="en"`, draws captions in a grey of 3.9:1 against white (AA asks
4.5:1), and names its skip link in English. `setup()` runs once per script run, before anything else is drawn.
"""

from __future__ import annotations

import re

import streamlit as st

# Captions and other muted text: #5F5E5C on white is 6.5:1 (the default #828180 is 3.9:1).
MUTED_TEXT = "#5F5E5C"
SKIP_LINK = "Hoppa till huvudinnehållet"
MAIN_ID = "huvudinnehall"

STYLE = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stCaptionContainer"] {{ color: {MUTED_TEXT}; opacity: 1; }}
/* Sections are h2 under the page's h1 (headings in order), drawn at the size of Streamlit's h3. */
[data-testid="stMain"] h2 {{ font-size: 1.75rem; line-height: 1.2; padding-top: 0.75rem; }}
a.lom-skip-link {{
  position: absolute; left: 0.5rem; top: -4rem; z-index: 1000200; padding: 0.5rem 1rem;
  background: #ffffff; color: #1a1a1a; border: 2px solid #1a1a1a; border-radius: 0.25rem;
  font-weight: 600; text-decoration: underline;
}}
a.lom-skip-link:focus {{ top: 0.5rem; }}
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, input:focus-visible,
[tabindex]:focus-visible, summary:focus-visible {{ outline: 3px solid #0B5CAD; outline-offset: 2px; }}
</style>"""

# Idempotent: a rerun draws the element again and the script runs again. The skip link is the
# first thing a keyboard reaches; it moves the focus to the page's main
# area (Streamlit's <section data-testid="stMain">, focusable already). The script sits in the
# sidebar, where its empty element takes no room from the page.
SCRIPT = f"""<script>
(function () {{
  const root = document.documentElement;
  if (root.lang !== "sv") root.lang = "sv";
  function main() {{
    const found = document.querySelector('[data-testid="stMain"]') || document.querySelector("main");
    if (found) {{
      found.id = found.id || "{MAIN_ID}";
      if (!found.hasAttribute("tabindex")) found.setAttribute("tabindex", "-1");
      if (!found.getAttribute("role") && found.tagName !== "MAIN") found.setAttribute("role", "main");
    }}
    return found;
  }}
  main();
  // Streamlit 1.67 has its own skip link, in English: say it in Swedish. Without one, add ours.
  const own = document.querySelector('[data-testid="stSkipToContent"]');
  if (own) {{
    if (own.textContent !== "{SKIP_LINK}") own.textContent = "{SKIP_LINK}";
  }} else if (!document.querySelector("a.lom-skip-link")) {{
    const link = document.createElement("a");
    link.className = "lom-skip-link";
    const target = main();
    link.href = "#" + (target ? target.id : "{MAIN_ID}");
    link.textContent = "{SKIP_LINK}";
    link.addEventListener("click", function (event) {{
      event.preventDefault();
      const target = main();
      if (target) target.focus();
    }});
    document.body.insertBefore(link, document.body.firstChild);
  }}
}})();
</script>"""


def setup() -> None:
    """Declare Swedish, lift caption contrast, mark the main area and add the skip link."""
    st.html(STYLE)
    st.sidebar.html(SCRIPT, unsafe_allow_javascript=True, width="content")


def demote_headings(markdown: str, below: int) -> str:
    """Markdown whose headings start one level below `below` (the level of the section it is shown
    in), so that a page keeps one h1 and its headings in order; fenced code is left as it is."""
    fenced = False
    lines = []
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (found := re.match(r"(#{1,6}) ", line)):
            level = min(len(found.group(1)) + below, 6)
            line = "#" * level + line[len(found.group(1)) :]
        lines.append(line)
    return "\n".join(lines)
