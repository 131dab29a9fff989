"""The daily scheduled run: a Prefect deployment of the flow over an inbox directory and feeds, only new articles.

`eventcoder serve` builds the deployment with `daily_deployment` and serves it (flows run in this process's
children at the scheduled times); prefect.yaml declares the same deployment for `prefect deploy` and a process
worker. Both need a Prefect server (`prefect server start`): a schedule lives in its database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

from prefect import serve  # noqa: E402
from prefect.deployments.runner import EntrypointType, RunnerDeployment  # noqa: E402
from prefect.schedules import Cron  # noqa: E402
from prefect.settings import PREFECT_API_URL  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator  # noqa: E402

from flows.flow import eventcoder_flow  # noqa: E402
from schema.config import PipelineConfig  # noqa: E402
from schema.errors import ConfigError, SchedulingError  # noqa: E402

DEFAULT_DEPLOYMENT = "daily"
CLOCK_TIME = re.compile(r"^(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)$")


class DailySchedule(BaseModel):
    """When the daily run starts: a clock time in a timezone, or a cron string (which wins)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: str = Field(default="06:00", description="Time of day, HH:MM (24-hour clock).")
    timezone: str = Field(default="UTC", description="IANA timezone the time is in (Europe/Berlin, America/Bogota).")
    cron: str | None = Field(default=None, description="A cron string instead of `at` ('0 6 * * 1-5': weekdays).")

    @field_validator("at")
    @classmethod
    def _clock_time(cls, at: str) -> str:
        if not CLOCK_TIME.match(at.strip()):
            raise ValueError(f"time {at!r} is not HH:MM on a 24-hour clock, e.g. 06:00 or 18:30")
        return at.strip()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone {timezone!r} is unknown; use an IANA name such as UTC or Europe/Berlin"
            ) from None
        return timezone

    @model_validator(mode="after")
    def _valid_cron(self) -> DailySchedule:
        Cron(self.cron_string, timezone=self.timezone)  # raises ValueError for a bad cron string
        return self

    @property
    def cron_string(self) -> str:
        if self.cron:
            return self.cron.strip()
        hour, minute = self.at.split(":")  # checked by _clock_time
        return f"{int(minute)} {int(hour)} * * *"

    @classmethod
    def parse(cls, at: str, timezone: str, cron: str | None = None) -> DailySchedule:
        """The schedule, or a SchedulingError that says what is wrong with it."""
        try:
            return cls(at=at, timezone=timezone, cron=cron)
        except ValidationError as exc:
            problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise SchedulingError(f"bad schedule: {problems}") from None


def daily_config(inbox: Path, feeds: tuple[str, ...], warehouse: Path) -> PipelineConfig:
    """The daily run's config: the inbox and feeds, only what is new, absolute paths (a scheduled run starts in
    another process, maybe another directory)."""
    try:
        return PipelineConfig.model_validate(
            {
                "inputs": (inbox.resolve(),),
                "feeds": feeds,
                "warehouse": warehouse.resolve(),
                "only_new": True,
            }
        )
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(f"bad daily run settings: {problems}") from None


def daily_deployment(
    config: PipelineConfig, schedule: DailySchedule, name: str = DEFAULT_DEPLOYMENT
) -> RunnerDeployment:
    """The deployment `eventcoder serve` registers: the flow with this config as its parameter, on the schedule."""
    deployment = eventcoder_flow.to_deployment(
        name=name,
        schedules=[Cron(schedule.cron_string, timezone=schedule.timezone)],
        # Only what differs from the defaults: the deployment stays readable, and defaults can change with the code.
        parameters={"config": config.model_dump(mode="json", exclude_defaults=True)},
        description=f"Daily eventcoder run over {', '.join(map(str, config.inputs))} and "
        f"{len(config.feeds)} feeds into {config.warehouse}: only articles not coded before.",
        tags=["eventcoder", "daily"],
        # The module path, not a file path: the served runs import the installed package from any directory.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    # to_deployment answers a coroutine only inside an event loop; eventcoder calls it outside one.
    return cast(RunnerDeployment, deployment)


def require_server() -> str:
    """The Prefect API URL; a SchedulingError when there is none (a schedule needs a server to live in)."""
    url = PREFECT_API_URL.value()
    if not url:
        raise SchedulingError(
            "a schedule needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (README, 'Daily runs')"
        )
    return str(url)


def serve_daily(deployment: RunnerDeployment) -> None:
    """Register the deployment and run its flows at the scheduled times, until interrupted (Ctrl-C). The schedule
    is paused when serving stops, so no runs pile up for a server that is gone."""
    require_server()
    serve(deployment, pause_on_shutdown=True)
