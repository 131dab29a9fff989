"""Named points where a run can be made to kill itself with SIGKILL, so a test can prove that a crash at exactly
that point loses nothing and corrupts nothing (tests/flows/test_crash_safety.py).

Set `EVENTCODER_CRASH_AT=<point>` (or `<point>#<n>` for the n-th time the point is passed) and the process sends
itself SIGKILL there: no `finally`, no `atexit`, no DuckDB checkpoint on close, exactly as if the machine had killed
it. Without the variable (every real run) a point costs one environment lookup. The points are:

- `run-recorded`: the run's `runs` row is committed, no batch yet;
- `batch-uncommitted`: inside a batch's transaction, after its rows are written, before COMMIT;
- `batch-committed`: just after a batch's transaction committed;
- `export-temp-written`: a Parquet partition is written to its temporary name, not yet moved into place;
- `export-partition-replaced`: a partition file has been moved into place, the export is not finished;
- `export-finished`: the Parquet copy and its manifest are complete, the run is not yet marked completed.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter

ENV_VAR = "EVENTCODER_CRASH_AT"
POINTS = (
    "run-recorded",
    "batch-uncommitted",
    "batch-committed",
    "export-temp-written",
    "export-partition-replaced",
    "export-finished",
)
_passed: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL if EVENTCODER_CRASH_AT names this point (and this is its n-th pass)."""
    wanted = os.environ.get(ENV_VAR)
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    _passed[name] += 1
    if _passed[name] != (int(nth) if nth else 1):
        return
    # The line tells the test (and a puzzled human) that the kill was deliberate and where it happened.
    sys.stderr.write(f"eventcoder: {ENV_VAR}={wanted}: killing this process with SIGKILL\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)
