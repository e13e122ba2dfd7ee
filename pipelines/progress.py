"""A progress bar on standard error for large files, when a person is watching."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

# Told each stage a file reaches: the file's name, the stage in Swedish, the fraction done.
StageListener = Callable[[str, str, float], None]

LARGE_FILE_BYTES = 5 * 1024 * 1024
WIDTH = 30


class Progress:
    """Show the stage a large file has reached: reading, checking, writing, publishing."""

    def __init__(self, label: str, size: int, stream=None, listener: StageListener | None = None):
        self.stream = stream or sys.stderr
        watched = self.stream.isatty() or os.environ.get("LOM_PROGRESS") == "1"
        self.enabled = watched and size >= LARGE_FILE_BYTES
        self.label = label
        self.listener = listener

    def stage(self, name: str, fraction: float, tell: bool = True) -> None:
        """Draw the bar at fraction (0 to 1) with the stage's name, and tell the listener."""
        if tell and self.listener is not None:
            self.listener(self.label, name, fraction)
        if not self.enabled:
            return
        filled = round(fraction * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r{self.label}: [{bar}] {round(fraction * 100):3d} % {name:<16}")
        self.stream.flush()

    def done(self) -> None:
        """Complete the bar and end its line."""
        if self.enabled:
            self.stage("klar", 1.0, tell=False)  # the listener hears "klar" when all is published
            self.stream.write("\n")
            self.stream.flush()
