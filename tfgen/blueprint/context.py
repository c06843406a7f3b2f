"""tfgen.context.json: facts about AWS accounts that a blueprint refers to but does not spell out.

`network.vpc: default` means "the default VPC of the environment's account and region". Rendering
needs its id and subnets; `tfgen discover BLUEPRINT -e ENV` looks them up (boto3) and records them
in `tfgen.context.json` next to the blueprint, so that render, plan and the tests stay offline and
deterministic. The file is meant to be committed.

Format (JSON object, keys sorted, 2-space indent, trailing newline)::

    {
      "vpc-provider:account=111111111111:region=eu-west-1": {
        "vpc_id": "vpc-0abc",
        "vpc_cidr_block": "172.31.0.0/16",
        "public_subnets": [{"id": "subnet-1", "az": "eu-west-1a"}, ...],
        "private_subnets": [{"id": "subnet-3", "az": "eu-west-1a"}, ...]
      }
    }

Subnet lists are sorted by (az, id). Keys this module does not know are kept when it writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

from tfgen.files import PUBLIC, MiB, read_input, write_file
from tfgen.readback import decode_json, refusal, validate

CONTEXT_FILE = "tfgen.context.json"
CONTEXT_LIMIT = 4 * MiB


@dataclass(frozen=True)
class DefaultVpc:
    """The default VPC of one account and region, as `tfgen discover` found it."""

    vpc_id: str
    vpc_cidr_block: str
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]


def context_path(blueprint_path: Path | str) -> Path:
    """tfgen.context.json in the blueprint's directory."""
    return Path(blueprint_path).resolve().parent / CONTEXT_FILE


def vpc_key(account: str, region: str) -> str:
    return f"vpc-provider:account={account}:region={region}"


class _Subnet(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: Annotated[str, StringConstraints(min_length=1)]
    az: Annotated[str, StringConstraints(min_length=1)]


class _VpcEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    vpc_id: Annotated[str, StringConstraints(min_length=1)]
    vpc_cidr_block: Annotated[str, StringConstraints(min_length=1)]
    public_subnets: list[_Subnet] = Field(default_factory=list)
    private_subnets: list[_Subnet] = Field(default_factory=list)


_WHAT = "the context file"
_FIX = "delete it and run `tfgen discover` again"


def read_context(blueprint_path: Path | str) -> dict[str, Any]:
    """The whole context file ({} when there is none); InputError when it is not a JSON object."""
    path = context_path(blueprint_path)
    if not path.exists() and not path.is_symlink():
        return {}
    data = decode_json(path, read_input(path, _WHAT, CONTEXT_LIMIT), _WHAT, _FIX)
    if not isinstance(data, dict):
        raise refusal(path, "", "the context file must hold a JSON object", _FIX)
    return data


def default_vpc(blueprint_path: Path | str, account: str, region: str) -> DefaultVpc | None:
    """The recorded default VPC of `account` in `region`, or None when `tfgen discover` has not recorded it."""
    key = vpc_key(account, region)
    entry = read_context(blueprint_path).get(key)
    if entry is None:
        return None
    found = validate(context_path(blueprint_path), {key: entry}, _Context, _WHAT, "run `tfgen discover` again").root[key]
    return DefaultVpc(
        vpc_id=found.vpc_id,
        vpc_cidr_block=found.vpc_cidr_block,
        public_subnet_ids=tuple(subnet.id for subnet in found.public_subnets),
        private_subnet_ids=tuple(subnet.id for subnet in found.private_subnets),
    )


class _Context(RootModel[dict[str, _VpcEntry]]):
    pass


def vpc_entry(vpc_id: str, vpc_cidr_block: str, public_subnets: list[dict[str, str]], private_subnets: list[dict[str, str]]) -> dict[str, Any]:
    """A context entry in the file's format (subnets: [{"id": ..., "az": ...}], sorted by az then id)."""

    def ordered(subnets: list[dict[str, str]]) -> list[dict[str, str]]:
        return sorted(({"az": s["az"], "id": s["id"]} for s in subnets), key=lambda s: (s["az"], s["id"]))

    return {"private_subnets": ordered(private_subnets), "public_subnets": ordered(public_subnets), "vpc_cidr_block": vpc_cidr_block, "vpc_id": vpc_id}


def save_default_vpc(blueprint_path: Path | str, account: str, region: str, entry: dict[str, Any]) -> Path:
    """Record `entry` (see `vpc_entry`) for account/region, keeping the file's other entries.
    Written atomically, keys sorted. Returns the file's path."""
    path = context_path(blueprint_path)
    data = read_context(blueprint_path)
    data[vpc_key(account, region)] = entry
    write_file(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=PUBLIC)
    return path
