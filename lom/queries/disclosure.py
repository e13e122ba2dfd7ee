"""Disclosure control for agency viewers: which figures are hidden (shown as `..`), and keyed peer
pseudonyms. Pure functions, so that they can be tested on their own (tests/test_disclosure.py).

The rules (PRODUCT.md, issue 5):
- A count of 1 to 4 persons is hidden, and so is every rate or amount that rests on one.
- Complementary suppression: no hidden figure may be recomputed from the figures shown, by the
  additive relations between them (a total and its parts), remembering that the viewer knows its
  own agency's figures. A line whose hidden figures are all that is unknown would give away their
  sum, so that sum must not be a small count either.
- An aggregate over other agencies rests on at least MIN_OTHER_AGENCIES of them, and a peer group with
  fewer than MIN_OTHER_AGENCIES agencies besides the viewer's own shows no distribution.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

MIN_COUNT = 5  # counts of 1 to MIN_COUNT - 1 persons are hidden
# Aggregates and distributions shown to an agency rest on at least this many agencies besides its
# own (confidentiality). Not peer_settings.min_agencies_placed (4, sql/reference/peer_settings.sql):
# how many agencies with a value a group needs to place an agency in it at all (statistics).
MIN_OTHER_AGENCIES = 5
HIDDEN_SIGN = ".."  # how a hidden figure reads (SCB's and Kolada's sign)


def small(units: float | None) -> bool:
    """Whether a figure resting on `units` (persons or agencies) is too small to show: 1 to 4."""
    return units is not None and 0 < units < MIN_COUNT


@dataclass(frozen=True)
class Line:
    """An additive relation between cells: total = sum of parts."""

    total: str
    parts: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


def protect(
    units: Mapping[str, float],
    lines: Sequence[Line],
    *,
    shown: Iterable[str] | None = None,
    known: Iterable[str] = (),
    sensitive: Iterable[str] | None = None,
) -> set[str]:
    """Return the cells to hide.

    units: every cell of the table with what it rests on (a count: its own value; an amount: the
        persons or agencies behind it). Cells that are never shown (the part of a total that
        belongs to other agencies, for example) are listed too, with `shown` leaving them out.
    lines: the additive relations a reader can use.
    shown: the cells the viewer would see (default: all).
    known: cells the viewer knows anyway (its own agency's figures); they are never protected,
        and a reader may use them to subtract.
    sensitive: the cells that must not be derivable (default: those resting on 1 to 4 units).

    A cell is hidden when it is sensitive, and then further shown cells are hidden until in every
    line the cells a reader cannot see or know are either none, or at least two, and when the total
    is seen, the unseen parts' sum (which the reader gets) rests on 0 or at least MIN_COUNT units.
    When a reader can recompute a cell through several lines at once (tables with margins both
    ways), the exact test in `derivable` decides, and the smallest further cell is hidden until
    nothing sensitive is derivable.
    """
    known = set(known)
    shown = set(units) if shown is None else set(shown)
    if sensitive is None:
        sensitive = {cell for cell, n in units.items() if small(n)}
    sensitive = set(sensitive) - known
    hidden = sensitive & shown
    unseen = (set(units) - shown) | hidden  # what a reader neither sees nor knows
    unseen -= known

    def candidates(line: Line) -> list[str]:
        # Hide the smallest shown figure first, totals next, zeros last: a hidden zero often tells
        # itself (see `pinned`), so it protects little.
        free = [c for c in line.cells if c in shown and c not in hidden and c not in known]
        return sorted(free, key=lambda c: (units[c] == 0, c == line.total, units[c], c))

    while True:
        changed = False
        open_ = unseen - pinned(units, lines, unseen)
        for line in lines:
            unknown = [c for c in line.cells if c in open_]
            if not unknown or not (set(unknown) & (sensitive | hidden)):
                continue
            # With the total seen, a reader gets the sum of the unseen parts; with it unseen, no sum.
            gives_sum = line.total not in unknown and small(sum(units[c] for c in unknown))
            if len(unknown) == 1 or gives_sum:
                free = candidates(line)
                if free:
                    hidden.add(free[0])
                    unseen.add(free[0])
                    changed = True
        if not changed:
            open_ = unseen - pinned(units, lines, unseen)
            exposed = ((derivable(units, lines, open_) | (unseen - open_)) & (sensitive | hidden)) - {
                c for c in unseen - open_ if units[c] == 0 and c not in sensitive
            }
            if not exposed:
                return hidden
            # Several lines together give a cell away: hide one more figure next to it, or else
            # in a line that pins a zero the reader uses (a shown total of 0 beside hidden zeros).
            extra = [c for line in lines if set(line.cells) & exposed for c in candidates(line)]
            if not extra:
                zeros = unseen - open_
                extra = [c for line in lines if set(line.parts) & zeros for c in candidates(line)]
            if not extra:
                return hidden
            extra.sort(key=lambda c: (units[c] == 0, units[c], c))
            hidden.add(extra[0])
            unseen.add(extra[0])


def pinned(units: Mapping[str, float], lines: Sequence[Line], unseen: set[str]) -> set[str]:
    """Return the unseen cells a reader can fix because counts are never negative: when a line's
    total is seen and its unseen parts add up to 0, every one of them is 0; repeated until stable."""
    fixed: set[str] = set()
    while True:
        more = set()
        for line in lines:
            if line.total in unseen - fixed:
                continue
            parts = [c for c in line.parts if c in unseen - fixed]
            if parts and sum(units[c] for c in parts) == 0:
                more |= set(parts)
        if not more:
            return fixed
        fixed |= more


def derivable(units: Mapping[str, float], lines: Sequence[Line], unseen: set[str]) -> set[str]:
    """Return the unseen cells whose value follows from the lines and the other cells.

    Exact linear algebra over the rationals: a cell is determined when its unit vector lies in
    the row space of the lines restricted to the unseen cells.
    """
    cells = sorted(unseen)
    index = {c: i for i, c in enumerate(cells)}
    rows = []
    for line in lines:
        row = [Fraction(0)] * len(cells)
        for cell, sign in [(line.total, 1), *((p, -1) for p in line.parts)]:
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            rows.append(row)
    basis = _row_reduce(rows)
    found = set()
    for cell in cells:
        target = [Fraction(0)] * len(cells)
        target[index[cell]] = Fraction(1)
        if _in_span(basis, target):
            found.add(cell)
    return found


def _row_reduce(rows: list[list]) -> list[tuple[int, list]]:
    """Reduced row echelon form: a list of (pivot column, row)."""
    basis: list[tuple[int, list]] = []
    for row in rows:
        row = _reduce(basis, list(row))
        pivot = next((i for i, v in enumerate(row) if v != 0), None)
        if pivot is None:
            continue
        row = [v / row[pivot] for v in row]
        # Clear the new pivot's column in the rows before, so that every pivot column is a unit vector.
        basis = [(p, [a - b[pivot] * c for a, c in zip(b, row, strict=True)]) for p, b in basis]
        basis.append((pivot, row))
    return basis


def _reduce(basis, row):
    for pivot, base in basis:
        if row[pivot] != 0:
            factor = row[pivot]
            row = [a - factor * b for a, b in zip(row, base, strict=True)]
    return row


def _in_span(basis, target) -> bool:
    return not any(_reduce(basis, target))


# --- pseudonyms --------------------------------------------------------------------------------

ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # consonants only: no words, no digits that look like org_nr


def pseudonyms(key: bytes, viewer: str, org_nrs: Iterable[str]) -> dict[str, str]:
    """Return a pseudonym per peer, keyed (HMAC-SHA256) by the server's key and the viewer.

    The same viewer always sees the same peer under the same pseudonym; two viewers see different
    ones. The letters come from the keyed digest, so neither their order nor their letters follow
    the peer's name, org_nr or size. Lengthened until unique within the set.
    """
    org_nrs = sorted(set(org_nrs))
    digests = {o: hmac.new(key, f"{viewer}\x1f{o}".encode(), hashlib.sha256).digest() for o in org_nrs}
    for length in range(3, 16):
        codes = {o: _letters(d, length) for o, d in digests.items()}
        if len(set(codes.values())) == len(codes):
            return {o: f"Myndighet {code}" for o, code in codes.items()}
    raise ValueError("pseudonyms do not separate the agencies")  # needs 20**15 agencies


def _letters(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    letters = []
    for _ in range(length):
        number, rest = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[rest])
    return "".join(letters)


def peer_key(server_key: bytes) -> bytes:
    """Derive the key of peer pseudonyms from the server's pseudonym key (another purpose, another key)."""
    return hmac.new(server_key, b"lom peer pseudonyms v1", hashlib.sha256).digest()
