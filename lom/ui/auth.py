"""Who is looking: the login, the roles file, and the local demo switch.

With an `[auth]` section in the secrets, users log in with Streamlit's OIDC login, and the
server-side roles file (LOM_ROLES_FILE) maps their e-mail address to a role:

    [roles]
    "staff@tsn.se" = "tsn"
    "hr@agency.se" = "202100-1234"    # an agency's org_nr

Logged-out users and identities without a role see the login message only. The role comes from
the identity alone: nothing in the URL or the session can widen it.

Without `[auth]` (local use) the app runs as `tsn`, with a demo switch that shows it as an agency
would see it.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lom.queries.access import TSN, is_agency

ROLES_FILE = "LOM_ROLES_FILE"
# Roles files written before the staff's role took the foundation's short name, TSN.
LEGACY_ROLES = {"trs": TSN}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the role decides what the query layer returns.

    role: "tsn" or an agency's org_nr. demo: an agency's view chosen with the local demo switch.
    """

    role: str = TSN
    demo: bool = False

    @property
    def is_tsn(self) -> bool:
        return self.role == TSN

    @property
    def org_nr(self) -> str | None:
        return None if self.is_tsn else self.role


class RolesProblem(Exception):
    """The roles file cannot be used; the message says why, without any e-mail address."""


def read_roles(path: Path) -> dict[str, str]:
    """Read the `[roles]` table of a roles file: e-mail address (lower case) -> role.

    A role is "tsn" or an org_nr (NNNNNN-NNNN). An entry with any other role is refused with the
    file, not served: a typing error must not give someone a role they were not meant to have.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RolesProblem(f"behörighetsfilen {path} kan inte läsas ({type(error).__name__})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RolesProblem(f"behörighetsfilen {path} är ingen giltig TOML-fil: {error}") from None
    table = raw.get("roles")
    if not isinstance(table, dict):
        raise RolesProblem(f"behörighetsfilen {path} saknar tabellen [roles]")
    roles = {}
    for number, (identity, written) in enumerate(table.items(), start=1):
        role = LEGACY_ROLES.get(written, written) if isinstance(written, str) else written
        if not isinstance(role, str) or not (role == TSN or is_agency(role)):
            raise RolesProblem(
                f"behörighetsfilen {path}: post {number} har rollen {role!r}; "
                'en roll är "tsn" eller ett organisationsnummer (NNNNNN-NNNN)'
            )
        if "@" not in identity:
            raise RolesProblem(f"behörighetsfilen {path}: post {number} är ingen e-postadress")
        roles[identity.strip().lower()] = role
    return roles


def role_of(email: str | None, roles: dict[str, str]) -> str | None:
    """The role of an identity, or None when it has none."""
    if not email:
        return None
    return roles.get(email.strip().lower())


def login_configured() -> bool:
    """Whether the secrets hold an `[auth]` section, so that users must log in."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def current_viewer(agencies: list[tuple[str, str]] | None = None) -> Viewer | None:
    """Decide who is looking, drawing the login or the demo switch; None when nobody may see data.

    agencies: (org_nr, name) pairs the local demo switch offers.
    """
    if not login_configured():
        return demo_switch(agencies or [])
    if not st.user.get("is_logged_in"):
        login_message()
        return None
    email = st.user.get("email") or st.user.get("preferred_username")
    try:
        roles = read_roles(Path(os.environ.get(ROLES_FILE, "")))
    except RolesProblem as problem:
        logger.error("no roles: %s", problem)
        roles = {}
    role = role_of(email, roles)
    if role is None:
        logger.warning("a logged-in identity without a role was refused")  # no address in the log
        login_message(known=False)
        return None
    st.sidebar.button("Logga ut", on_click=st.logout, icon=":material/logout:", key="logout")
    return Viewer(role)


def login_message(known: bool = True) -> None:
    """The only thing a logged-out user, or an identity without a role, sees."""
    st.title("Lokala omställningsmedel")
    if known:
        st.markdown(
            "Jämförelsen av hur myndigheterna använder sina lokala omställningsmedel är till för "
            "Trygghetsstiftelsens medarbetare och för myndigheterna själva. Logga in för att fortsätta."
        )
        st.button("Logga in", on_click=st.login, type="primary", icon=":material/login:", key="login")
    else:
        st.warning(
            "Ditt konto har ingen behörighet till jämförelsen. Kontakta Trygghetsstiftelsen om du "
            "behöver tillgång för din myndighet.",
            icon=":material/lock:",
        )
        st.button("Logga ut", on_click=st.logout, key="logout")


DEMO_KEY = "demo_as_agency"
DEMO_AGENCY_KEY = "demo_agency"


def demo_switch(agencies: list[tuple[str, str]]) -> Viewer:
    """Local use: Trygghetsstiftelsen's view, or, with the demo switch, an agency's."""
    if not agencies:
        return Viewer()
    box = st.sidebar.container(border=True)
    on = box.toggle(
        "Visa som myndighet",
        key=DEMO_KEY,
        help="Demo utan inloggning: visa appen som en myndighets användare ser den.",
    )
    if not on:
        return Viewer()
    names = dict(agencies)
    if st.session_state.get(DEMO_AGENCY_KEY) not in names:
        st.session_state[DEMO_AGENCY_KEY] = agencies[0][0]
    org_nr = box.selectbox("Myndighet", list(names), format_func=names.get, key=DEMO_AGENCY_KEY)
    box.caption(":orange-badge[:material/science: DEMO] Utan inloggning; i drift avgör inloggningen rollen.")
    return Viewer(org_nr, demo=True)


def demo_banner(viewer: Viewer, name: str) -> None:
    """Say on every page, clearly, that this is the demo view of an agency."""
    if viewer.demo:
        st.warning(
            f"**Demoläge:** du ser appen som en användare på {name} ser den: egna siffror med namn, "
            "andra myndigheter under kodnamn och små tal dolda (..). Stäng av *Visa som myndighet* i "
            "sidopanelen för att se allt.",
            icon=":material/science:",
        )
