"""Check and load files: read, validate, protect, then write each file in one transaction."""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from copy import deepcopy
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from threading import Lock

import duckdb
import numpy as np
import polars as pl

from lom.db import models, store
from lom.db.outcomes import FileKind
from lom.db.settings import key_file, max_file_bytes, part_bytes, vocabulary
from lom.db.store import LoadBusy, sql
from pipelines import parse
from pipelines.contract import APPLICATIONS, LOAD_ORDER
from pipelines.parse import AMOUNT, DATE, INTEGER
from pipelines.parts import Part, applications_header, read_parts, survey
from pipelines.personal_data import holds_personal_data, person_headers, safe_name, scan_cells, scan_columns
from pipelines.progress import Progress, StageListener
from pipelines.pseudonym import KeyProblem, application_keys, existing_key, key_exists, load_key, pseudonymise
from pipelines.read import RawTable, ReadResult, read_file
from pipelines.report import ERROR, KEPT_PER_COLUMN_AND_RULE, WARNING, FileProblem, Finding, Findings, listed
from pipelines.validate import NO_ROWS, Context, Validated, per_distinct, validate
from pipelines.write import (
    LOADED,
    REJECTED,
    Outcome,
    Prepared,
    Staged,
    outcome_of,
    record_rejection,
    write_file,
    written_tables,
)

SCANNED_TYPES = ("text", "code", "org_nr")
NOTHING_READ = hashlib.sha256(b"").hexdigest()  # the content hash logged for a file refused unread
PERSON_HEADER_KINDS = (FileKind.FUNDS, FileKind.APPLICATIONS)  # an agencies file names its agencies: `namn` is theirs
INCOMING = tuple(f"incoming_{kind}" for kind in FileKind)  # where a file's rows wait to be written


def check_files(paths: list[Path], db: Path, today: date | None = None, sender: str | None = None) -> list[Outcome]:
    """Validate files against the published database without writing anything.

    `sender`: the org_nr of the agency that sends the files; a row of any other agency is an error,
    and the sender counts as a known agency (it says who it is; the load checks it again).
    """
    today = today or date.today()
    con = store.open_read_only(db) if db.exists() else store.open_schema_only()
    try:
        return _check_all(con, _read_all(paths), today, write=False, sender=sender)
    finally:
        con.close()


def load_files(
    paths: list[Path],
    db: Path,
    today: date | None = None,
    listener: StageListener | None = None,
    sender: str | None = None,
) -> list[Outcome]:
    """Load files into the next version of the database and publish it; one transaction a file.

    `listener`, if given, is told each stage a file reaches (the dashboard's progress bar);
    `sender`, the agency that submitted the files: a row of any other agency refuses its file.
    """
    today = today or date.today()
    prepared = _read_all(paths, listener)
    with store.writer_lock(db), store.next_version(db) as con:
        outcomes = _check_all(con, prepared, today, write=True, listener=listener, sender=sender)
        if any(o.status == LOADED for o in outcomes) or not models.is_current(con):
            if listener is not None:
                listener("", "bygger måtten", 0.97)
            models.build(con, changed=written_tables(outcomes))
    if listener is not None:
        listener("", "klar", 1.0)
    return outcomes


