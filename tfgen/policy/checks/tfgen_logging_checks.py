"""CKV_TFG_5: every container logs through awslogs, and every log group has a retention."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from tfgen_check_helpers import TfgenCheck, unwrap


class ContainerLogging(TfgenCheck):
    ID = "CKV_TFG_5"
    NAME = "Every container definition logs with awslogs and every log group has a retention"
    CATEGORY = CheckCategories.LOGGING
    RESOURCES = ("aws_ecs_task_definition", "aws_cloudwatch_log_group")

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "aws_cloudwatch_log_group":
            self.evaluated_keys = ["retention_in_days"]
            retention = unwrap(conf.get("retention_in_days"))
            try:
                return CheckResult.PASSED if retention is not None and int(retention) > 0 else CheckResult.FAILED
            except (TypeError, ValueError):
                return CheckResult.UNKNOWN  # unknown until apply
        self.evaluated_keys = ["container_definitions"]
        containers = conf.get("container_definitions")
        if not isinstance(containers, list) or not containers or not all(isinstance(c, dict) for c in containers):
            return CheckResult.UNKNOWN  # the JSON document is only known after apply
        for container in containers:
            logging = container.get("logConfiguration") or {}
            options = logging.get("options") or {}
            if logging.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = ContainerLogging()
