"""Deterministic, unknown-free results for data sources, offline.

The data sources a rendered ECS stack reads get realistic values (the account, the region, the
default VPC and subnets, the ECS-optimized AMI, a public hosted zone by name, the real JSON of an IAM policy document); any
other data source gets placeholders in its computed attributes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from tfgen.offline.planning import ProviderSettings
from tfgen.offline.values import Block, Placeholders, conform_block, fill_unknowns, mark_computed_unknown

Object = dict[str, Any]
ECS_AMI = "ami-0abcdef1234567890"
ECS_AMI_NAME = "al2023-ami-ecs-hvm-2023.0.20240101-kernel-6.1-x86_64"


def read_data_source(type_name: str, block: Block, config: Object | None, settings: ProviderSettings) -> Object:
    state = conform_block(block, config)
    placeholders = Placeholders.for_object(type_name, state, settings.region, settings.account)
    handler = _HANDLERS.get(type_name)
    if handler:
        attributes = block.get("attributes", {})
        normalized = _NORMALIZED.get(type_name, ())
        for name, value in handler(state, settings, placeholders).items():
            if name in attributes and (state.get(name) is None or name in normalized):
                state[name] = value
    return _fill_computed(block, state, placeholders)


# Arguments the API answers in its own form: the provider sets a zone's name as Route 53 has it
# (lowercase, no trailing dot), whatever the configuration wrote.
_NORMALIZED: dict[str, tuple[str, ...]] = {"aws_route53_zone": ("name",)}


def _fill_computed(block: Block, state: Object, placeholders: Placeholders) -> Object:
    return fill_unknowns(block, mark_computed_unknown(block, state), placeholders)


def _digest(*parts: Any, length: int = 17) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:length]


def _caller_identity(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    return {
        "id": settings.account,
        "account_id": settings.account,
        "arn": f"arn:aws:iam::{settings.account}:user/tfgen-offline",
        "user_id": "AIDAOFFLINE00000000000",
    }


def _region(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    region = state.get("region") or state.get("name") or settings.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": f"{region} (offline)",
    }


def _partition(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    return {"id": "aws", "partition": "aws", "dns_suffix": "amazonaws.com", "reverse_dns_prefix": "com.amazonaws"}


def _availability_zones(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    region = state.get("region") or settings.region
    short = "".join(word[0] for word in region.split("-")[:-1]) + region.split("-")[-1]
    return {
        "id": region,
        "names": [f"{region}{suffix}" for suffix in "abc"],
        "zone_ids": [f"{short}-az{n}" for n in (1, 2, 3)],
        "group_names": [region],
    }


def _ssm_parameter(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    name = state.get("name") or ""
    if name.endswith("/recommended"):
        value = json.dumps({"image_id": ECS_AMI, "image_name": ECS_AMI_NAME, "os": "Amazon Linux 2023"})
    elif "ami" in name or name.endswith("image_id"):
        value = ECS_AMI
    else:
        value = f"offline-{_digest(name, length=12)}"
    return {
        "id": name,
        "arn": f"arn:aws:ssm:{settings.region}:{settings.account}:parameter/{name.lstrip('/')}",
        "type": "String",
        "value": value,
        "insecure_value": value,
        "version": 1,
    }


def _vpc(state: Object, settings: ProviderSettings, placeholders: Placeholders) -> Object:
    vpc_id = state.get("id") or f"vpc-{_digest('vpc', state.get('filter'), state.get('tags'))}"
    return {
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{settings.region}:{settings.account}:vpc/{vpc_id}",
        "cidr_block": "172.31.0.0/16",
        "default": True,
        "enable_dns_hostnames": True,
        "enable_dns_support": True,
        "instance_tenancy": "default",
        "state": "available",
        "owner_id": settings.account,
        "main_route_table_id": f"rtb-{_digest('rtb', vpc_id)}",
        "dhcp_options_id": f"dopt-{_digest('dopt', vpc_id)}",
    }


def _subnets(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    seed = _digest(state.get("filter"), state.get("tags"), length=8)
    return {"id": settings.region, "ids": [f"subnet-{_digest('subnet', seed, n)}" for n in range(3)]}


def _subnet(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    subnet_id = state.get("id") or f"subnet-{_digest('subnet', state.get('filter'), state.get('tags'))}"
    index = int(_digest(subnet_id, length=4), 16) % 3
    return {
        "id": subnet_id,
        "arn": f"arn:aws:ec2:{settings.region}:{settings.account}:subnet/{subnet_id}",
        "vpc_id": f"vpc-{_digest('vpc', None, None)}",
        "cidr_block": f"172.31.{index * 16}.0/20",
        "availability_zone": f"{settings.region}{'abc'[index]}",
        "availability_zone_id": f"az{index + 1}",
        "state": "available",
        "owner_id": settings.account,
        "default_for_az": True,
        "map_public_ip_on_launch": True,
    }


def _ami(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    return {
        "id": ECS_AMI,
        "image_id": ECS_AMI,
        "arn": f"arn:aws:ec2:{settings.region}::image/{ECS_AMI}",
        "name": ECS_AMI_NAME,
        "architecture": "x86_64",
        "root_device_name": "/dev/xvda",
        "state": "available",
        "owner_id": "591542846629",
    }


def _ecs_cluster(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    name = state.get("cluster_name") or "cluster"
    arn = f"arn:aws:ecs:{settings.region}:{settings.account}:cluster/{name}"
    return {"id": arn, "arn": arn, "status": "ACTIVE"}


def _route53_zone(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    """A public hosted zone of the account, by name or id: the same id for the same name and account."""
    name = (state.get("name") or "").removesuffix(".").lower()
    zone_id = state.get("zone_id") or state.get("id") or "Z" + _digest("route53", settings.account, name, length=20).upper()
    if not name:
        name = f"zone-{zone_id.lower()}.example"
    return {
        "id": zone_id,
        "zone_id": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "caller_reference": f"tfgen-offline-{_digest(zone_id, length=8)}",
        "comment": "",
        "private_zone": False,
        "name_servers": [f"ns-{n}.awsdns-{n:02d}.{tld}" for n, tld in ((1, "com"), (2, "net"), (3, "org"), (4, "co.uk"))],
        "primary_name_server": "ns-1.awsdns-01.com",
        "resource_record_set_count": 2,
        "linked_service_principal": "",
        "linked_service_description": "",
        "tags": {},
    }


def _iam_policy_document(state: Object, settings: ProviderSettings, _: Placeholders) -> Object:
    document = policy_document(state)
    pretty = _go_json(json.dumps(document, indent=2))
    minified = _go_json(json.dumps(document, separators=(",", ":")))
    return {"id": str(int(_digest(minified, length=8), 16)), "json": pretty, "minified_json": minified}


# --- aws_iam_policy_document ------------------------------------------------------------------


def policy_document(config: Object) -> dict[str, Any]:
    """The IAM policy JSON the real provider renders from the data source's arguments."""
    statements: list[dict[str, Any]] = []
    for source in config.get("source_policy_documents") or []:
        _merge_statements(statements, json.loads(source).get("Statement", []))
    _merge_statements(statements, [_statement(s) for s in config.get("statement") or []])
    for override in config.get("override_policy_documents") or []:
        _merge_statements(statements, json.loads(override).get("Statement", []))
    document: dict[str, Any] = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        document["Id"] = config["policy_id"]
    document["Statement"] = statements
    return document