def _check_all(
    con: duckdb.DuckDBPyConnection,
    prepared: list[Prepared],
    today: date,
    write: bool,
    listener: StageListener | None = None,
    sender: str | None = None,
) -> list[Outcome]:
    """Check every file, part by part, and write each that has no error, in its own transaction;
    or, for a check (`write` false), say what a load would do, writing nothing.

    A check's later files are checked as a load would check them: knowing the agencies and the
    closing balances of its earlier files that would load.
    """
    key = _once(load_key if write else _key_of_a_check)  # fetched when a file first needs it
    extra_agencies: set[str] = set()
    extra_closings: list[pl.DataFrame] = []
    outcomes = []
    # Beside the checks of each part: its scan for personal data and the HMAC of its case numbers.
    with ThreadPoolExecutor(max_workers=2) as beside:
        for index, item in enumerate(prepared):
            progress = Progress(safe_name(item.path.name), item.size, listener=_share(listener, index, len(prepared)))
            progress.stage("kontrollerar", 0.3)
            started = datetime.now()
            with _staging(con):
                context = _context(con, today, extra_agencies, extra_closings, sender)
                _guarded(item, _check, con, item, context, key, beside, progress)
                if not write:
                    outcomes.append(outcome_of(item, REJECTED if item.findings.has_errors else LOADED))
                    if not item.findings.has_errors:
                        extra_agencies |= item.staged.defined
                        extra_closings += item.staged.closings
                elif item.findings.has_errors:
                    outcomes.append(record_rejection(con, item, started))
                else:
                    outcomes.append(write_file(con, item, started, progress))
            item.whole = None  # its rows are written or refused: no longer held
            progress.done()
    return outcomes


def _once(fetch: Callable[[], bytes]) -> Callable[[], bytes]:
    """`fetch`, called once however many threads ask at once: a load's first call may make the
    key file, which two calls at once would both make."""
    lock = Lock()
    fetched = cache(fetch)

    def key() -> bytes:
        with lock:
            return fetched()

    return key


def _key_of_a_check() -> bytes:
    """The key a check pseudonymises with: the load's, if one exists, so that a case number is
    compared with what is loaded; else a throwaway key in memory, for a check creates no file
    (and nothing can have been loaded under a key that does not exist)."""
    return existing_key() or secrets.token_bytes(32)


def _case_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Return org_nr and case number as validation will have them (canonical, trimmed); a file
    holds few distinct org numbers, each made canonical once."""
    canonical = parse.cell("org_nr").str.replace(parse.ORG_NR, "$1-$2")
    org_nrs = per_distinct(frame, "org_nr", {"org_nr": canonical})
    return org_nrs.with_columns(frame.select(parse.cell("application_id").alias("application_id")).to_series())


def _guarded(item: Prepared, step: Callable[..., None], *args) -> None:
    """Run a step of one file; a failure no rule foresaw becomes that file's error, so that every
    other file still gets its result. The message names the kind of failure and where in the
    code it happened, never its text, which may quote a cell."""
    try:
        step(*args)
    except Exception as failure:
        if _of_the_whole_run(failure):
            raise
        item.findings.add(unforeseen(failure))
        item.staged = None


def _of_the_whole_run(failure: Exception) -> bool:
    """Whether a failure stops the whole run rather than one file: the setup's (the key, rights,
    another load holding the lock) or the machine's (a full disk, lom/db/store.py)."""
    if isinstance(failure, (KeyProblem, PermissionError, LoadBusy)):
        return True
    return isinstance(failure, duckdb.Error) and store.write_failure(failure) is not None


def unforeseen(failure: BaseException) -> Finding:
    """A finding for a failure no rule foresaw: its type and the line of our code it came from."""
    frames = [f for f in traceback.extract_tb(failure.__traceback__) if "/pipelines/" in f.filename]
    place = f" i {Path(frames[-1].filename).stem}.py rad {frames[-1].lineno}" if frames else ""
    return Finding(
        ERROR,
        "internt fel",
        f"filen kunde inte kontrolleras: ett oväntat fel ({type(failure).__name__}{place}); inget lästes in "
        "från filen. Rapportera felet till förvaltningen av tjänsten",
    )


# Of a listener's bar, reading all files takes the first quarter, then each file an equal share up
# to 0.95; building the measures and publishing take the rest.
READ_SHARE, FILES_SHARE = 0.25, 0.7


