"""How the offline provider plans and applies managed resources, by the schema's rules alone.

- Create: computed attributes left null become unknown (also inside nested blocks).
- Update: Terraform's proposed state already keeps prior computed values; when something
  changed, null computed attributes (e.g. in a new nested block) become unknown.
- Replace: the schema does not say which arguments force a new resource (the real provider's
  ForceNew). The deterministic rule used here: a change of an attribute in ``REPLACE_ATTRIBUTES``
  (names that are immutable for nearly every AWS resource) or in ``REPLACE_BY_TYPE`` for its type,
  or of any attribute of a type in ``REPLACE_ALL_TYPES`` except ``UPDATABLE_ATTRIBUTES``, requires
  replacement.
- ``tags_all`` is planned as provider ``default_tags`` merged with ``tags``, and ``region`` as
  the provider's region, as the real provider does.
- Apply: every unknown becomes a deterministic placeholder (see ``values.Placeholders``), so a
  second plan finds nothing to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tfgen.offline import ACCOUNT_ID, DEFAULT_REGION
from tfgen.offline.values import UNKNOWN, Block, Placeholders, contains_unknown, fill_unknowns, mark_computed_unknown

REPLACE_ATTRIBUTES = frozenset(
    {"name", "name_prefix", "family", "vpc_id", "availability_zone", "fifo_queue", "bucket", "cluster_name"}
)
REPLACE_ALL_TYPES = frozenset({"aws_ecs_task_definition", "aws_launch_configuration", "aws_security_group_rule"})
# The provider's ForceNew arguments of types whose replacement the account rehearses (a target
# group's port change meets its old name, or the listener still using it).
REPLACE_BY_TYPE = {
    "aws_lb_target_group": frozenset({"port", "protocol", "protocol_version", "target_type", "ip_address_type"}),
}
UPDATABLE_ATTRIBUTES = frozenset({"tags", "tags_all", "skip_destroy", "track_latest", "region", "id", "arn", "revision"})


@dataclass
class ProviderSettings:
    """What ConfigureProvider told us."""

    region: str = DEFAULT_REGION
    account: str = ACCOUNT_ID
    default_tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> ProviderSettings:
        config = config or {}
        region = config.get("region")
        default_tags: dict[str, str] = {}
        for block in config.get("default_tags") or []:
            tags = block.get("tags") if isinstance(block, dict) else None
            if isinstance(tags, dict):
                default_tags.update({k: v for k, v in tags.items() if isinstance(v, str)})
        return cls(region=region if isinstance(region, str) and region else DEFAULT_REGION, default_tags=default_tags)


def plan_change(
    type_name: str,
    block: Block,
    prior: dict[str, Any] | None,
    proposed: dict[str, Any],
    settings: ProviderSettings,
) -> tuple[dict[str, Any], list[str]]:
    """The planned new state and the attribute names whose change requires replacement."""
    if prior is not None and proposed == prior:
        return proposed, []
    planned = mark_computed_unknown(block, proposed)
    planned = _plan_tags_all(block, planned, settings)
    if planned.get("region") is UNKNOWN:
        planned["region"] = settings.region
    replace = _requires_replace(type_name, block, prior, proposed) if prior is not None else []
    return planned, replace


def _plan_tags_all(block: Block, planned: dict[str, Any], settings: ProviderSettings) -> dict[str, Any]:
    attributes = block.get("attributes", {})
    if "tags_all" not in attributes or not attributes["tags_all"].get("computed"):
        return planned
    tags = planned.get("tags")
    if contains_unknown(tags):
        planned["tags_all"] = UNKNOWN
    else:
        planned["tags_all"] = {**settings.default_tags, **(tags or {})}
    return planned


def _requires_replace(type_name: str, block: Block, prior: dict[str, Any], proposed: dict[str, Any]) -> list[str]:
    if type_name in REPLACE_ALL_TYPES:
        names = [n for n in list(block.get("attributes", {})) + list(block.get("block_types", {})) if n not in UPDATABLE_ATTRIBUTES]
    else:
        forced = REPLACE_ATTRIBUTES | REPLACE_BY_TYPE.get(type_name, frozenset())
        names = [n for n in block.get("attributes", {}) if n in forced]
    return sorted(n for n in names if prior.get(n) != proposed.get(n))


def apply_change(type_name: str, block: Block, planned: dict[str, Any], settings: ProviderSettings, salt: str = "") -> dict[str, Any]:
    """The new state after a create or update: unknowns filled with placeholders."""
    placeholders = Placeholders.for_object(type_name, planned, settings.region, settings.account, salt)
    return fill_unknowns(block, planned, placeholders)
