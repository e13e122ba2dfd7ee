"""Command line: python -m pipelines load|check|template|bootstrap (see docs/data-contract.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from lom import resources
from lom.db import models, settings
from lom.db.outcomes import FileKind, LoadStatus
from lom.db.store import LoadBusy, WriteFailed
from pipelines import template
from pipelines.load import check_files, load_files
from pipelines.parse import one_org_nr
from pipelines.personal_data import safe_name
from pipelines.pseudonym import KeyProblem
from pipelines.report import swedish_int
from pipelines.write import REJECTED, Outcome

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
ORG_NR_FORM = "NNNNNN-NNNN med rätt kontrollsiffra"
PLANNED = {"loaded": "godkänd", "rejected": "avvisad"}
STATUS_COUNTED = {
    "loaded": ("inläst", "inlästa"),
    "unchanged": ("oförändrad", "oförändrade"),
    "rejected": ("avvisad", "avvisade"),
}
PLANNED_COUNTED = {"loaded": ("godkänd", "godkända"), "rejected": ("avvisad", "avvisade")}


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="Läs in LOM-filer.")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add the verbs load, check and bootstrap to a command line (this one, and `lom`)."""
    load = commands.add_parser("load", help="kontrollera och läs in filer")
    load.add_argument("--db", help="databasfil (standard: LOM_DB eller data/lom.duckdb)")
    load.add_argument("files", nargs="+", type=Path)
    check = commands.add_parser("check", help="kontrollera filer utan att skriva något")
    check.add_argument("--db", help="databasfil att jämföra mot (känd myndighet, saldon)")
    check.add_argument(
        "--as",
        dest="sender",
        metavar="ORG_NR",
        help="kontrollera som myndigheten som skickar filerna: en rad som gäller en annan myndighet är fel",
    )
    check.add_argument("files", nargs="+", type=Path)
    template = commands.add_parser("template", help="skriv mallen för inrapportering (Excel) som myndigheter fyller i")
    template.add_argument("--out", required=True, type=Path, help="xlsx-fil att skriva")
    bootstrap = commands.add_parser(
        "bootstrap", help="bygg databasen av exempeldata om den saknas, och måtten om de är inaktuella"
    )
    bootstrap.add_argument("--db", help="databasfil (standard: LOM_DB eller data/lom.duckdb)")


