"""CKV_TFG_1 (circuit breaker with rollback) and CKV_TFG_2 (no public IP on tasks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult

from tfgen_check_helpers import TfgenCheck, first_block, is_true, unwrap


class ServiceCircuitBreaker(TfgenCheck):
    ID = "CKV_TFG_1"
    NAME = "ECS service has the deployment circuit breaker enabled with rollback"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    RESOURCES = ("aws_ecs_service",)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["deployment_circuit_breaker"]
        controller = first_block(conf, "deployment_controller")
        if controller and str(controller.get("type", ["ECS"])[0]).upper() not in ("ECS", "NONE"):
            return CheckResult.UNKNOWN  # CODE_DEPLOY / EXTERNAL controllers have no circuit breaker
        breaker = first_block(conf, "deployment_circuit_breaker")
        if breaker and is_true(breaker.get("enable")) and is_true(breaker.get("rollback")):
            return CheckResult.PASSED
        return CheckResult.FAILED


class TaskNoPublicIp(TfgenCheck):
    """Tasks of services and of scheduled runs (EventBridge rule targets, Scheduler schedules,
    Step Functions states that run ECS tasks)."""

    ID = "CKV_TFG_2"
    NAME = "ECS tasks are not assigned a public IP address"
    CATEGORY = CheckCategories.NETWORKING
    RESOURCES = ("aws_ecs_service", "aws_cloudwatch_event_target", "aws_scheduler_schedule", "aws_sfn_state_machine")

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "aws_sfn_state_machine":
            return _state_machine_result(conf)
        if self.entity_type == "aws_ecs_service":
            holder: Any = conf
            self.evaluated_keys = ["network_configuration/[0]/assign_public_ip"]
        elif self.entity_type == "aws_cloudwatch_event_target":
            holder = first_block(conf, "ecs_target")
            self.evaluated_keys = ["ecs_target/[0]/network_configuration/[0]/assign_public_ip"]
        else:
            holder = first_block(first_block(conf, "target"), "ecs_parameters")
            self.evaluated_keys = ["target/[0]/ecs_parameters/[0]/network_configuration/[0]/assign_public_ip"]
        if holder is None:
            return CheckResult.UNKNOWN  # not an ECS task target
        network = first_block(holder, "network_configuration")
        if network is not None and is_true(network.get("assign_public_ip")):
            return CheckResult.FAILED
        return CheckResult.PASSED


def _state_machine_result(conf: dict[str, Any]) -> CheckResult:
    """Every state that runs an ECS task must say AssignPublicIp DISABLED (or leave it out: RunTask's
    default). A value taken from the execution input ("AssignPublicIp.$") cannot be shown to be off."""
    definition = unwrap(conf.get("definition"))
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError:
            return CheckResult.UNKNOWN
    if not isinstance(definition, dict):
        return CheckResult.UNKNOWN  # known only after apply
    run_task_states = [state for state in _states(definition) if ":ecs:runTask" in str(state.get("Resource", ""))]
    if not run_task_states:
        return CheckResult.UNKNOWN
    for state in run_task_states:
        network = ((state.get("Parameters") or {}).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration") or {}
        if "AssignPublicIp.$" in network or str(network.get("AssignPublicIp", "DISABLED")).upper() != "DISABLED":
            return CheckResult.FAILED
    return CheckResult.PASSED


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every state, nested ones (Parallel branches, Map iterators) included."""
    for state in (definition.get("States") or {}).values():
        if not isinstance(state, dict):
            continue
        yield state
        for branch in state.get("Branches") or []:
            yield from _states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), dict):
                yield from _states(state[key])


circuit_breaker = ServiceCircuitBreaker()
no_public_ip = TaskNoPublicIp()
