"""Who may read what. Every query function takes the viewer's role; the query layer, not the page,
decides what a role sees.

Until agency access arrives (with pseudonymised peers and disclosure control), the only role is
`trs`, Trygghetsstiftelsen's staff, who see every agency by name; any other role is refused.
"""

from __future__ import annotations

TRS = "trs"
ROLES = (TRS,)


def check(role: str) -> str:
    """Return the role after checking that the query layer knows how to serve it."""
    if role not in ROLES:
        raise PermissionError(f"role {role!r} may not read the query layer")
    return role