def run(args: argparse.Namespace) -> int:
    """Run one of the verbs load, check, template and bootstrap and return its exit code."""
    if args.command == "template":
        return _template(args.out)
    db = settings.db_path(args.db)
    if args.command == "bootstrap":
        return _bootstrap(db)
    if problems := [_unusable(path) for path in args.files if _unusable(path)]:
        for problem in problems:
            print(f"fel: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if db.is_dir():
        print(f"fel: databasen {db} är en mapp, inte en fil", file=sys.stderr)
        return EXIT_USAGE
    sender = getattr(args, "sender", None)
    if sender is not None and (sender := one_org_nr(sender)) is None:
        # Not echoed: what was typed could be a personal identity number.
        print(f"fel: --as ska vara myndighetens organisationsnummer, {ORG_NR_FORM}", file=sys.stderr)
        return EXIT_USAGE
    try:
        checking = args.command == "check"
        outcomes = check_files(args.files, db, sender=sender) if checking else load_files(args.files, db)
    except LoadBusy as busy:
        print(f"fel: {busy}; försök igen senare", file=sys.stderr)
        return EXIT_REJECTED
    except WriteFailed as failed:
        print(f"fel: {failed}", file=sys.stderr)
        return EXIT_REJECTED
    except KeyProblem as problem:
        print(f"fel: {problem}; inget lästes in", file=sys.stderr)
        return EXIT_REJECTED
    except PermissionError as denied:
        print(f"fel: behörighet saknas för {denied.filename}; inget lästes in", file=sys.stderr)
        return EXIT_REJECTED
    except duckdb.IOException:
        print(f"fel: {db} kunde inte öppnas som DuckDB-databas; inget lästes in", file=sys.stderr)
        return EXIT_REJECTED
    for outcome in outcomes:
        print(describe(outcome, planned=args.command == "check"))
    print(summary(outcomes, planned=args.command == "check"))
    return EXIT_REJECTED if any(o.status == REJECTED for o in outcomes) else EXIT_OK


def _unusable(path: Path) -> str | None:
    """Say why a path given on the command line is no file to try, or None if it is one.

    A link, a pipe or a device is tried: the loader refuses it unread, and the load log says so.
    """
    if not os.path.lexists(path):
        return f"filen finns inte: {safe_name(path.name)}"
    if path.is_dir() and not path.is_symlink():
        return f"{safe_name(path.name)} är en mapp, inte en fil"
    if path.is_file() and not path.is_symlink() and not os.access(path, os.R_OK):
        return f"filen kan inte läsas (behörighet saknas): {safe_name(path.name)}"
    return None


def _template(out: Path) -> int:
    """Write the template workbook, whole or not at all."""
    if out.is_dir():
        print(f"fel: {safe_name(out.name)} är en mapp; ange en xlsx-fil", file=sys.stderr)
        return EXIT_USAGE
    draft = out.with_name(f".{out.name}.part")
    try:
        draft.write_bytes(template.workbook())
        draft.replace(out)
    except OSError as failure:
        draft.unlink(missing_ok=True)
        print(f"fel: mallen kunde inte skrivas ({failure.strerror})", file=sys.stderr)
        return EXIT_REJECTED
    print(f"mallen är skriven: {out}")
    return EXIT_OK


def _bootstrap(db: Path) -> int:
    if db.exists():
        rebuilt = models.refresh(db)
        print(f"databasen finns redan: {db}" + ("; måtten är ombyggda" if rebuilt else ""))
        return EXIT_OK
    files = resources.sample_files()
    outcomes = load_files(files, db)
    print(summary(outcomes, planned=False))
    return EXIT_REJECTED if any(o.status == REJECTED for o in outcomes) else EXIT_OK


def describe(outcome: Outcome, planned: bool) -> str:
    """Render one file's result and its findings in Swedish."""
    status = PLANNED[outcome.status] if planned else LoadStatus(outcome.status).label
    head = f"{safe_name(outcome.path.name)}: {status}"
    if outcome.kinds:
        head += " – " + ", ".join(FileKind(k).label for k in outcome.kinds)
    parts = []
    if outcome.status != REJECTED:
        parts.append(counted(outcome.rows_in_file, "rad", "rader"))
        parts.append(counted(outcome.agencies, "myndighet", "myndigheter"))
        if outcome.years:
            first, last = outcome.years
            parts.append(f"år {first}" if first == last else f"år {first}–{last}")
        if not planned:
            parts.append(counted(outcome.rows_replaced, "rad ersatt", "rader ersatta"))
    findings = outcome.findings
    parts.append(counted(findings.error_count(), "fel", "fel"))
    parts.append(counted(findings.warning_count(), "varning", "varningar"))
    lines = [f"{head}, {', '.join(parts)}"]
    lines += [f"  {line}" for line in findings.lines()]
    return "\n".join(lines)


def summary(outcomes: list[Outcome], planned: bool) -> str:
    """Render the totals of a run."""
    names = PLANNED_COUNTED if planned else STATUS_COUNTED
    shown = ", ".join(counted(sum(o.status == s for o in outcomes), *names[s]) for s in names)
    text = f"Totalt {counted(len(outcomes), 'fil', 'filer')}: {shown}"
    if not planned:
        text += f"; {counted(sum(o.rows_inserted for o in outcomes), 'rad inläst', 'rader inlästa')}"
        text += f", {counted(sum(o.rows_replaced for o in outcomes), 'ersatt', 'ersatta')}"
    warnings = sum(o.findings.warning_count() for o in outcomes)
    return text + f"; {counted(warnings, 'varning', 'varningar')}"


def counted(number: int, singular: str, plural: str) -> str:
    """Say a count with the noun in the right number: 1 rad, 2 rader, 12 345 rader."""
    return f"{swedish_int(number)} {singular if number == 1 else plural}"


if __name__ == "__main__":
    sys.exit(main())