def _merge_statements(statements: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    for statement in new:
        sid = statement.get("Sid")
        index = next((i for i, s in enumerate(statements) if sid and s.get("Sid") == sid), None)
        if index is None:
            statements.append(statement)
        else:
            statements[index] = statement


def _statement(block: Object) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    if block.get("sid"):
        statement["Sid"] = block["sid"]
    statement["Effect"] = block.get("effect") or "Allow"
    for key, name in (("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"), ("NotResource", "not_resources")):
        if block.get(name):
            statement[key] = _one_or_many(block[name])
    for key, name in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
        if block.get(name):
            statement[key] = _principals(block[name])
    if block.get("condition"):
        statement["Condition"] = _conditions(block["condition"])
    return statement


def _one_or_many(values: list[str]) -> str | list[str]:
    ordered = sorted(set(values))
    return ordered[0] if len(ordered) == 1 else ordered


def _principals(blocks: list[Object]) -> str | dict[str, Any]:
    merged: dict[str, list[str]] = {}
    for block in blocks:
        merged.setdefault(block["type"], []).extend(block.get("identifiers") or [])
    if list(merged) == ["*"] and set(merged["*"]) == {"*"}:
        return "*"
    return {kind: _one_or_many(ids) for kind, ids in sorted(merged.items())}


def _conditions(blocks: list[Object]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for block in sorted(blocks, key=lambda b: (b["test"], b["variable"])):
        result.setdefault(block["test"], {})[block["variable"]] = _one_or_many(block.get("values") or [])
    return result


def _go_json(text: str) -> str:
    """Go's encoding/json escapes <, > and & in strings; so does the real provider's output."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_HANDLERS: dict[str, Callable[[Object, ProviderSettings, Placeholders], Object]] = {
    "aws_caller_identity": _caller_identity,
    "aws_region": _region,
    "aws_partition": _partition,
    "aws_availability_zones": _availability_zones,
    "aws_ssm_parameter": _ssm_parameter,
    "aws_vpc": _vpc,
    "aws_subnets": _subnets,
    "aws_subnet": _subnet,
    "aws_ami": _ami,
    "aws_ecs_cluster": _ecs_cluster,
    "aws_route53_zone": _route53_zone,
    "aws_iam_policy_document": _iam_policy_document,
}
