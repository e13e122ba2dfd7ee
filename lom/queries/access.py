"""Who may read what. Every query function takes the viewer's role; the query layer, not the page,
decides what a role sees.

- `tsn`: Trygghetsstiftelsen's staff see every agency by name, the watchlist and the loads.
- an agency, by its org_nr (`202100-1234`): its own agency by name, peers only under keyed
  pseudonyms and as ratios and distributions, with disclosure control (queries/disclosure.py);
  no watchlist, no loads.
Any other role is refused.
"""

from __future__ import annotations

import re

TSN = "tsn"
ORG_NR = re.compile(r"\d{6}-\d{4}")


def is_agency(role: str) -> bool:
    """Whether the role is an agency's (its org_nr)."""
    return isinstance(role, str) and ORG_NR.fullmatch(role) is not None


def check(role: str) -> str:
    """Return the role after checking that the query layer knows how to serve it."""
    if role != TSN and not is_agency(role):
        raise PermissionError(f"role {role!r} may not read the query layer")
    return role


def require_tsn(role: str) -> str:
    """Return the role if it is TSN staff's; agencies may not read what follows."""
    if check(role) != TSN:
        raise PermissionError("only Trygghetsstiftelsen's staff may read this")
    return role


def require_own(role: str, org_nr: str) -> str:
    """Return the role if it may read this agency's own figures: TSN, or the agency itself."""
    if check(role) != TSN and role != org_nr:
        raise PermissionError("an agency may read only its own agency's figures")
    return role
