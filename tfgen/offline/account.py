"""The simulated AWS account of one offline environment: which live objects hold which names,
listener rule priorities and references, and the API's refusals when a change collides.

Terraform calls ApplyResourceChange once per object, in dependency order and honoring
create_before_destroy, so recording each create, update and delete as it happens sees exactly
what AWS would: a replacement created before its predecessor is deleted meets the old name.
Every check runs before anything is recorded, so a refused change leaves the account as it was.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tfgen.errors import TfgenError
from tfgen.offline.account_rules import (
    IN_USE_RULES,
    MOUNT_TARGET_CONFLICT,
    NAME_RULES,
    PRIORITY_LABEL,
    TRACKED_TYPES,
    idempotence_attributes,
    name_key,
    name_scope,
    placement,
    priority_scope,
    references,
    scope_value,
)


class AccountRefusal(TfgenError):
    """What the AWS API answers to a change the account cannot take (the message names the code)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Claim(_Strict):
    """A name or priority held in a namespace; ``attributes`` when a same-name create may be idempotent."""

    scope: str
    key: str
    attributes: dict[str, str] | None = None


class Record(_Strict):
    """One live object of a tracked type."""

    type: str
    id: str
    arn: str | None = None
    name: str | None = None
    names: list[Claim] = Field(default_factory=list)
    priority: Claim | None = None
    references: list[str] = Field(default_factory=list)
    placement: dict[str, str] = Field(default_factory=dict)  # PLACED_TYPES: a subnet's VPC and zone, a mount target's file system and subnet

    def is_referenced_by(self, other: Record) -> bool:
        return other is not self and (self.id in other.references or (self.arn is not None and self.arn in other.references))


def record_of(type_name: str, state: dict[str, Any], account: str, region: str) -> Record | None:
    """What the account keeps of an object (None: a type the account does not track, or no id yet)."""
    identity = state.get("id") or state.get("arn")
    if type_name not in TRACKED_TYPES or not isinstance(identity, str) or not identity:
        return None
    region = state["region"] if isinstance(state.get("region"), str) and state["region"] else region
    names = []
    key = name_key(type_name, state) if type_name in NAME_RULES else None
    if key is not None:
        names.append(Claim(scope=name_scope(type_name, state, account, region), key=key, attributes=idempotence_attributes(type_name, state)))
    priority = None
    listener = priority_scope(state) if type_name == "aws_lb_listener_rule" else None
    if listener is not None and isinstance(state.get("priority"), int | float):
        priority = Claim(scope=listener, key=str(int(state["priority"])))
    arn = state.get("arn") if isinstance(state.get("arn"), str) else None
    name = state.get("name") if isinstance(state.get("name"), str) else None
    return Record(
        type=type_name,
        id=identity,
        arn=arn,
        name=name,
        names=names,
        priority=priority,
        references=references(type_name, state),
        placement=placement(type_name, state),
    )


class Account(_Strict):
    """The account's live objects (the JSON file beside the offline state)."""

    version: Literal[1] = 1
    records: list[Record] = Field(default_factory=list)

    def find(self, type_name: str, identity: str) -> Record | None:
        return next((r for r in self.records if r.type == type_name and r.id == identity), None)

    def create(self, record: Record, state: dict[str, Any]) -> None:
        self._check_claims(record, state, self.records, "creating")
        self._check_mount_target(record, self.records)
        self.records.append(record)

    def update(self, prior: Record | None, record: Record, state: dict[str, Any]) -> None:
        others = [r for r in self.records if r is not prior]
        self._check_claims(record, state, others, "updating")
        self.records = [*others, record]

    def delete(self, record: Record) -> None:
        held = self.find(record.type, record.id)
        if held is None:
            return
        rule = IN_USE_RULES.get(held.type)
        if rule is not None and any(held.is_referenced_by(other) for other in self.records):
            identity = held.arn if held.type == "aws_lb_target_group" and held.arn else held.id
            raise AccountRefusal(f"deleting {rule.label} ({identity}): {rule.code}: {rule.text.format(id=identity)}")
        self.records.remove(held)

    def next_priority(self, listener_arn: str) -> int:
        """The priority the provider gives a rule created without one: the listener's highest + 1."""
        scope = priority_scope({"listener_arn": listener_arn})
        used = [int(r.priority.key) for r in self.records if r.priority is not None and r.priority.scope == scope]
        return max(used, default=0) + 1

    def name_taken(self, record: Record) -> bool:
        """Whether another object holds one of the record's names (a generated name must be drawn again)."""
        return any(_collides(claim, other) for claim in record.names for other in self.records if other is not record)

    def _check_mount_target(self, record: Record, others: list[Record]) -> None:
        """CreateMountTarget: one mount target of a file system per availability zone, all in one VPC
        (what the account knows of its subnets; a subnet it never saw is only its own zone)."""
        if record.type != "aws_efs_mount_target":
            return
        file_system, subnet = record.placement.get("file_system_id"), record.placement.get("subnet_id")
        mine = self._subnet(subnet)
        for other in others:
            if other.type != record.type or other.placement.get("file_system_id") != file_system:
                continue
            theirs = self._subnet(other.placement.get("subnet_id"))
            zone = mine.get("availability_zone")
            if other.placement.get("subnet_id") == subnet or (zone is not None and zone == theirs.get("availability_zone")):
                raise AccountRefusal(f"creating EFS Mount Target ({file_system}): {MOUNT_TARGET_CONFLICT}: mount target already exists in this AZ ({other.id})")
            if mine.get("vpc_id") and theirs.get("vpc_id") and mine["vpc_id"] != theirs["vpc_id"]:
                raise AccountRefusal(
                    f"creating EFS Mount Target ({file_system}): {MOUNT_TARGET_CONFLICT}: the file system's mount targets are in {theirs['vpc_id']}, "
                    f"not {mine['vpc_id']}: a file system has mount targets in one VPC only"
                )

    def _subnet(self, subnet_id: str | None) -> dict[str, str]:
        found = self.find("aws_subnet", subnet_id) if subnet_id else None
        return found.placement if found is not None else {}

    def _check_claims(self, record: Record, state: dict[str, Any], others: list[Record], verb: str) -> None:
        for claim in record.names:
            for other in others:
                holder = next((c for c in other.names if c.scope == claim.scope and c.key == claim.key), None)
                if holder is None or (claim.attributes is not None and holder.attributes == claim.attributes):
                    continue
                rule = NAME_RULES[record.type]
                text = rule.text.format(
                    name=(record.name or "").removesuffix("."),
                    arn=other.arn or other.id,
                    scope=scope_value(record.type, state),
                    attributes=_differing(claim, holder),
                    type=state.get("type"),
                )
                raise AccountRefusal(f"{verb} {rule.label} ({record.name}): {rule.code}: {text}")
        if record.priority is not None:
            for other in others:
                if other.priority is not None and other.priority == record.priority:
                    where = f" ({record.id}): setting priority" if verb == "updating" else ""
                    raise AccountRefusal(f"{verb} {PRIORITY_LABEL}{where}: PriorityInUse: Priority '{record.priority.key}' is currently in use")


def _collides(claim: Claim, other: Record) -> bool:
    return any(c.scope == claim.scope and c.key == claim.key for c in other.names)


def _differing(claim: Claim, holder: Claim) -> str:
    mine, theirs = claim.attributes or {}, holder.attributes or {}
    names = sorted(n for n in set(mine) | set(theirs) if mine.get(n) != theirs.get(n))
    return ", ".join(names)
