"""Applying one change through the simulated account: the stand-in's ApplyResourceChange."""

from __future__ import annotations

from typing import Any

from tfgen.offline.account import Account, Record, record_of
from tfgen.offline.account_file import AccountStore
from tfgen.offline.account_rules import TRACKED_TYPES
from tfgen.offline.planning import ProviderSettings, apply_change
from tfgen.offline.values import UNKNOWN, Block

# AWS draws a name_prefix suffix at random; the stand-in draws again when a draw is taken.
_NAME_DRAWS = 8


def apply_rehearsed(
    store: AccountStore,
    type_name: str,
    block: Block,
    prior: dict[str, Any] | None,
    planned: dict[str, Any] | None,
    settings: ProviderSettings,
) -> dict[str, Any] | None:
    """The new state (None for a delete) once the account took the change; AccountRefusal when AWS would not."""
    if type_name not in TRACKED_TYPES:
        return None if planned is None else apply_change(type_name, block, planned, settings)
    if planned is None:
        old = record_of(type_name, prior, settings.account, settings.region) if prior is not None else None
        if old is not None:
            with store.change() as account:
                account.delete(old)
        return None
    with store.change() as account:
        new_state, record = _draw(account, type_name, block, planned, settings, creating=prior is None)
        if record is None:
            return new_state
        if prior is None:
            account.create(record, new_state)
        else:
            old = record_of(type_name, prior, settings.account, settings.region)
            account.update(account.find(type_name, old.id) if old else None, record, new_state)
    return new_state


def _draw(
    account: Account, type_name: str, block: Block, planned: dict[str, Any], settings: ProviderSettings, creating: bool
) -> tuple[dict[str, Any], Record | None]:
    generated = creating and planned.get("name") is UNKNOWN
    for draw in range(_NAME_DRAWS):
        new_state = apply_change(type_name, block, planned, settings, salt=f"|draw {draw}" if draw else "")
        if type_name == "aws_lb_listener_rule" and planned.get("priority") is UNKNOWN and isinstance(new_state.get("listener_arn"), str):
            new_state["priority"] = account.next_priority(new_state["listener_arn"])
        record = record_of(type_name, new_state, settings.account, settings.region)
        if record is None or not generated or not account.name_taken(record):
            break
    return new_state, record
