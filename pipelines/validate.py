"""Check raw tables against the data contract: type every cell, then apply each kind's rules.

Pure functions of a frame and a context: no file or database is touched here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from lom.db.settings import Vocabulary, normalise
from pipelines import parse
from pipelines.contract import AGENCIES, APPLICATIONS, FUNDS, ROW, Column
from pipelines.read import RawTable
from pipelines.report import (
    ERROR,
    KEPT_PER_COLUMN_AND_RULE,
    SHOWN_VALUE_CHARS,
    WARNING,
    Finding,
    as_written,
    listed,
    safe_value,
    swedish_amount,
    swedish_int,
)

MAX_CELL_CHARS = 1000
TOO_LONG = f"cellen har fler än {swedish_int(MAX_CELL_CHARS)} tecken; inget värde i avtalet är så långt (visas inte)"
PENDING = "under handläggning"
NO_ROWS = "inga rader"
OTHER_AGENCY = "annan myndighet"  # a row of another agency than the sender's


@dataclass(frozen=True)
class Context:
    """What validation needs beyond the file: today, known agencies, rates, last closings."""

    today: date
    vocabulary: Vocabulary
    known_agencies: frozenset[str]
    rates: dict[int, Decimal]
    previous_closing: pl.DataFrame  # org_nr, year, closing_balance_sek already in the database
    stored_opening: pl.DataFrame | None = None  # org_nr, year, opening_balance_sek already in the database
    sender: str | None = None  # the one agency whose rows the file may hold (`lom check --as`), if any


@dataclass
class Validated:
    """A table typed to the contract's columns, with what validation found."""

    table: RawTable
    frame: pl.DataFrame
    findings: list[Finding]

    @property
    def kind(self):
        return self.table.recognised.kind


def validate(table: RawTable, context: Context) -> Validated:
    """Type every column of a table and check every rule of its kind."""
    kind = table.recognised.kind
    present = [c for c in kind.columns if c.name in table.frame.columns]
    parsed = {c.name: _parser(c, context.vocabulary) for c in present}
    frame = table.frame.with_columns(pl.col(name).alias(f"raw_{name}") for name in parsed)
    frame, too_long = _set_aside_long_cells(frame, list(parsed))
    texts = [c.name for c in present if c.type == "text"]  # nothing to parse: no distinct pass
    frame = frame.with_columns(
        series for c in present if c.name not in texts for series in _parse_distinct(frame, c.name, parsed[c.name])
    ).with_columns(
        *[parsed[name].value.alias(name) for name in texts], *[pl.lit(False).alias(f"bad_{name}") for name in texts]
    )
    # A cell set aside for its length is bad, but neither missing nor reported a second time.
    frame = frame.with_columns(
        (pl.col(f"bad_{name}") | pl.col(f"long_{name}")).alias(f"bad_{name}") for name in too_long
    )
    check = Checker(table, frame, context.vocabulary)
    if frame.is_empty():
        check.findings.append(Finding(WARNING, NO_ROWS, "filen har rubriker men inga rader", sheet=table.sheet))
    for column in present:
        bad = pl.col(f"bad_{column.name}")
        if column.name in too_long:
            long = pl.col(f"long_{column.name}")
            check.rule(long, "för lång", TOO_LONG, column.name, show_value=False)
            bad = bad & ~long
        check.rule(bad, "format", format_message(column, context.vocabulary), column.name)
        if value_required(column):
            check.rule(
                pl.col(column.name).is_null() & ~pl.col(f"bad_{column.name}"),
                "värde saknas",
                "värde saknas",
                column.name,
                show_value=False,
            )
    if context.sender is not None and "org_nr" in frame.columns:
        check.rule(
            pl.col("org_nr").is_not_null() & (pl.col("org_nr") != context.sender),
            OTHER_AGENCY,
            f"raden gäller en annan myndighet än avsändaren {context.sender}",
            "org_nr",
        )
    rules = {AGENCIES.name: _agency_rules, FUNDS.name: _fund_rules, APPLICATIONS.name: _application_rules}
    if not any(f.severity == ERROR and f.row is None for f in table.findings):
        rules[kind.name](check, context)
    typed = frame.select(ROW, *[c.name for c in kind.columns if c.name in frame.columns])
    if kind is FUNDS and "fte" not in typed.columns:
        typed = typed.with_columns(pl.lit(None, parse.AMOUNT_TYPE).alias("fte"))
    if kind is APPLICATIONS:
        typed = typed.with_columns(
            pl.col("granted_sek").fill_null(Decimal(0)),
            *[pl.lit(None, pl.String).alias(c) for c in ("gender", "age_band") if c not in typed.columns],
        )
    return Validated(table, typed, check.findings)


