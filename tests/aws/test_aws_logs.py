"""`tfgen logs` against log groups and streams created in a real moto_server on loopback.

What moto does with FilterLogEvents (and what the tests rely on): it honours startTime and pages
with nextToken, and returns events stream by stream unless asked to interleave; tfgen sorts them.
"""

from __future__ import annotations

import contextlib
import time

import boto3
import pytest
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.commands.logs import LogReader, log_group_name, show_logs

REGION = "eu-west-1"
TASK_A = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
TASK_B = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


class Logs:
    def __init__(self) -> None:
        self.client = boto3.client("logs", region_name=REGION)
        self.now = int(time.time() * 1000)

    def group(self, service: str) -> str:
        name = log_group_name("shop", "dev", service)
        self.client.create_log_group(logGroupName=name)
        return name

    def put(self, group: str, container: str, task: str, *events: tuple[int, str]) -> None:
        stream = f"ecs/{container}/{task}"
        with contextlib.suppress(self.client.exceptions.ResourceAlreadyExistsException):
            self.client.create_log_stream(logGroupName=group, logStreamName=stream)
        self.client.put_log_events(
            logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": self.now + offset, "message": text} for offset, text in events]
        )


@pytest.fixture
def logs(aws_env) -> Logs:
    return Logs()


def test_every_task_newest_last_with_task_ids(logs: Logs, aws_blueprint):
    group = logs.group("web")
    assert group == "/ecs/shop-dev-web"
    # task A's stream is created first, but task B wrote the earliest line
    logs.put(group, "web", TASK_A, (-60_000, "a: started\n"), (-30_000, "a: GET /"))
    logs.put(group, "web", TASK_B, (-20 * 60_000, "b: too old for --since 10m"), (-90_000, "b: started"), (-10_000, "b: GET /health"))

    result = run("logs", str(aws_blueprint), "web", "-e", "dev")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" ", 2)[0] for line in lines] == [TASK_B, TASK_A, TASK_A, TASK_B]
    assert [line.split(" ", 2)[2] for line in lines] == ["b: started", "a: started", "a: GET /", "b: GET /health"]
    assert lines[0].split(" ")[1].endswith("Z")

    longer = run("logs", str(aws_blueprint), "web", "-e", "dev", "--since", "1h")
    assert longer.exit_code == 0, longer.output
    assert longer.stdout.splitlines()[0].endswith("b: too old for --since 10m")


def test_pages_are_all_read(logs: Logs, aws_blueprint):
    group = logs.group("api")
    logs.put(group, "api", TASK_A, *((-60_000 + i, f"line {i}") for i in range(150)))
    reader = LogReader(load_blueprint(aws_blueprint), "dev", "api")
    reader.client.meta.events.register("before-parameter-build.logs.FilterLogEvents", _limit_pages)
    calls: list[str] = []
    reader.client.meta.events.register("after-call.logs.FilterLogEvents", lambda **kwargs: calls.append("call"))

    lines: list[str] = []
    assert show_logs(reader, 600, lines.append) == 150
    assert len(calls) >= 4
    assert [line.rsplit(" ", 1)[1] for line in lines] == [str(i) for i in range(150)]


def _limit_pages(params, **kwargs):
    params["limit"] = 40  # four pages, so nextToken is followed


def test_a_scheduled_jobs_logs(logs: Logs, aws_blueprint):
    group = logs.group("nightly")
    logs.put(group, "nightly", TASK_A, (-5_000, "nightly: done"))

    result = run("logs", str(aws_blueprint), "nightly", "-e", "dev", "--since", "90s")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]
    assert result.stdout.startswith(f"{TASK_A} ") and result.stdout.rstrip().endswith("nightly: done")


def test_follow_prints_new_lines_once_and_stops(logs: Logs, aws_blueprint):
    group = logs.group("web")
    logs.put(group, "web", TASK_A, (-2_000, "first"), (-1_000, "second"))
    reader = LogReader(load_blueprint(aws_blueprint), "dev", "web")
    lines: list[str] = []
    later = iter([[(1, "third"), (1, "fourth")], [], [(5, "fifth")]])

    def between_polls(interval: float) -> None:
        assert interval == 0.5
        events = next(later)
        if events:
            logs.put(group, "web", TASK_B, *events)

    printed = show_logs(reader, 60, lines.append, follow=True, interval=0.5, max_polls=3, sleep=between_polls)

    assert printed == 5
    assert [line.rsplit(" ", 1)[1] for line in lines] == ["first", "second", "third", "fourth", "fifth"]


def test_follow_stops_cleanly_on_ctrl_c(logs: Logs, aws_blueprint):
    group = logs.group("web")
    logs.put(group, "web", TASK_A, (-1_000, "only"))
    reader = LogReader(load_blueprint(aws_blueprint), "dev", "web")
    lines: list[str] = []

    def interrupted(interval: float) -> None:
        raise KeyboardInterrupt

    assert show_logs(reader, 60, lines.append, follow=True, sleep=interrupted) == 1
    assert lines[0].endswith(" only")


def test_follow_on_the_command_line_with_bounded_polls(logs: Logs, aws_blueprint):
    group = logs.group("web")
    logs.put(group, "web", TASK_A, (-1_000, "once"))

    result = run("logs", str(aws_blueprint), "web", "-e", "dev", "--follow", "--interval", "0.1", "--max-polls", "2")

    assert result.exit_code == 0, result.output
    assert result.stdout.count("once") == 1


def test_unknown_service_is_bad_input_with_did_you_mean(aws_env, aws_blueprint):
    result = run("logs", str(aws_blueprint), "wbe", "-e", "dev")

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"{aws_blueprint}: no service 'wbe' in environment 'dev' (did you mean 'web'? services: web, api, nightly)"
    ]


@pytest.mark.parametrize("since", ["10", "ten minutes", "-5m"])
def test_a_bad_since_is_a_usage_error(aws_env, aws_blueprint, since: str):
    result = run("logs", str(aws_blueprint), "web", "-e", "dev", "--since", since)
    assert result.exit_code == 2
    assert "is not a duration such as 90s, 5m or 1h30m" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_log_group_says_to_apply_first(aws_env, aws_blueprint):
    result = run("logs", str(aws_blueprint), "api", "-e", "dev")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: log group /ecs/shop-dev-api of 'api' not found in 'dev': apply the environment first (tfgen plan/apply BLUEPRINT -e dev)"
    )


def test_another_accounts_environment_is_refused(aws_env, aws_blueprint):
    result = run("logs", str(aws_blueprint), "web", "-e", "prod")
    assert result.exit_code == 1
    assert "credentials are for account 123456789012, environment 'prod' is account 210987654321" in result.stderr


@pytest.mark.parametrize(("text", "seconds"), [("0", 0.0), ("90s", 90.0), ("10m", 600.0), ("1h30m", 5400.0), ("1.5h", 5400.0), ("500ms", 0.5)])
def test_go_durations_in_seconds(text: str, seconds: float):
    from tfgen.cli_options import duration_seconds

    assert duration_seconds(text) == pytest.approx(seconds)
