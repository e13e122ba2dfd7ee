"""The closed sets of a load, named once: the kinds of file and what became of a file."""

from __future__ import annotations

from enum import StrEnum

# How the command line and the app say each member in Swedish, by its stored name.
SWEDISH = {
    "agencies": "myndigheter",
    "funds": "medel",
    "applications": "ansökningar",
    "loaded": "inläst",
    "unchanged": "oförändrad",
    "rejected": "avvisad",
}


class Named(StrEnum):
    """A closed set stored by its English value and said in Swedish."""

    @property
    def label(self) -> str:
        return SWEDISH[self.value]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Return the Swedish name of each member by its stored name (for text read from the load log)."""
        return {member.value: member.label for member in cls}


class FileKind(Named):
    """A kind of file an agency sends; the value is the name stored in the load log."""

    AGENCIES = "agencies"
    FUNDS = "funds"
    APPLICATIONS = "applications"


class LoadStatus(Named):
    """What became of a file; the value is the status stored in the load log."""

    LOADED = "loaded"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
