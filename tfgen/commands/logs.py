"""`tfgen logs`: the CloudWatch log group of one service (``/ecs/<app>-<env>-<service>``, the
ecs-task module's name, for every service type, scheduled jobs included), all its streams, oldest
first and newest last, each line prefixed with the id of the task that wrote it.

The awslogs driver names a stream ``<awslogs-stream-prefix>/<container>/<task-id>``, so the last
part of the stream name is the task id. Events come from FilterLogEvents, page by page; they are
sorted here by (timestamp, ingestion time, event id), because the API's interleaving is not
something every implementation does. ``--follow`` polls from the newest timestamp seen, skipping
the events already printed (same timestamp, same event id), until Ctrl-C.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from tfgen.aws import Aws, AwsError, Target, aws_errors, error_code
from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.commands.lookup import known_service
from tfgen.naming import resource_name

DEFAULT_INTERVAL = 2.0


@dataclass(frozen=True)
class LogLine:
    timestamp: int  # milliseconds since the epoch
    ingestion: int
    event_id: str
    stream: str
    message: str

    @property
    def task_id(self) -> str:
        parts = self.stream.split("/")
        return parts[-1] if len(parts) >= 3 and parts[-1] else self.stream

    def text(self) -> str:
        at = datetime.fromtimestamp(self.timestamp / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return f"{self.task_id} {at} {self.message.rstrip(chr(10))}"


def log_group_name(application: str, environment: str, service: str) -> str:
    """The log group the ecs-task module creates for a service: `/ecs/<app>-<env>-<service>`."""
    return "/ecs/" + resource_name(application, environment, service)


class LogReader:
    """Reads one log group of one environment (its account checked, in its region)."""

    def __init__(self, loaded: LoadedBlueprint, environment: str, service: str, aws: Aws | None = None):
        self.service = known_service(loaded, environment, service)
        target = Target.of(loaded, environment)
        self.aws = aws or Aws()
        self.aws.require_account(target.account, environment, target.region)
        self.group = log_group_name(target.blueprint.name, environment, self.service)
        self.environment = environment
        self.client = self.aws.client("logs", target.region)
        self._seen: set[str] = set()  # ids of the events printed at the newest timestamp
        self.newest = 0

    def read(self, start_ms: int) -> list[LogLine]:
        """Every event from `start_ms` on, oldest first, none printed before."""
        lines: list[LogLine] = []
        with aws_errors():
            try:
                for page in self.client.get_paginator("filter_log_events").paginate(logGroupName=self.group, startTime=start_ms, interleaved=True):
                    lines.extend(_line(event) for event in page.get("events", []))
            except ClientError as error:
                if error_code(error) == "ResourceNotFoundException":
                    raise AwsError(missing_group(self)) from None
                raise
        lines.sort(key=lambda line: (line.timestamp, line.ingestion, line.event_id))
        fresh = [line for line in lines if line.event_id not in self._seen and line.timestamp >= self.newest]
        if fresh:
            newest = fresh[-1].timestamp
            if newest > self.newest:
                self._seen = set()
                self.newest = newest
            self._seen.update(line.event_id for line in fresh if line.timestamp == self.newest)
        return fresh

    def start(self, since_seconds: float, now: Callable[[], float] = time.time) -> int:
        return int((now() - since_seconds) * 1000)


def _line(event: dict[str, Any]) -> LogLine:
    return LogLine(
        int(event.get("timestamp", 0)),
        int(event.get("ingestionTime", 0)),
        str(event.get("eventId", "")),
        str(event.get("logStreamName", "")),
        str(event.get("message", "")),
    )


def missing_group(reader: LogReader) -> str:
    """The message for a log group that does not exist (the environment is not applied)."""
    return (
        f"log group {reader.group} of '{reader.service}' not found in '{reader.environment}': "
        f"apply the environment first (tfgen plan/apply BLUEPRINT -e {reader.environment})"
    )


def show_logs(
    reader: LogReader,
    since_seconds: float,
    emit: Callable[[str], None],
    *,
    follow: bool = False,
    interval: float = DEFAULT_INTERVAL,
    max_polls: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
) -> int:
    """Print the events since `since_seconds` ago; with `follow`, keep polling (at most `max_polls`
    more times when given) until Ctrl-C, which ends it cleanly. Returns the number of lines printed."""
    start = reader.start(since_seconds, now)
    printed = 0
    polls = 0
    try:
        while True:
            lines = reader.read(max(start, reader.newest))
            for line in lines:
                emit(line.text())
            printed += len(lines)
            if not follow or (max_polls is not None and polls >= max_polls):
                return printed
            polls += 1
            sleep(interval)
    except KeyboardInterrupt:
        return printed
