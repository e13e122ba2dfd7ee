"""Mark the mutants inside type annotations as skipped in a cosmic-ray session.

Every module mutated here starts with `from __future__ import annotations`, so an annotation is
a string that nothing evaluates: `str | None` turned into `str / None` runs exactly as before.
Such mutants are equivalent by construction, and there are many (each `|` of an annotation gives
ten), so the run skips them instead of spending minutes on each to watch it survive.

    python tests/mutation/skip_annotations.py session.sqlite
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

Span = tuple[tuple[int, int], tuple[int, int]]


@cache
def annotation_spans(path: Path) -> list[Span]:
    """(line, column) spans of every annotation in the module, columns in characters as
    cosmic-ray counts them (ast counts UTF-8 bytes)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    if not any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    ):
        return []  # annotations are evaluated: their mutants are real
    lines = source.splitlines()

    def column(line: int, byte_offset: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8"))

    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            annotations.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            annotations.append(node.returns)
    return [
        (
            (a.lineno, column(a.lineno, a.col_offset)),
            (a.end_lineno, column(a.end_lineno, a.end_col_offset)),
        )
        for a in annotations
    ]


def inside(start: tuple[int, int], end: tuple[int, int], span: Span) -> bool:
    return span[0] <= start and end <= span[1]


def main(session: str) -> int:
    skipped = 0
    with use_db(session) as db:
        # Pending items, and those a run before this filter let survive (none can have been killed).
        survived = [item for item, result in db.completed_work_items if result.test_outcome == TestOutcome.SURVIVED]
        for item in [*db.pending_work_items, *survived]:
            if all(
                any(
                    inside(tuple(m.start_pos), tuple(m.end_pos), span) for span in annotation_spans(Path(m.module_path))
                )
                for m in item.mutations
            ):
                db.set_result(
                    item.job_id,
                    WorkResult(output=None, test_outcome=None, diff=None, worker_outcome=WorkerOutcome.SKIPPED),
                )
                skipped += 1
    print(f"{skipped} mutants inside annotations skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