def _read_all(paths: list[Path], listener: StageListener | None = None) -> list[Prepared]:
    """Read every file, then order them so that agencies are known before their figures.

    A large applications CSV is only surveyed here; its parts are read as it is loaded.
    """
    prepared = []
    for index, path in enumerate(paths):
        if listener is not None:
            listener(safe_name(path.name), "läser", READ_SHARE * index / len(paths))
        try:
            prepared.append(_read(path))
        except Exception as failure:
            if _of_the_whole_run(failure):
                raise
            findings = Findings()
            findings.add(unforeseen(failure))
            prepared.append(Prepared(path, NOTHING_READ, 0, findings))
    return sorted(prepared, key=lambda item: item.order)


def _share(listener: StageListener | None, index: int, count: int) -> StageListener | None:
    """A listener for one file of several: its stages move the bar only through its own share."""
    if listener is None:
        return None
    return lambda label, stage, fraction: listener(label, stage, READ_SHARE + FILES_SHARE * (index + fraction) / count)


def _read(path: Path) -> Prepared:
    """Read one file whole, or survey a large applications CSV to be read in parts; a file over
    the size limit, one that is not a regular file and one whose name holds personal data are
    refused unread."""
    findings = Findings()
    if refused := _not_a_file(path):
        findings.add(Finding(ERROR, "ingen vanlig fil", refused))
        return Prepared(path, NOTHING_READ, 0, findings)
    if holds_personal_data(path.name):
        findings.add(
            Finding(
                ERROR,
                "personuppgift",
                "filnamnet innehåller en personuppgift; byt namn på filen och skicka den igen (namnet visas inte)",
            )
        )
        return Prepared(path, _sha256_of_file(path), path.stat().st_size, findings)
    limit = max_file_bytes()
    size = path.stat().st_size
    if size > limit:
        return _oversized(path, size, limit, findings)
    progress = Progress(safe_name(path.name), size)
    progress.stage("läser", 0.0)
    workbook_name = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")  # read_file refuses a CSV so named
    if size > part_bytes() and not workbook_name and applications_header(path) is not None:
        surveyed = survey(path, part_bytes())
        if surveyed.size > limit:  # it grew since it was measured
            return _oversized(path, surveyed.size, limit, findings)
        return Prepared(path, surveyed.sha256, surveyed.size, findings, survey=surveyed)
    try:
        with _open_regular(path) as handle:
            data = handle.read(limit + 1)  # a file that grew since it was measured is not read past the limit
    except FileProblem as problem:  # it was swapped for a link or a pipe since it was looked at
        findings.extend(problem.findings)
        return Prepared(path, NOTHING_READ, 0, findings)
    if len(data) > limit:
        return _oversized(path, len(data), limit, findings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())  # hashlib frees the GIL
        result = read_file(path, data)
        return Prepared(path, digest.result(), len(data), findings, whole=result)


def _parts(item: Prepared) -> Iterator[Part]:
    """The parts of a file: a file read whole is one, from 0 to its size; a surveyed file's are
    read one at a time, each while the one before it is checked. A file refused unread has none."""
    if item.survey is not None:
        yield from _read_ahead(read_parts(item.path, item.survey))
    elif item.whole is not None:
        yield Part(item.whole, 0, item.size)