def _set_aside_long_cells(frame: pl.DataFrame, names: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Blank the cells longer than any value of the contract, marked in long_<column>.

    No code, number or name is that long: such a cell is a broken file (a quote left open, a
    document pasted into a cell), and it is neither parsed, stored nor shown.
    """
    longest = frame.select(pl.col(names).str.len_chars().max()).row(0) if names else ()
    too_long = [name for name, length in zip(names, longest, strict=True) if (length or 0) > MAX_CELL_CHARS]
    marked = frame.with_columns(
        (pl.col(name).str.len_chars() > MAX_CELL_CHARS).fill_null(False).alias(f"long_{name}") for name in too_long
    )
    return (
        marked.with_columns(
            pl.when(pl.col(f"long_{name}")).then(None).otherwise(pl.col(name)).alias(name) for name in too_long
        ),
        too_long,
    )


def _parse_distinct(frame: pl.DataFrame, name: str, parser: parse.Parsed) -> tuple[pl.Series, pl.Series]:
    """Parse each distinct cell once and map the results back to the rows."""
    mapped = per_distinct(frame, name, {"value": parser.value, "bad": parser.bad})
    return mapped["value"].alias(name), mapped["bad"].fill_null(False).alias(f"bad_{name}")


def per_distinct(frame: pl.DataFrame, name: str, results: dict[str, pl.Expr]) -> pl.DataFrame:
    """Work out expressions of one column once for each of its distinct values and map them back
    to the rows, in the rows' order: a frame with a column for each of `results`.

    Files repeat the same org numbers, dates, codes and round amounts many times; working on the
    distinct values is what keeps a million-row file within reach of DuckDB's own loader.
    """
    worked = {f"__{i}": expression for i, expression in enumerate(results.values())}  # never `name` itself
    distinct = frame.select(pl.col(name).unique()).with_columns(**worked)
    mapped = frame.select(name).join(distinct, on=name, how="left", maintain_order="left", nulls_equal=True)
    return mapped.select(pl.col(temporary).alias(result) for temporary, result in zip(worked, results, strict=True))


class Checker:
    """Turn boolean masks over a typed frame into findings with rows and column headers."""

    def __init__(self, table: RawTable, frame: pl.DataFrame, vocabulary: Vocabulary):
        self.table = table
        self.frame = frame
        self.vocabulary = vocabulary
        self.findings: list[Finding] = []

    def rule(
        self,
        mask: pl.Expr,
        rule: str,
        message: str,
        column: str | None = None,
        *,
        severity: str = ERROR,
        detail: pl.Expr | None = None,
        show_value: bool = True,
        said: pl.Expr | None = None,
    ) -> None:
        """Add a finding for every row where mask is true: the first rows listed, the rest counted.

        The cell's value is shown only where `safe_value` allows it for the column's type; a code
        that is not accepted gets the nearest accepted value as a hint instead. `said`, if given,
        words the message row by row (naming the row's year, say) in place of `message`.
        """
        mask = mask.fill_null(False)
        total = self.frame.select(mask.sum()).item()
        if not total:
            return
        detail = pl.lit(None, pl.Float64) if detail is None else detail.cast(pl.Float64)
        shown = (
            pl.col(f"raw_{column}").str.head(SHOWN_VALUE_CHARS + 1)
            if column and show_value
            else pl.lit(None, pl.String)
        )
        hits = (
            self.frame.lazy()
            .filter(mask)
            .head(KEPT_PER_COLUMN_AND_RULE)
            .select(ROW, detail.alias("detail"), shown.alias("value"), (said if said is not None else pl.lit(message)))
            .collect()
        )
        header = self.table.header_of(column) if column else None
        kind = self.table.recognised.kind.column(column).type if column else None
        found = [
            Finding(
                severity,
                rule,
                self._worded(worded, amount, kind, column, value),
                row,
                header,
                self.table.sheet,
                safe_value(kind, value) if rule == "format" else as_written(kind, safe_value(kind, value)),
                withheld=bool(show_value and value and value.strip()) and safe_value(kind, value) is None,
            )
            for row, amount, value, worded in hits.iter_rows()
        ]
        self.findings.extend(listed(found, total))

    def _worded(self, message: str, amount, kind: str | None, column: str | None, value: str | None) -> str:
        """The message of one row: with the amount it concerns, or the accepted code nearest its value."""
        if amount is not None:
            return f"{message}{swedish_amount(amount)} kr"
        if kind == "code" and value is not None:
            values = accepted(self.table.recognised.kind.column(column), self.vocabulary)
            near = difflib.get_close_matches(normalise(value), list(values), n=1, cutoff=0.75)
            if near:
                return f"{message}; menade du '{values[near[0]]}'?"
        return message


def _parser(column: Column, vocabulary: Vocabulary) -> parse.Parsed:
    if column.type in ("amount", "decimal"):
        return parse.amount(column.name)  # the same number grammar: 1 234,5
    if column.type == "integer":
        return parse.integer(column.name)
    if column.type == "date":
        return parse.date(column.name)
    if column.type == "org_nr":
        return parse.org_nr(column.name)
    if column.type == "code":
        return parse.code(column.name, accepted(column, vocabulary))
    return parse.text(column.name)


def accepted(column: Column, vocabulary: Vocabulary) -> dict[str, str]:
    """Return the accepted values of a code column: canonical value by normalised alias."""
    return {
        "sector": vocabulary.sectors,
        "measure": vocabulary.measures,
        "decision": vocabulary.decisions,
        "gender": vocabulary.genders,
        "age_band": vocabulary.age_bands,
    }[column.name]


def value_required(column: Column) -> bool:
    return column.required and column.name not in ("decided_on", "granted_sek")


def format_message(column: Column, vocabulary: Vocabulary) -> str:
    if column.type == "code":
        allowed = "; ".join(dict.fromkeys(accepted(column, vocabulary).values()))
        return f"okänt värde för {column.label}; tillåtna: {allowed}"
    return {
        "amount": "ogiltigt belopp; skriv till exempel 1 234 567,50 (högst två decimaler, "
        "mellanslag som tusentalsavgränsare)",
        "integer": "ogiltigt heltal",
        "decimal": "ogiltigt tal; skriv till exempel 1 234,5 (högst två decimaler)",
        "date": "ogiltigt datum; skriv ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD",
        "org_nr": "ogiltigt organisationsnummer (10 siffror, kontrollsiffran ska stämma)",
    }.get(column.type, "ogiltigt värde")


def _duplicated(*columns: str | pl.Expr) -> pl.Expr:
    exprs = [pl.col(c) if isinstance(c, str) else c for c in columns]
    return pl.struct(exprs).is_duplicated() & pl.all_horizontal(e.is_not_null() for e in exprs)


def case_number(column: pl.Expr) -> pl.Expr:
    """A case number as it is compared and pseudonymised: case folded, inner whitespace one space,
    trimmed ('Dnr  2024/1' and 'dnr 2024/1' are the same case)."""
    return column.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()


def _known(check: Checker, context: Context) -> None:
    known = pl.Series(sorted(context.known_agencies), dtype=pl.String)
    check.rule(
        pl.col("org_nr").is_not_null() & ~pl.col("org_nr").is_in(known.implode()),
        "okänd myndighet",
        "okänd myndighet: finns inte i databasen och inte i en myndighetsfil i samma inläsning",
        "org_nr",
    )


def _agency_rules(check: Checker, context: Context) -> None:
    check.rule(_duplicated("org_nr"), "unik", "organisationsnumret förekommer på flera rader", "org_nr")


def _fund_rules(check: Checker, context: Context) -> None:
    _known(check, context)
    last_year = context.today.year + 1
    check.rule(
        ~pl.col("year").is_between(context.vocabulary.first_year, last_year),
        "år",
        f"året ska vara {context.vocabulary.first_year}–{last_year}",
        "year",
    )
    check.rule(_duplicated("org_nr", "year"), "unik", "myndighet och år förekommer på flera rader", "year")
    for name in ("payroll_sek", "allocated_sek", "spent_sek"):
        check.rule(pl.col(name) < 0, "negativt", "beloppet får inte vara negativt", name)
    if "fte" in check.frame.columns:
        check.rule(pl.col("fte") < 0, "negativt", "årsarbetskrafterna får inte vara negativa", "fte")
    expected = pl.col("opening_balance_sek") + pl.col("allocated_sek") - pl.col("spent_sek")
    check.rule(
        (pl.col("closing_balance_sek") - expected).abs() > 1,
        "saldo",
        "utgående saldo ska vara ingående saldo + avsättning − nyttjat (±1 kr); väntat ",
        "closing_balance_sek",
        detail=expected,
    )
    rates = pl.col("year").replace_strict(
        {y: float(r) for y, r in context.rates.items()}, default=None, return_dtype=pl.Float64
    )
    expected_allocation = rates * pl.col("payroll_sek").cast(pl.Float64)
    check.rule(
        (pl.col("allocated_sek").cast(pl.Float64) - expected_allocation).abs() > 0.02 * expected_allocation,
        "avsättning",
        "avsättningen avviker mer än 2 % från årets procentsats × lönesumman; väntat ",
        "allocated_sek",
        severity=WARNING,
        detail=expected_allocation,
    )
    _opening_balance_rule(check, context)
    _next_opening_rule(check, context)


def _next_opening_rule(check: Checker, context: Context) -> None:
    """Warn where a closing balance no longer leads to the opening balance stored for the year
    after, which the file does not bring again (a correction of one year only)."""
    if context.stored_opening is None or context.stored_opening.is_empty():
        return
    in_file = check.frame.select("org_nr", "year").drop_nulls()
    following = (
        context.stored_opening.join(in_file, on=["org_nr", "year"], how="anti")  # brought again: checked there
        .select("org_nr", (pl.col("year") - 1).alias("year"), pl.col("opening_balance_sek").alias("next_opening"))
        .cast({"year": check.frame.schema["year"]})
    )
    check.frame = check.frame.join(following, on=["org_nr", "year"], how="left", maintain_order="left")
    check.rule(
        (pl.col("closing_balance_sek") - pl.col("next_opening")).abs() > 1,
        "nästa års ingående saldo",
        "utgående saldo leder inte längre till nästa års inlästa ingående saldo",
        "closing_balance_sek",
        severity=WARNING,
        detail=pl.col("next_opening"),
        said=pl.concat_str(
            pl.lit("utgående saldo "),
            pl.col("year").cast(pl.String),
            pl.lit(" leder inte längre till det inlästa ingående saldot för "),
            (pl.col("year") + 1).cast(pl.String),
            pl.lit(", som är "),
        ),
    )


def _opening_balance_rule(check: Checker, context: Context) -> None:
    """Warn where the opening balance is not last year's closing balance."""
    in_file = check.frame.select("org_nr", "year", "closing_balance_sek").drop_nulls()
    from_db = context.previous_closing.join(in_file, on=["org_nr", "year"], how="anti")
    previous = (
        pl.concat([in_file, from_db.select(in_file.columns).cast(in_file.schema)])
        .unique(["org_nr", "year"], keep="first")
        .select("org_nr", (pl.col("year") + 1).alias("year"), pl.col("closing_balance_sek").alias("previous"))
    )
    check.frame = check.frame.join(previous, on=["org_nr", "year"], how="left", maintain_order="left")
    check.rule(
        (pl.col("opening_balance_sek") - pl.col("previous")).abs() > 1,
        "ingående saldo",
        "ingående saldo skiljer sig från förra årets utgående saldo, ",
        "opening_balance_sek",
        severity=WARNING,
        detail=pl.col("previous"),
    )


def _application_rules(check: Checker, context: Context) -> None:
    _known(check, context)
    # The case number as compared, a column of its own: in the mask it would be worked out twice.
    check.frame = check.frame.with_columns(case_number(pl.col("application_id")).alias("case_number"))
    check.rule(
        _duplicated("org_nr", "case_number"),
        "unik",
        "ärendenumret förekommer flera gånger för samma myndighet (stora och små bokstäver och mellanslag räknas "
        "inte som skillnad)",
        "application_id",
    )
    first_day = date(context.vocabulary.first_year, 1, 1)
    for name in ("received_on", "decided_on"):
        check.rule(
            pl.col(name) < first_day,
            "för tidigt datum",
            f"datumet ligger före {context.vocabulary.first_year}, det första år som avtalet om lokala "
            "omställningsmedel gäller i underlaget",
            name,
        )
    ceiling = context.vocabulary.max_application_sek
    for name in ("requested_sek", "granted_sek"):
        check.rule(
            pl.col(name) > ceiling,
            "orimligt belopp",
            f"beloppet är större än {swedish_int(ceiling)} kr, det högsta som en ansökan kan gälla (tkr eller "
            "öre i stället för kronor?)",
            name,
        )
    check.rule(
        pl.col("received_on") > context.today,
        "framtida datum",
        "inkomstdatumet ligger i framtiden",
        "received_on",
    )
    decision = pl.col("decision")
    check.rule(
        pl.col("decided_on").is_null() & ~pl.col("bad_decided_on") & decision.is_not_null() & (decision != PENDING),
        "beslutsdatum saknas",
        "beslutsdatum saknas; det får bara saknas när ansökan är under handläggning",
        "decided_on",
    )
    check.rule(
        pl.col("decided_on").is_not_null() & (decision == PENDING),
        "beslutsdatum",
        "ansökan är under handläggning men har ett beslutsdatum",
        "decided_on",
        severity=WARNING,
    )
    check.rule(
        pl.col("decided_on") < pl.col("received_on"),
        "datumordning",
        "beslutsdatum ligger före inkomstdatum",
        "decided_on",
    )
    for name in ("requested_sek", "granted_sek"):
        check.rule(pl.col(name) < 0, "negativt", "beloppet får inte vara negativt", name)
    check.rule(
        pl.col("granted_sek").is_null() & ~pl.col("bad_granted_sek") & decision.is_in(context.vocabulary.granting),
        "värde saknas",
        "beviljat belopp saknas; det måste anges när beslutet är beviljad eller delvis beviljad",
        "granted_sek",
    )
    check.rule(pl.col("decided_on") > context.today, "framtida datum", "beslutsdatum ligger i framtiden", "decided_on")
    check.rule(
        (pl.col("granted_sek") > 0) & decision.is_not_null() & ~decision.is_in(context.vocabulary.granting),
        "beviljat belopp",
        "beviljat belopp får bara vara större än 0 när beslutet är beviljad eller delvis beviljad",
        "granted_sek",
    )
    check.rule(
        pl.col("granted_sek") > pl.col("requested_sek"),
        "över sökt belopp",
        "beviljat belopp är större än sökt belopp",
        "granted_sek",
        severity=WARNING,
    )
