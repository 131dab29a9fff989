"""Prefect's offline settings, applied before Prefect is imported (see ../shared/docs/ENVIRONMENT.md).

Without them a run with no Prefect server logs telemetry failures and can hit "database is locked" in the
shared ~/.prefect database. A user's own settings (environment variables) always win.
"""

from __future__ import annotations

import os

from schema.config import PROJECT_ROOT

OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_HOME": str(PROJECT_ROOT / ".prefect"),
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
}


def apply_offline_defaults() -> None:
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
