"""One exception hierarchy for eventcoder.

Every error carries a stable code and a message that names the file or record and says what to do next.
Only the CLI turns these into exit codes.
"""

from __future__ import annotations

from typing import Any


class EventcoderError(Exception):
    """Base of every error eventcoder raises on purpose."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (a batch's rejected records go to a worker process and back): rebuild
        # them from their fields, not from the formatted message.
        return (type(self), (self.message,))


class ConfigError(EventcoderError):
    code = "E100"


class InputNotFoundError(EventcoderError):
    code = "E101"


class ModelNotInstalledError(EventcoderError):
    code = "E102"


class OntologyError(EventcoderError):
    """A row of seeds/ontology/ does not parse or points at something that does not exist."""

    code = "E200"


class RecordRejected(EventcoderError):
    """A single input record cannot be used; the run records it in `rejects` and goes on."""

    code = "E300"

    def __init__(self, stage: str, uri: str, reason: str, payload: str = "") -> None:
        super().__init__(f"{uri}: {reason} (stage {stage})")
        self.stage = stage
        self.uri = uri
        self.reason = reason
        self.payload = payload

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.stage, self.uri, self.reason, self.payload))


class FetchError(EventcoderError):
    """A feed or a page could not be fetched over HTTP; the loader turns it into a `rejects` row."""

    code = "E310"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.url, self.reason))


class SchedulingError(EventcoderError):
    """A schedule cannot be set up: a bad time, timezone or cron string, or no Prefect server to register it with."""

    code = "E500"


class WarehouseError(EventcoderError):
    code = "E400"


class WarehouseInUseError(WarehouseError):
    code = "E401"


class WarehouseMissingError(WarehouseError):
    code = "E402"


class QueryError(WarehouseError):
    code = "E403"


class ReleaseError(WarehouseError):
    """The warehouse cannot be exported as a dataset release (nothing finished yet, an undocumented column)."""

    code = "E410"


class ReleaseExistsError(ReleaseError):
    code = "E411"
