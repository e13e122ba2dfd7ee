"""Agencies written for disclosure control's boundaries: 4 against 5 of everything.

Year 2025 only, 100 employees each (one size class for all twenty).
Rättsväsende och säkerhet, five agencies: a viewer there has 4 other agencies, one too few for a
  ranking, a peer distribution, a peer check of its approval rate or a gap to a peer median; its
  sector's totals rest on 4 other agencies and are hidden.
  Fyra A-E       20 granted, 6 rejected each
Kultur, utbildning och övrigt, six agencies: a viewer there has 5 other agencies, enough.
  Fem A-F        20, 24, 28, 32, 36, 40 granted, 6 rejected each
Ekonomi, skatt och finans, eight agencies: counts of 4 against 5.
  Liten A        the viewer: 20 granted, 2 rejected, 1 pending (a count of 2: its own, so shown)
  Liten B        30 granted, 4 rejected: its approval rate rests on 4 persons and is hidden
  Liten C        30 granted, 5 rejected: 5 persons, shown
  Liten D        4 applications, all granted: its approval rate and applications per 100 employees hidden
  Liten E        5 applications, all granted: shown
  Liten F-H      40, 25, 35 granted, 10, 8, 7 rejected
  Liten A's peer distribution of approval rates rests on the 5 rates it may see (C, E, F, G, H).
Social trygghet och hälsa, alone:
  Minus          40 granted, 10 rejected, and a closing balance of −20 000 kr: a question about the data
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sample_data.generate import fictitious_org_nr

FOUR = "Rättsväsende och säkerhet"
FIVE = "Kultur, utbildning och övrigt"
SMALL = "Ekonomi, skatt och finans"
ALONE = "Social trygghet och hälsa"

# name: (serial, sector, granted, rejected, pending)
AGENCIES = {
    **{f"Fyra {letter}": (940 + i, FOUR, 20, 6, 0) for i, letter in enumerate("ABCDE")},
    **{f"Fem {letter}": (950 + i, FIVE, 20 + 4 * i, 6, 0) for i, letter in enumerate("ABCDEF")},
    "Liten A": (970, SMALL, 20, 2, 1),
    "Liten B": (971, SMALL, 30, 4, 0),
    "Liten C": (972, SMALL, 30, 5, 0),
    "Liten D": (973, SMALL, 4, 0, 0),
    "Liten E": (974, SMALL, 5, 0, 0),
    "Liten F": (975, SMALL, 40, 10, 0),
    "Liten G": (976, SMALL, 25, 8, 0),
    "Liten H": (977, SMALL, 35, 7, 0),
    "Minus": (960, ALONE, 40, 10, 0),
}
ORG = {name: fictitious_org_nr(serial) for name, (serial, *_) in AGENCIES.items()}
# (employees, payroll, allocated, spent, opening, closing); the allocation is 0.2 % of the payroll
FUNDS = {
    name: (100, 25_000_000, 50_000, 30_000, 40_000 + 10_000 * i, 60_000 + 10_000 * i) for i, name in enumerate(ORG)
}
FUNDS["Minus"] = (100, 25_000_000, 50_000, 80_000, 10_000, -20_000)


def write_files(folder: Path) -> list[Path]:
    """The three files as an agency would send them."""
    folder.mkdir(parents=True, exist_ok=True)
    agencies = folder / "myndigheter.csv"
    agencies.write_text(
        "org_nr;name;sector\n" + "".join(f"{ORG[n]};{n};{sector}\n" for n, (_, sector, *_) in AGENCIES.items()),
        encoding="utf-8",
    )
    funds = folder / "medel.csv"
    funds.write_text(
        "org_nr;year;employees;payroll_sek;allocated_sek;spent_sek;opening_balance_sek;closing_balance_sek\n"
        + "".join(f"{ORG[n]};2025;" + ";".join(str(v) for v in row) + "\n" for n, row in FUNDS.items()),
        encoding="utf-8",
    )
    lines = []
    received = date(2025, 3, 1)
    for name, (serial, _, granted, rejected, pending) in AGENCIES.items():
        plan = ["beviljad"] * granted + ["avslag"] * rejected + ["under handläggning"] * pending
        for number, decision in enumerate(plan, start=1):
            decided = "" if decision == "under handläggning" else received + timedelta(days=number % 20 + 1)
            paid = 5_000 if decision == "beviljad" else 0
            lines.append(f"G{serial}-{number};{ORG[name]};{received};{decided};studier;{decision};5000;{paid}\n")
    applications = folder / "ansokningar.csv"
    applications.write_text(
        "application_id;org_nr;received_on;decided_on;measure;decision;requested_sek;granted_sek\n" + "".join(lines),
        encoding="utf-8",
    )
    return [agencies, funds, applications]
