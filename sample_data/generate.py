"""Seeded generator of synthetic LOM data: fictitious agencies, their funds and applications.

    python -m sample_data.generate                   # rewrite the committed sample files
    python -m sample_data.generate --agencies 300 --scale 40 --out bench/data   # larger data

Every agency name is invented; organisation numbers use the 209900 series, which no agency has.
Amounts are computed in öre as integers, so closing = opening + allocated - spent holds exactly.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from sample_data.formats import write_agencies_csv, write_applications_csv, write_funds_csv, write_sample
from sample_data.names import agency_names

SEED = 20261123
YEARS = range(2015, 2026)
DATA_CUTOFF = date(2025, 12, 31)
CAMPAIGN_YEAR = 2023
SECTORS = [
    "Universitet och högskolor",
    "Rättsväsende och säkerhet",
    "Social trygghet och hälsa",
    "Ekonomi, skatt och finans",
    "Infrastruktur, miljö och näringsliv",
    "Kultur, utbildning och övrigt",
]
# measure type: (share of applications, median requested SEK)
MEASURES = {
    "kompetensutveckling": (0.38, 15_000),
    "karriär- och utvecklingscoachning": (0.14, 20_000),
    "karriär- och livsplanering": (0.08, 8_000),
    "mentorskap": (0.06, 6_000),
    "handledning": (0.05, 7_000),
    "kompetensanalys": (0.04, 5_000),
    "studier": (0.12, 40_000),
    "växeltjänstgöring": (0.05, 80_000),
    "vikariekostnader": (0.03, 60_000),
    "övrigt": (0.05, 9_000),
}
# Behaviour profiles: (share of agencies, target utilisation range, starting reserve in allocations)
PROFILES = {
    "hoarder": (0.25, (0.25, 0.50), (1.0, 2.5)),
    "spender": (0.25, (0.95, 1.15), (0.0, 0.5)),
    "moderate": (0.40, (0.75, 1.00), (0.2, 1.0)),
    "awakening": (0.10, (0.30, 1.10), (1.0, 2.5)),  # low early, rising later
}
SIZE_CLASSES = [  # (share, smallest, largest employees)
    (0.47, 8, 49),
    (0.22, 50, 199),
    (0.18, 200, 999),
    (0.10, 1_000, 4_999),
    (0.03, 5_000, 9_000),
]


def rate(year: int) -> float:
    """Return the allocation rate of a year: 0.3 % up to 2023, 0.2 % from 2024."""
    return 0.003 if year <= 2023 else 0.002


@dataclass
class Dataset:
    """The three kinds of data, canonical column names, amounts in kronor as Decimal."""

    agencies: pl.DataFrame
    funds: pl.DataFrame
    applications: pl.DataFrame


def generate(n_agencies: int = 60, scale: float = 1.0, seed: int = SEED, years: range = YEARS) -> Dataset:
    """Generate agencies, funds per year and applications.

    scale multiplies the number of applications; spending follows the grants divided by scale, so
    the funds keep the shape of the sample (hoarders, spenders) at any volume.
    """
    rng = np.random.default_rng(seed)
    agencies = _agencies(n_agencies, rng)
    plan = _agency_years(agencies, years, rng)
    applications = _applications(agencies, plan, scale, rng)
    funds = _funds(plan, applications, rng, scale)
    return Dataset(
        agencies.select("org_nr", "name", "sector"),
        funds,
        applications.drop("handling_days"),
    )


def fictitious_org_nr(serial: int) -> str:
    """Return the organisation number 209900-NNNC of a serial, with a valid check digit."""
    digits = f"209900{serial:03d}"
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    check = (10 - total % 10) % 10
    return f"{digits[:6]}-{digits[6:]}{check}"


def _agencies(n: int, rng: np.random.Generator) -> pl.DataFrame:
    shares = np.array([s for s, _, _ in SIZE_CLASSES])
    classes = rng.choice(len(SIZE_CLASSES), size=n, p=shares / shares.sum())
    low = np.array([SIZE_CLASSES[c][1] for c in classes])
    high = np.array([SIZE_CLASSES[c][2] for c in classes])
    employees = np.exp(rng.uniform(np.log(low), np.log(high + 1))).astype(int)
    employees[: max(1, n // 20)] = rng.integers(10_500, 16_000, size=max(1, n // 20))  # a few giants
    profile_names = list(PROFILES)
    weights = np.array([PROFILES[p][0] for p in profile_names])
    profiles = rng.choice(profile_names, size=n, p=weights / weights.sum())
    sectors = [SECTORS[i % len(SECTORS)] for i in rng.permutation(n)]
    frame = pl.DataFrame(
        {
            "org_nr": [fictitious_org_nr(i + 1) for i in range(n)],
            "name": agency_names(sectors, rng),
            "sector": sectors,
            "employees": employees,
            "profile": profiles,
            "salary": rng.normal(470_000, 45_000, size=n).clip(360_000, 620_000),
            "growth": rng.uniform(0.02, 0.04, size=n),
            "approval": rng.uniform(0.55, 0.97, size=n),
            "handling_median": rng.uniform(8, 60, size=n),
            "id_style": rng.integers(0, 3, size=n),
        }
    )
    # The information-drive agency of the product brief: a hoarder of about 4 000 employees.
    campaign = n // 3
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == campaign).then(4_200).otherwise(pl.col("employees")).alias("employees"),
        pl.when(pl.int_range(pl.len()) == campaign)
        .then(pl.lit("campaign"))
        .otherwise(pl.col("profile"))
        .alias("profile"),
    )


def _agency_years(agencies: pl.DataFrame, years: range, rng: np.random.Generator) -> pl.DataFrame:
    """Employees, payroll, allocation and a target spend for every agency and year."""
    rows = []
    for agency in agencies.iter_rows(named=True):
        profile = agency["profile"]
        low, high = PROFILES.get(profile, PROFILES["hoarder"])[1]
        target = rng.uniform(low, high)
        for index, year in enumerate(years):
            employees = max(1, round(agency["employees"] * (1 + rng.normal(0, 0.02)) * 1.005**index))
            payroll_ore = round(employees * agency["salary"] * (1 + agency["growth"]) ** index * 100)
            utilisation = target
            if profile == "awakening":
                utilisation = low + (high - low) * index / max(1, len(years) - 1)
            if profile == "campaign":
                utilisation = 0.25 if year < CAMPAIGN_YEAR else 1.0
            rows.append(
                {
                    "org_nr": agency["org_nr"],
                    "year": year,
                    "employees": employees,
                    "payroll_ore": payroll_ore,
                    "allocated_ore": round(payroll_ore * rate(year)),
                    "target_spend": utilisation * payroll_ore * rate(year) / 100,
                    "profile": profile,
                    "approval": agency["approval"],
                    "handling_median": agency["handling_median"],
                    "id_style": agency["id_style"],
                }
            )
    return pl.DataFrame(rows)


def _applications(agencies: pl.DataFrame, plan: pl.DataFrame, scale: float, rng: np.random.Generator) -> pl.DataFrame:
    names = list(MEASURES)
    shares = np.array([MEASURES[m][0] for m in names])
    medians = np.array([MEASURES[m][1] for m in names], dtype=float)
    expected_grant = float((shares * medians * 1.2).sum() * 0.75)
    counts = rng.poisson(plan["target_spend"].to_numpy() / expected_grant * scale)
    campaign = (plan["profile"] == "campaign").to_numpy()
    years = plan["year"].to_numpy()
    counts[campaign & (years < CAMPAIGN_YEAR - 1)] = rng.integers(
        40, 56, size=int((campaign & (years < CAMPAIGN_YEAR - 1)).sum())
    )
    counts[campaign & (years == CAMPAIGN_YEAR - 1)] = 53
    counts[campaign & (years >= CAMPAIGN_YEAR)] = 106
    index = np.repeat(np.arange(plan.height), counts)
    total = int(counts.sum())
    measure = rng.choice(len(names), size=total, p=shares)
    requested = np.round(medians[measure] * rng.lognormal(0, 0.6, size=total), -2)
    approval = plan["approval"].to_numpy()[index]
    draw = rng.uniform(size=total)
    decision = np.select(
        [draw < approval * 0.88, draw < approval, draw < approval + (1 - approval) * 0.75],
        ["beviljad", "delvis beviljad", "avslag"],
        "återtagen",
    )
    partly = rng.uniform(0.4, 0.9, size=total)
    granted = np.where(
        decision == "beviljad",
        requested,
        np.where(decision == "delvis beviljad", np.round(requested * partly, -2), 0),
    )
    year = years[index]
    received = np.array([np.datetime64(f"{y}-01-01") for y in range(min(years), max(years) + 1)])[year - min(years)]
    received = received + rng.integers(0, 365, size=total).astype("timedelta64[D]")
    handling = np.maximum(1, rng.lognormal(np.log(plan["handling_median"].to_numpy()[index]), 0.5)).astype(int)
    decided = received + handling.astype("timedelta64[D]")
    pending = decided > np.datetime64(DATA_CUTOFF)
    frame = pl.DataFrame(
        {
            "plan_row": index,
            "org_nr": plan["org_nr"].to_numpy()[index],
            "received_on": received.astype("datetime64[D]"),
            "decided_on": decided.astype("datetime64[D]"),
            "measure": np.array(names)[measure],
            "decision": decision,
            "requested_sek": requested,
            "granted_sek": granted,
            "handling_days": handling,
            "gender": rng.choice(["kvinna", "man", "annat/uppgift saknas"], size=total, p=[0.56, 0.42, 0.02]),
            "age_band": rng.choice(
                ["-29", "30-39", "40-49", "50-59", "60-"], size=total, p=[0.1, 0.25, 0.3, 0.25, 0.1]
            ),
            "id_style": plan["id_style"].to_numpy()[index],
            "year": year,
        }
    ).with_columns(
        pl.when(pl.Series(pending)).then(pl.lit("under handläggning")).otherwise(pl.col("decision")).alias("decision"),
        pl.when(pl.Series(pending)).then(None).otherwise(pl.col("decided_on")).alias("decided_on"),
        pl.when(pl.Series(pending)).then(0.0).otherwise(pl.col("granted_sek")).alias("granted_sek"),
    )
    frame = _campaign_year(frame, plan, rng)
    return _with_ids(frame.sort("org_nr", "received_on"))


def _campaign_year(frame: pl.DataFrame, plan: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Make the information drive's year exact: 106 applications, 80 granted, about 18 MSEK."""
    rows = plan.with_row_index("plan_row").filter((pl.col("profile") == "campaign") & (pl.col("year") == CAMPAIGN_YEAR))
    target = rows["plan_row"].to_list()[0]
    decisions = ["beviljad"] * 72 + ["delvis beviljad"] * 8 + ["avslag"] * 20 + ["återtagen"] * 6
    chosen = frame.filter(pl.col("plan_row") == target)
    weights = rng.lognormal(0, 0.5, size=80)
    granted = np.round(weights / weights.sum() * 18_000_000, -2)
    granted[0] += 18_000_000 - granted.sum()
    chosen = chosen.with_columns(
        pl.Series("decision", decisions),
        pl.Series("granted_sek", np.concatenate([granted, np.zeros(26)])),
        pl.Series(
            "requested_sek",
            np.round(np.concatenate([granted * np.where(np.arange(80) < 72, 1.0, 1.4), np.full(26, 50_000.0)]), -2),
        ),
        pl.col("decided_on").fill_null(pl.col("received_on") + pl.duration(days=30)),
    )
    return pl.concat([frame.filter(pl.col("plan_row") != target), chosen.select(frame.columns)])


