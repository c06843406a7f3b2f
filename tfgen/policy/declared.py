"""Weaker settings a blueprint declares on purpose, and the checks each one defeats.

A blueprint may serve plain HTTP (``load_balancer.protocol: http``) or give tasks public IPs
(``network.placement: public``) only by saying so. The checks such a setting defeats show as
skipped, with a reason that names the field, in the environments that use it; like a default skip,
this only turns failures into skips.

Production is held to more: a protected environment must also skip, with its own reason, what a
weaker setting defeats there. ``protocol: http`` fails CKV_TFG_9 in a protected environment;
``placement: public`` is not skipped there at all, so CKV_TFG_2 and CKV_AWS_333 fail until the
blueprint's ``environments.<env>.policy.skip`` says why tasks of production take public IPs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.blueprint.model import Blueprint


@dataclass(frozen=True)
class DeclaredSetting:
    """One weaker setting: when a blueprint uses it, and the checks it defeats (with the reason)."""

    field: str
    used: Callable[[Blueprint], bool]
    checks: tuple[str, ...]
    reason: str
    in_protected: bool  # whether the skips also apply in protected environments


DECLARED_SETTINGS: tuple[DeclaredSetting, ...] = (
    DeclaredSetting(
        "network.placement: public",
        lambda blueprint: blueprint.network.placement == "public",
        ("CKV_TFG_2", "CKV_AWS_333"),
        "network.placement: public: the VPC has no private subnets, so tasks take public IPs; only the load balancer's security group reaches them",
        in_protected=False,
    ),
    DeclaredSetting(
        "load_balancer.protocol: http",
        lambda blueprint: blueprint.load_balancer is not None and blueprint.load_balancer.protocol == "http",
        ("CKV2_AWS_20", "CKV_AWS_2", "CKV_AWS_103", "CKV_AWS_260"),
        "load_balancer.protocol: http: the blueprint serves plain HTTP on purpose (no certificate, no HTTPS listener)",
        in_protected=True,  # CKV_TFG_9 still fails a protected environment
    ),
)


@dataclass(frozen=True)
class EnvironmentPolicy:
    """What decides an environment's verdict besides the plan: skips, declared settings, protection."""

    skips: dict[str, str]  # the blueprint's own: check id -> reason
    declared: dict[str, str]  # checks defeated by declared settings: check id -> reason naming the field
    protected: bool


def environment_policy(loaded: LoadedBlueprint, env: str) -> EnvironmentPolicy:
    """The blueprint's skips (top level, then the environment's over them) and its declared settings."""
    environment = loaded.blueprint.environments[env]
    blueprint = loaded.for_environment(env)
    declared = {
        check_id: setting.reason
        for setting in DECLARED_SETTINGS
        if setting.used(blueprint) and (setting.in_protected or not environment.protected)
        for check_id in setting.checks
    }
    return EnvironmentPolicy({**loaded.blueprint.policy.skip, **environment.policy.skip}, declared, environment.protected)
