"""The daily schedule against a real local Prefect server, started by this module (sqlite, its own PREFECT_HOME, a
free port) and stopped after it: `eventcoder serve` registers the deployment with its cron, timezone and
parameters, the server schedules its runs at those times, prefect.yaml deploys the same schedule for a process
worker, and a flow run leaves its progress and summary as artifacts."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

from prefect.client.orchestration import SyncPrefectClient, get_client  # noqa: E402
from prefect.client.schemas.filters import (  # noqa: E402
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    DeploymentFilter,
    DeploymentFilterId,
)
from prefect.client.schemas.schedules import CronSchedule  # noqa: E402
from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: E402

from flows.artifacts import PROGRESS_KEY, SUMMARY_KEY  # noqa: E402
from flows.cli import app  # noqa: E402
from flows.flow import eventcoder_flow  # noqa: E402
from flows.pipeline import RunSummary  # noqa: E402
from flows.schedule import DailySchedule  # noqa: E402
from schema.config import PROJECT_ROOT, PipelineConfig  # noqa: E402
from tests.conftest import SEEDS  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

PREFECT = [sys.executable, "-m", "prefect"]
SERVER_START_SECONDS = 120
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a process this module started, with its children (its own process group), waiting for it."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class PrefectServer:
    def __init__(self, url: str, env: dict[str, str], log: Path) -> None:
        self.url = url
        self.env = env
        self.log = log

    def errors(self) -> str:
        """The server log's error lines (its services log failures there, the API does not answer them)."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(dict.fromkeys(line.strip() for line in lines if "Error" in line))[-3000:]

    def call(self, read: Callable[[SyncPrefectClient], T]) -> T:
        with temporary_settings(updates={PREFECT_API_URL: self.url}), get_client(sync_client=True) as client:
            return read(client)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    home = tmp_path_factory.mktemp("prefect_home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = os.environ | {
        "PREFECT_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        # Scheduled runs are created within a second of a deployment's registration, not a minute.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"prefect server exited with {process.returncode}: {(home / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not up after {SERVER_START_SECONDS} s")
            time.sleep(0.5)
        yield PrefectServer(url, env | {"PREFECT_API_URL": url}, home / "server.log")
    finally:
        _stop(process)
        log.close()


@pytest.fixture(scope="module")
def served(server: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`eventcoder serve` running in a subprocess until its deployment is registered; stopped after the tests."""
    base = tmp_path_factory.mktemp("served")
    inbox, warehouse = base / "inbox", base / "data"
    command = [sys.executable, "-m", "flows.cli", "serve", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    command += ["--at", "05:30", "--timezone", "Europe/Berlin", "--feed", "https://news.example/world.rss"]
    output = (base / "serve.log").open("wb")
    process = subprocess.Popen(
        command, env=server.env, cwd=base, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"eventcoder serve exited with {process.returncode}: {(base / 'serve.log').read_text()}")
            found = server.call(lambda c: c.read_deployments(deployment_filter=None))
            deployment = next((d for d in found if d.name == "daily"), None)
            if deployment is not None:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no deployment after 90 s: {(base / 'serve.log').read_text()}")
            time.sleep(0.5)
        # Ctrl-C: serve pauses its schedule and exits.
        yield {
            "inbox": inbox,
            "warehouse": warehouse,
            "id": deployment.id,
            "stop": lambda: _stop(process, signal.SIGINT),
        }
    finally:
        _stop(process, signal.SIGINT)
        output.close()


def test_serve_registers_the_daily_deployment_with_its_cron(server: PrefectServer, served: dict[str, Any]) -> None:
    deployment = server.call(lambda c: c.read_deployment_by_name("eventcoder-run/daily"))
    [schedule] = deployment.schedules
    assert schedule.active
    assert isinstance(schedule.schedule, CronSchedule)
    assert schedule.schedule.cron == "30 5 * * *"
    assert schedule.schedule.timezone == "Europe/Berlin"
    assert deployment.entrypoint == "flows.flow.eventcoder_flow"
    config = PipelineConfig.model_validate(deployment.parameters["config"])
    assert config.only_new
    assert config.inputs == (served["inbox"],) and served["inbox"].is_dir()
    assert config.warehouse == served["warehouse"]
    assert config.feeds == ("https://news.example/world.rss",)


def test_the_server_schedules_runs_at_that_time_of_day(server: PrefectServer, served: dict[str, Any]) -> None:
    deadline = time.monotonic() + 30  # the scheduler looks every second (PREFECT_SERVER_SERVICES_SCHEDULER_...)
    runs: list[Any] = []
    while not runs and time.monotonic() < deadline:
        time.sleep(0.5)
        runs = server.call(
            lambda c: c.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[served["id"]])))
        )
    assert runs, f"the server's scheduler created no run; its log says:\n{server.errors()}"
    berlin = [r.expected_start_time.astimezone(ZoneInfo("Europe/Berlin")) for r in runs]
    assert {(t.hour, t.minute) for t in berlin} == {(5, 30)}
    assert all(r.auto_scheduled for r in runs)
    assert min(berlin) > dt.datetime.now(dt.UTC)
    assert len({t.date() for t in berlin}) == len(berlin)  # one a day


def test_stopping_serve_pauses_the_schedule(server: PrefectServer, served: dict[str, Any]) -> None:
    served["stop"]()
    deployment = server.call(lambda c: c.read_deployment_by_name("eventcoder-run/daily"))
    assert deployment.paused  # no runs pile up for a runner that is gone


def test_prefect_yaml_deploys_the_same_schedule_for_a_process_worker(server: PrefectServer) -> None:
    declared = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"][0]
    for command in (
        [*PREFECT, "work-pool", "create", "eventcoder", "--type", "process"],
        [*PREFECT, "--no-prompt", "deploy", "--name", declared["name"]],
    ):
        done = subprocess.run(
            command, cwd=PROJECT_ROOT, env=server.env | {"PWD": str(PROJECT_ROOT)}, capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    deployment = server.call(lambda c: c.read_deployment_by_name(f"eventcoder-run/{declared['name']}"))
    assert deployment.work_pool_name == "eventcoder"
    [schedule] = deployment.schedules
    default = DailySchedule()
    assert isinstance(schedule.schedule, CronSchedule)
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (default.cron_string, default.timezone)
    config = PipelineConfig.model_validate(deployment.parameters["config"])
    assert config.only_new and config.inputs == (Path("inbox"),) and config.warehouse == Path("data")
    assert deployment.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT_ROOT)}}
    ]


def test_a_flow_run_leaves_its_progress_and_summary_as_artifacts(server: PrefectServer, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in sorted(SEEDS.iterdir())[:3]:
        shutil.copy(path, inbox)
    (inbox / "empty.txt").write_text("", encoding="utf-8")
    config = PipelineConfig(inputs=(inbox,), warehouse=tmp_path / "data", only_new=True, articles_per_batch=1)
    with temporary_settings(updates={PREFECT_API_URL: server.url}):
        state = eventcoder_flow(config, return_state=True)
        summary = state.result()
    assert isinstance(summary, RunSummary) and summary.articles == 3
    flow_run_id = state.state_details.flow_run_id
    of_the_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
    artifacts = server.call(lambda c: c.read_artifacts(artifact_filter=of_the_run))
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {PROGRESS_KEY, SUMMARY_KEY}
    assert (by_key[PROGRESS_KEY].type, by_key[PROGRESS_KEY].data) == ("progress", 100.0)
    assert "3 articles" in str(by_key[PROGRESS_KEY].description)
    assert by_key[SUMMARY_KEY].type == "markdown"
    assert by_key[SUMMARY_KEY].data == summary.report
    with Warehouse.open_read_only(config.warehouse) as wh:
        assert f"| articles | 3 | {wh.count('articles')} |" in summary.report


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--at", "25:00"], "time '25:00' is not HH:MM"),
        (["--timezone", "Mars/Olympus"], "timezone 'Mars/Olympus' is unknown"),
        (["--cron", "every day"], "Invalid cron string"),
        ([], "a schedule needs a Prefect server"),
    ],
)
def test_serve_says_what_is_wrong_in_one_line(options: list[str], message: str, tmp_path: Path) -> None:
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(app, ["serve", "--inbox", str(tmp_path / "inbox"), *options])
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "inbox").exists()