def _with_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """Give each application a case number in its agency's own style."""
    sequence = pl.int_range(1, pl.len() + 1).over("org_nr", "year").cast(pl.String).str.zfill(4)
    year = pl.col("year").cast(pl.String)
    case_number = (
        pl.when(pl.col("id_style") == 0)
        .then(pl.concat_str(pl.lit("LOM-"), year, pl.lit("-"), sequence))
        .when(pl.col("id_style") == 1)
        .then(pl.concat_str(pl.lit("Dnr "), year, pl.lit("/"), sequence))
        .otherwise(pl.concat_str(pl.lit("OM"), year.str.slice(2, 2), pl.lit("."), sequence))
    )
    return frame.select(
        case_number.alias("application_id"),
        "org_nr",
        "received_on",
        "decided_on",
        "measure",
        "decision",
        pl.col("requested_sek").cast(pl.Decimal(18, 2)),
        pl.col("granted_sek").cast(pl.Decimal(18, 2)),
        "gender",
        "age_band",
        "plan_row",
        "handling_days",
    )


def _funds(plan: pl.DataFrame, applications: pl.DataFrame, rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """Spend what was granted (about; divided by scale), never more than the fund holds; carry
    balances over."""
    granted = applications.group_by("plan_row").agg(
        (pl.col("granted_sek").cast(pl.Float64).sum() * 100).alias("granted_ore")
    )
    plan = plan.with_row_index("plan_row").join(granted, on="plan_row", how="left").sort("plan_row")
    rows = []
    opening = 0
    for row in plan.iter_rows(named=True):
        if row["year"] == plan["year"].min():
            low, high = PROFILES.get(row["profile"], PROFILES["hoarder"])[2]
            opening = round(row["allocated_ore"] * rng.uniform(low, high))
        share_used = 1.0 if row["profile"] == "campaign" else rng.uniform(0.88, 1.0)
        spent = min(round((row["granted_ore"] or 0) * share_used / scale), opening + row["allocated_ore"])
        closing = opening + row["allocated_ore"] - spent
        rows.append(
            (
                row["org_nr"],
                row["year"],
                row["employees"],
                row["payroll_ore"],
                row["allocated_ore"],
                spent,
                opening,
                closing,
            )
        )
        opening = closing
    frame = pl.DataFrame(
        rows,
        schema=[
            "org_nr",
            "year",
            "employees",
            "payroll_ore",
            "allocated_ore",
            "spent_ore",
            "opening_ore",
            "closing_ore",
        ],
        orient="row",
    )
    return frame.select(
        "org_nr",
        "year",
        "employees",
        *[
            (pl.col(f"{name}_ore").cast(pl.Decimal(20, 0)) / 100).cast(pl.Decimal(18, 2)).alias(f"{label}_sek")
            for name, label in [
                ("payroll", "payroll"),
                ("allocated", "allocated"),
                ("spent", "spent"),
                ("opening", "opening_balance"),
                ("closing", "closing_balance"),
            ]
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplier on application volume")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    dataset = generate(args.agencies, args.scale, args.seed)
    if args.out.resolve() == Path(__file__).parent.resolve():
        paths = write_sample(dataset, args.out)
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        paths = [args.out / "myndigheter.csv", args.out / "medel.csv", args.out / "ansokningar.csv"]
        write_agencies_csv(dataset.agencies, paths[0])
        write_funds_csv(dataset.funds, paths[1])
        write_applications_csv(dataset.applications.drop("plan_row"), paths[2])
    for path in paths:
        print(path)
    counts = (dataset.agencies.height, dataset.funds.height, dataset.applications.height)
    print("{} agencies, {} fund rows, {} applications".format(*counts))


if __name__ == "__main__":
    main()