def _read_ahead(parts: Iterator[Part]) -> Iterator[Part]:
    """Yield the parts, reading the next in a thread while the caller checks the one yielded:
    reading (the bytes, their decoding, Polars' CSV reader) and checking overlap on the cores.
    Two parts at most are held at once; a problem reading one is raised where it is reached."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        coming = reader.submit(next, parts, None)
        while (part := coming.result()) is not None:
            coming = reader.submit(next, parts, None)
            yield part


def _check(
    con, item: Prepared, context: Context, key: Callable[[], bytes], beside: ThreadPoolExecutor, progress: Progress
) -> None:
    """Read, scan and check a file part by part, staging its pseudonymised rows in
    `incoming_<kind>` until an error is found; then check what only the whole file shows.

    Every part is checked, so the findings are those of the whole file, each once; rows are
    staged only while the file has no error, for a file with one is not written.
    """
    before = deepcopy(item.findings)
    item.staged = Staged()
    seen: set[Finding] = set()  # findings about the file, not a row, of earlier parts: each part repeats them
    cases: list[np.ndarray] = []  # a 64-bit hash of each row's agency and case number
    whole = item.survey is None or len(item.survey.parts) == 1
    try:
        for part in _parts(item):
            if part.read is not None:
                cases += _check_part(con, item, part, context, key, beside, progress, seen, whole)
            if part.end < item.size:
                progress.stage("kontrollerar", 0.3 + 0.3 * part.end / item.size)
    except FileProblem as problem:
        # A problem with the whole file is all a whole read reports: nothing of the parts before it.
        item.findings = before
        item.findings.extend(problem.findings)
        item.staged = None
        return
    _check_the_file(con, item, cases)


def _check_part(
    con,
    item: Prepared,
    part: Part,
    context: Context,
    key: Callable[[], bytes],
    beside: ThreadPoolExecutor,
    progress: Progress,
    seen: set[Finding],
    whole: bool,
) -> list[np.ndarray]:
    """Scan, check and count one part's tables, agencies first, so a workbook may bring its own
    agencies; stage their rows while the file has no error. Return the hashes of its case numbers
    when the file has more parts than this one.

    The scan for personal data and the HMAC run in threads beside validation (Polars leaves the
    GIL, and uses the cores); the scan's findings still come before validation's.
    """
    found = Findings()
    found.extend(part.read.findings)
    scanned = beside.submit(_personal_data, part.read)
    try:
        checked, validated_found = _validate_tables(item, part.read, context, key, beside, scanned, found.has_errors)
    except BaseException:
        wait([scanned])  # a part given up leaves no scan running on its rows
        raise
    found.extend(scanned.result())
    found.extend(validated_found)
    _merge(item.findings, found, seen)
    cases = []
    for validated, keys in checked:
        if item.findings.has_errors:
            if keys is not None:
                keys.result()  # not used: only waited for
            continue
        rows = validated.frame
        if validated.kind is APPLICATIONS:
            if part.end == item.size:
                progress.stage("pseudonymiserar", 0.6)
            if not whole:  # within one part, validation has found any case number given twice
                cases.append(rows.select("org_nr", "application_id").hash_rows(seed=0).to_numpy())
            computed = keys.result() if keys is not None else None
            rows = pseudonymise(rows, key(), computed)
        _stage(con, validated.kind.name, rows, whole)
    return cases


def _validate_tables(
    item: Prepared,
    read: ReadResult,
    context: Context,
    key: Callable[[], bytes],
    beside: ThreadPoolExecutor,
    scanned: Future,
    read_errors: bool,
) -> tuple[list[tuple[Validated, Future | None]], list[Finding]]:
    """Validate and count a part's tables, agencies first; with each table of applications, its
    case numbers' HMAC is started beside (while the file has no error known yet)."""
    checked, found = [], []
    for table in sorted(read.tables, key=lambda t: LOAD_ORDER[t.recognised.kind.name]):
        keys = None
        cased = table.recognised.kind is APPLICATIONS and {"org_nr", "application_id"} <= set(table.frame.columns)
        if cased and not (item.findings.has_errors or read_errors):
            keys = beside.submit(_keys_beside_the_scan, scanned, _case_numbers(table.frame), key)
        validated = validate(table, context)
        # "No rows" is said of the whole file, at the end, not of a part of blank rows.
        found += [f for f in validated.findings if f.rule != NO_ROWS]
        item.staged.count(validated)
        if validated.kind.name == FileKind.AGENCIES:
            known = context.known_agencies | set(validated.frame["org_nr"].drop_nulls())
            context = replace(context, known_agencies=known)
        checked.append((validated, keys))
    return checked, found


