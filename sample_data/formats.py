"""Write generated data as agencies really send it: Windows-1252 or UTF-8 CSV, and xlsx."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter


def swedish_amount(column: str, thousands: str = " ") -> pl.Expr:
    """Render an amount as Swedish text: 1 234 567,50 (thousands grouped, decimal comma)."""
    text = pl.col(column).cast(pl.Decimal(18, 2)).cast(pl.String)
    whole = text.str.split_exact(".", 1).struct.field("field_0")
    cents = text.str.split_exact(".", 1).struct.field("field_1").fill_null("00").str.pad_end(2, "0")
    grouped = (
        whole.str.reverse().str.replace_all(r"(\d{3})", "${1}" + thousands).str.strip_chars_end(thousands).str.reverse()
    )
    grouped = grouped.str.replace("-" + thousands, "-", literal=True)
    return pl.concat_str(grouped, pl.lit(","), cents)


def write_agencies_csv(agencies: pl.DataFrame, path: Path) -> None:
    """Write agencies as UTF-8, comma-separated, English headers (quoted where a sector has a comma)."""
    agencies.write_csv(path, separator=",")


def full_time_equivalents(employees: pl.Expr) -> pl.Expr:
    """Full-time equivalents: a little under the head count (part-time work), as HR reports them."""
    return (employees * 0.93).round(1)


def write_funds_csv(funds: pl.DataFrame, path: Path) -> None:
    """Write funds as Swedish Excel does: Windows-1252, semicolons, decimal comma, Swedish headers."""
    text = funds.select(
        pl.col("org_nr").alias("Organisationsnummer"),
        pl.col("year").alias("År"),
        pl.col("employees").alias("Anställda"),
        full_time_equivalents(pl.col("employees"))
        .cast(pl.String)
        .str.replace(".", ",", literal=True)
        .alias("Årsarbetskrafter"),
        swedish_amount("payroll_sek", "\u00a0").alias("Lönesumma"),
        swedish_amount("allocated_sek").alias("Årets avsättning"),
        swedish_amount("spent_sek").alias("Nyttjat"),
        swedish_amount("opening_balance_sek").alias("Ingående saldo"),
        swedish_amount("closing_balance_sek").alias("Utgående saldo"),
    ).write_csv(separator=";", line_terminator="\r\n")
    path.write_bytes(text.encode("cp1252"))


def applications_text(applications: pl.DataFrame) -> pl.DataFrame:
    """Give applications the Swedish headers and text forms an agency's export would have."""
    return applications.select(
        pl.col("application_id").alias("Ärendenummer"),
        pl.col("org_nr").alias("Organisationsnummer"),
        pl.col("received_on").dt.strftime("%Y-%m-%d").alias("Inkom"),
        pl.col("decided_on").dt.strftime("%Y-%m-%d").alias("Beslutsdatum"),
        pl.col("measure").str.to_uppercase().str.slice(0, 1).add(pl.col("measure").str.slice(1)).alias("Insats"),
        pl.col("decision").alias("Beslut"),
        swedish_amount("requested_sek").alias("Sökt belopp"),
        swedish_amount("granted_sek").alias("Beviljat belopp"),
        pl.col("gender").alias("Kön"),
        pl.col("age_band").alias("Åldersgrupp"),
    )


def write_applications_csv(applications: pl.DataFrame, path: Path, bom: bool = True) -> None:
    """Write applications as UTF-8 (with BOM, as Excel's 'CSV UTF-8'), semicolons, Swedish headers."""
    text = applications_text(applications).write_csv(separator=";")
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def write_applications_xlsx(applications: pl.DataFrame, path: Path) -> None:
    """Write applications to a workbook: a title row, then headers, date cells and number cells."""
    frame = applications.select(
        pl.col("application_id").alias("Ärendenummer"),
        pl.col("org_nr").alias("Organisationsnummer"),
        pl.col("received_on").alias("Inkom"),
        pl.col("decided_on").alias("Beslutsdatum"),
        pl.col("measure").alias("Insats"),
        pl.col("decision").alias("Beslut"),
        pl.col("requested_sek").cast(pl.Float64).alias("Sökt belopp (kr)"),
        pl.col("granted_sek").cast(pl.Float64).alias("Beviljat belopp (kr)"),
        pl.col("gender").alias("Kön"),
        pl.col("age_band").alias("Åldersgrupp"),
    )
    with xlsxwriter.Workbook(path) as workbook:
        workbook.set_properties({"created": datetime(2026, 1, 15, 9, 0, 0)})  # the same bytes every run
        sheet = workbook.add_worksheet("Ansökningar")
        sheet.write(0, 0, "Lokala omställningsmedel: ansökningar 2020–2025", workbook.add_format({"bold": True}))
        frame.write_excel(
            workbook,
            worksheet=sheet,
            position="A3",
            dtype_formats={pl.Date: "yyyy-mm-dd", pl.Float64: "# ##0.00"},
            autofit=True,
            table_style=None,
        )


def write_sample(dataset, out: Path) -> list[Path]:
    """Write the committed sample: four files in the formats agencies really send."""
    out.mkdir(parents=True, exist_ok=True)
    early = dataset.applications.filter(pl.col("received_on").dt.year() < 2020)
    late = dataset.applications.filter(pl.col("received_on").dt.year() >= 2020)
    paths = [
        out / "myndigheter.csv",
        out / "medel_2015-2025.csv",
        out / "ansokningar_2015-2019.csv",
        out / "ansokningar_2020-2025.xlsx",
    ]
    write_agencies_csv(dataset.agencies, paths[0])
    write_funds_csv(dataset.funds, paths[1])
    write_applications_csv(early.drop("plan_row"), paths[2])
    write_applications_xlsx(late.drop("plan_row"), paths[3])
    return paths
