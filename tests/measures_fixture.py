"""A small set of agencies written for the measures' hand-computed tests.

Eleven fictitious agencies, years 2023-2025 (the allocation rate is 0.3 % in 2023 and 0.2 % from
2024). Every figure is chosen so that the measures can be worked out on paper; the expected
values in tests/test_measures_by_hand.py are those workings.

Rättsväsende och säkerhet, four agencies with 2025 reserves of 1, 2, 3 and 10 years:
  Beviljarverket   106 applications in 2025: 70 granted, 10 partly granted, 26 rejected
  Sparverket       a reserve of ten years; utilisation 10 %, 20 %, 60 % (mean 30 %)
  Växverket        reserve 2 years, utilisation 50 % every year: crosses 3 years in 2028
  Väntverket       reserve exactly 3 years; applications only pending or withdrawn
Kultur, utbildning och övrigt, five agencies with 2025 utilisation 20, 40, 60, 80, 100 %:
  Kvartil 1-5      employees 10, 20, 40, 80, 160 (one doubling apart)
Social trygghet och hälsa, alone in its sector:
  Ensamverket      utilisation 30 %, 40 %, 20 %: under 50 % three years in a row; one application
                   in 2023 and one in 2025, none in 2024 (a reported zero)
Ekonomi, skatt och finans:
  Luckverket       utilisation 10 % in 2023 and 2025, no funds for 2024 but one application then
  Nollverket       no employees and no allocation in 2025, but 500 000 kr in the fund
Sparverket, Växverket, the Kvartil agencies and Nollverket send no applications at all.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sample_data.generate import fictitious_org_nr

LAW = "Rättsväsende och säkerhet"
CULTURE = "Kultur, utbildning och övrigt"
SOCIAL = "Social trygghet och hälsa"
ECONOMY = "Ekonomi, skatt och finans"

AGENCIES = {  # name: (serial, sector)
    "Beviljarverket": (901, LAW),
    "Sparverket": (902, LAW),
    "Växverket": (903, LAW),
    "Väntverket": (904, LAW),
    "Kvartil 1": (911, CULTURE),
    "Kvartil 2": (912, CULTURE),
    "Kvartil 3": (913, CULTURE),
    "Kvartil 4": (914, CULTURE),
    "Kvartil 5": (915, CULTURE),
    "Ensamverket": (921, SOCIAL),
    "Luckverket": (931, ECONOMY),
    "Nollverket": (932, ECONOMY),
}
ORG = {name: fictitious_org_nr(serial) for name, (serial, _) in AGENCIES.items()}

# name: [(year, employees, payroll, allocated, spent, opening, closing)], in kronor
FUNDS = {
    "Beviljarverket": [(2025, 1000, 100_000_000, 200_000, 150_000, 150_000, 200_000)],
    "Sparverket": [
        (2023, 600, 30_000_000, 90_000, 9_000, 799_000, 880_000),
        (2024, 600, 50_000_000, 100_000, 20_000, 880_000, 960_000),
        (2025, 600, 50_000_000, 100_000, 60_000, 960_000, 1_000_000),
    ],
    "Växverket": [
        (2023, 300, 20_000_000, 60_000, 30_000, 10_000, 40_000),
        (2024, 300, 20_000_000, 40_000, 20_000, 40_000, 60_000),
        (2025, 300, 20_000_000, 40_000, 20_000, 60_000, 80_000),
    ],
    "Väntverket": [(2025, 50, 10_000_000, 20_000, 10_000, 50_000, 60_000)],
    **{
        f"Kvartil {i}": [(2025, 10 * 2 ** (i - 1), 50_000_000, 100_000, 20_000 * i, 100_000, 200_000 - 20_000 * i)]
        for i in range(1, 6)
    },
    "Ensamverket": [
        (2023, 30, 10_000_000, 30_000, 9_000, 50_000, 71_000),
        (2024, 30, 10_000_000, 20_000, 8_000, 71_000, 83_000),
        (2025, 30, 10_000_000, 20_000, 4_000, 83_000, 99_000),
    ],
    "Luckverket": [
        (2023, 15, 10_000_000, 30_000, 3_000, 0, 27_000),
        (2025, 15, 10_000_000, 20_000, 2_000, 27_000, 45_000),
    ],
    "Nollverket": [(2025, 0, 0, 0, 0, 500_000, 500_000)],
}


def _applications() -> list[tuple]:
    """(case, agency, received, decided, measure, decision, requested, granted)."""
    rows = []
    received = date(2025, 2, 1)
    # Beviljarverket: decided 1, 2, ..., 106 days after receipt (median 53.5 days).
    plan = (
        [("kompetensutveckling", "beviljad", 10_000, 10_000)] * 40
        + [("studier", "beviljad", 10_000, 10_000)] * 30
        + [("mentorskap", "delvis beviljad", 8_000, 5_000)] * 10
        + [("kompetensutveckling", "avslag", 10_000, 0)] * 16
        + [("studier", "avslag", 10_000, 0)] * 10
    )
    for number, (measure, decision, requested, granted) in enumerate(plan, start=1):
        decided = received + timedelta(days=number)
        rows.append((f"B-{number:04d}", "Beviljarverket", received, decided, measure, decision, requested, granted))
    # Väntverket: three pending, two withdrawn: nothing decided.
    for number in range(1, 6):
        decision = "under handläggning" if number <= 3 else "återtagen"
        decided = None if number <= 3 else received + timedelta(days=5)
        rows.append((f"V-{number:04d}", "Väntverket", received, decided, "handledning", decision, 4_000, 0))
    # Ensamverket: one granted in 2023, one rejected in 2025, none in 2024.
    rows.append(("E-1", "Ensamverket", date(2023, 3, 1), date(2023, 3, 11), "studier", "beviljad", 4_000, 4_000))
    rows.append(("E-2", "Ensamverket", date(2025, 3, 1), date(2025, 3, 6), "studier", "avslag", 4_000, 0))
    # Luckverket: one granted in 2024, the year it reported no funds.
    rows.append(("L-1", "Luckverket", date(2024, 5, 1), date(2024, 5, 20), "mentorskap", "beviljad", 2_000, 2_000))
    return rows


APPLICATIONS = _applications()


def write_files(folder: Path) -> list[Path]:
    """Write the three files as an agency would send them (UTF-8 CSV, English headers)."""
    folder.mkdir(parents=True, exist_ok=True)
    agencies = folder / "myndigheter.csv"
    agencies.write_text(
        "org_nr;name;sector\n" + "".join(f"{ORG[n]};{n};{sector}\n" for n, (_, sector) in AGENCIES.items()),
        encoding="utf-8",
    )
    funds = folder / "medel.csv"
    funds.write_text(
        "org_nr;year;employees;payroll_sek;allocated_sek;spent_sek;opening_balance_sek;closing_balance_sek\n"
        + "".join(f"{ORG[n]};" + ";".join(str(v) for v in row) + "\n" for n, rows in FUNDS.items() for row in rows),
        encoding="utf-8",
    )
    applications = folder / "ansokningar.csv"
    applications.write_text(
        "application_id;org_nr;received_on;decided_on;measure;decision;requested_sek;granted_sek\n"
        + "".join(
            f"{case};{ORG[name]};{received};{decided or ''};{measure};{decision};{requested};{granted}\n"
            for case, name, received, decided, measure, decision, requested, granted in APPLICATIONS
        ),
        encoding="utf-8",
    )
    return [agencies, funds, applications]