def _keys_beside_the_scan(scanned: Future, cases: pl.DataFrame, key: Callable[[], bytes]) -> pl.Series | None:
    """The HMAC of a part's case numbers, computed while the part's scan runs (in memory, never
    kept for a file the scan refuses).

    A file refused for personal data is refused as before the key came into it: the first load,
    with no key yet, waits for the scan, so that such a file makes none; and a key that cannot be
    used is said to be only of a file the scan lets through. (The scan was submitted first: it
    runs, and never waits on this.)
    """

    def refused() -> bool:
        return any(finding.severity == ERROR for finding in scanned.result())

    if not key_exists() and refused():
        return None
    try:
        secret = key()
    except KeyProblem:
        if refused():
            return None
        raise
    return application_keys(cases, secret)


def _merge(findings: Findings, found: Findings, seen: set[Finding]) -> None:
    """Add a part's findings to the file's; one about the file, not a row, that an earlier part
    told (each part has the header line) is told once."""
    about_the_file = {f for f in found.items if f.row is None or f.row == 1}
    findings.extend(Findings([f for f in found.items if f not in seen or f not in about_the_file], found.overflow))
    seen |= about_the_file


def _check_the_file(con, item: Prepared, cases: list[np.ndarray]) -> None:
    """Check what no part shows alone: a kind without rows, a case number in two parts, and
    applications already loaded under another year."""
    staged = item.staged
    for kind, table in staged.tables.items():
        if not staged.rows[kind]:
            item.findings.add(Finding(WARNING, NO_ROWS, "filen har rubriker men inga rader", sheet=table.sheet))
    if item.findings.has_errors or FileKind.APPLICATIONS not in staged.tables:
        return
    table = staged.tables[FileKind.APPLICATIONS]
    if cases and _any_equal(np.concatenate(cases)):
        item.findings.extend(_duplicates_across_parts(con, table))
    if not item.findings.has_errors:
        item.findings.extend(_conflicts(con, table))


def _any_equal(hashes: np.ndarray) -> bool:
    """Whether two hashes are equal: sorted in place, 8 bytes a row and no hash table.

    Equal hashes are rare and only suspects; the staged keys tell for sure, at some seconds' cost
    for ten million rows, so only then.
    """
    hashes.sort()
    return bool((hashes[1:] == hashes[:-1]).any())


def _stage(con, kind: str, rows: pl.DataFrame, whole: bool) -> None:
    """Stage a part's rows of a kind as `incoming_<kind>`: a file of one part registers its frame,
    the parts of a larger one are added to a temp table (only applications are read in parts)."""
    if whole:
        con.register(f"incoming_{kind}", rows)
        return
    con.register("part", rows)
    try:
        store.run(con, sql("load/stage_part"))
    finally:
        con.unregister("part")


@contextmanager
def _staging(con) -> Iterator[None]:
    """Drop a file's staged rows once it is written or refused; after a failure quietly, for the
    failure is what is raised."""
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            _drop_incoming(con)
        raise
    _drop_incoming(con)


def _drop_incoming(con) -> None:
    """Drop the staged rows of a file."""
    for name in INCOMING:
        con.unregister(name)  # a registered frame, if it is one; nothing if not
    store.run(con, sql("load/drop_incoming"))


def _duplicates_across_parts(con, table: RawTable) -> list[Finding]:
    """A case number twice in the file: no part showed it, as each part had it once."""
    first = con.sql(sql("load/applications_duplicates") + f" limit {KEPT_PER_COLUMN_AND_RULE}").fetchall()
    found = [
        Finding(
            ERROR,
            "unik",
            "ärendenumret förekommer flera gånger för samma myndighet",
            row=row,
            column=table.header_of("application_id"),
        )
        for row, _ in first
    ]
    return listed(found, first[0][1] if first else 0)


def _conflicts(con, table: RawTable) -> list[Finding]:
    """Applications already loaded under another year received, in a slice the file does not
    replace: loading them would count one application twice."""
    store.run(con, sql("load/applications_slices"))
    clashes = con.sql(sql("load/applications_conflicts")).pl()
    return [
        Finding(
            ERROR,
            "finns redan",
            f"ärendet är redan inläst med inkomstår {year}; rätta inkomstdatum eller läs in det årets fil igen",
            row=row,
            column=table.header_of("application_id"),
            sheet=table.sheet,
        )
        for row, year in clashes.iter_rows()
    ]


def _not_a_file(path: Path) -> str | None:
    """Say why a path is not read: only regular files are, never what a link points to, a pipe,
    a device or a folder, nor the pseudonym key under any name. None when it may be read."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return "filen finns inte"
    if stat.S_ISLNK(status.st_mode):
        return "sökvägen är en symbolisk länk; bara vanliga filer läses (ange filen själv)"
    if stat.S_ISDIR(status.st_mode):
        return "sökvägen är en mapp, inte en fil"
    if not stat.S_ISREG(status.st_mode):
        return "sökvägen är ingen vanlig fil (en namngiven pipe, en enhet eller en socket) och läses inte"
    key = key_file()
    if key.exists() and os.path.samefile(path, key):
        return "filen är tjänstens pseudonymnyckel och läses inte"
    return None


def _open_regular(path: Path):
    """Open a file for reading only if it is, at the moment of opening, a regular file and no link."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise FileProblem("ingen vanlig fil", "sökvägen är ingen vanlig fil och läses inte")
    return os.fdopen(descriptor, "rb")


def _oversized(path: Path, size: int, limit: int, findings: Findings) -> Prepared:
    shown = format(limit / (1024 * 1024), "g").replace(".", ",")
    findings.add(Finding(ERROR, "för stor", f"filen är större än gränsen {shown} MB och läses inte"))
    return Prepared(path, _sha256_of_file(path), size, findings)


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _personal_data(result: ReadResult) -> list[Finding]:
    """Scan every text cell, typed columns included, and every column outside the contract for
    personal data, before any other rule may speak of a cell.

    A valid amount, count or date (ASCII digits in the contract's form) is a number, not a
    person's: it is not scanned. Any other cell of such a column is text, and is. In an
    applications file each row's received date tells a dated case number from a personnummer.
    """
    found = []
    words = vocabulary().person_headers
    for table in result.tables:
        kind = table.recognised.kind
        present = [c for c in kind.columns if c.name in table.frame.columns]
        received = parse.date("received_on").value if "received_on" in table.frame.columns else None
        scanned = [c.name for c in present if c.type in SCANNED_TYPES]
        scanned += [c for c in table.frame.columns if c.startswith("extra_")]
        found += scan_columns(table.frame, {c: table.header_of(c) for c in scanned}, table.sheet, received)
        for column in (c for c in present if c.type not in SCANNED_TYPES):
            valid = {"amount": AMOUNT, "decimal": AMOUNT, "integer": INTEGER, "date": DATE}[column.type]
            text = table.frame.filter(~pl.col(column.name).str.strip_chars().str.contains(valid).fill_null(True))
            found += scan_columns(text, {column.name: table.header_of(column.name)}, table.sheet, received)
        if kind.name in PERSON_HEADER_KINDS:
            found += person_headers(table.headers, words, table.sheet)
    for sheet, text, first_column in result.unloaded_text:
        found += scan_cells(text, sheet, first_column)
    return found


def _context(
    con: duckdb.DuckDBPyConnection,
    today: date,
    extra_agencies: set[str],
    extra_closings: list[pl.DataFrame] = (),
    sender: str | None = None,
) -> Context:
    """What validation needs from the database, plus what earlier files of a check would add."""
    stored = store.closing_balances(con)
    closings = pl.concat([*[c.cast(stored.schema) for c in reversed(extra_closings)], stored])
    return Context(
        today=today,
        vocabulary=vocabulary(),
        known_agencies=store.known_agencies(con) | extra_agencies | ({sender} if sender else set()),
        rates=store.allocation_rates(con, range(2000, today.year + 2)),
        previous_closing=closings.unique(["org_nr", "year"], keep="first", maintain_order=True),
        stored_opening=store.opening_balances(con),
        sender=sender,
    )
