"""cty values as Python values: msgpack/JSON decoding and encoding, schema walks, placeholders.

Values are plain Python (None for null, lists for lists/sets/tuples, dicts for maps/objects)
plus the ``UNKNOWN`` sentinel. Blocks are walked with their JSON schema
(``{"attributes": {...}, "block_types": {...}}``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgpack

from tfgen.offline import ACCOUNT_ID, DEFAULT_REGION

Block = dict[str, Any]
CtyType = Any  # cty type JSON: "string", ["list", "string"], ["object", {...}], ...


class _Unknown:
    """A value Terraform will only know after apply."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
# cty encodes an unknown as extension 0 (fixext1); refined unknowns use extension 12.
_UNKNOWN_EXT_CODES = (0, 12)


def _ext_hook(code: int, data: bytes) -> Any:
    if code in _UNKNOWN_EXT_CODES:
        return UNKNOWN
    return msgpack.ExtType(code, data)


def _default(obj: Any) -> Any:
    if obj is UNKNOWN:
        return msgpack.ExtType(0, b"\x00")
    raise TypeError(f"cannot encode {obj!r}")


def unpack(data: bytes) -> Any:
    if not data:
        return None
    return msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, strict_map_key=False)


def pack(value: Any) -> bytes:
    return msgpack.packb(value, default=_default, use_bin_type=True)


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


# --- conforming values to a schema (state JSON from older versions, data source results) -----


def conform_block(block: Block, value: Any) -> dict[str, Any]:
    """An object with exactly the block's attributes and nested blocks (missing ones null/empty)."""
    value = value if isinstance(value, dict) else {}
    result: dict[str, Any] = {}
    for name, spec in block.get("attributes", {}).items():
        result[name] = conform_type(spec["type"], value.get(name))
    for name, spec in block.get("block_types", {}).items():
        result[name] = _conform_nested(spec, value.get(name))
    return result


def _conform_nested(spec: dict[str, Any], value: Any) -> Any:
    inner = spec.get("block", {})
    if spec.get("nesting_mode") == "single":
        return conform_block(inner, value) if isinstance(value, dict) else None
    if isinstance(value, dict) and spec.get("nesting_mode") == "map":
        return {k: conform_block(inner, v) for k, v in value.items()}
    return [conform_block(inner, item) for item in value or []]


def conform_type(cty: CtyType, value: Any) -> Any:
    if value is None or value is UNKNOWN:
        return value
    if isinstance(cty, list):
        kind = cty[0]
        if kind in ("list", "set"):
            return [conform_type(cty[1], v) for v in value]
        if kind == "map":
            return {k: conform_type(cty[1], v) for k, v in value.items()}
        if kind == "object":
            return {k: conform_type(t, value.get(k)) for k, t in cty[1].items()}
        if kind == "tuple":
            return [conform_type(t, v) for t, v in zip(cty[1], value, strict=False)]
    if cty == "number" and isinstance(value, str):
        return float(value) if "." in value else int(value)
    return value


# --- walking a block: computed attributes -----------------------------------------------------


def mark_computed_unknown(block: Block, value: dict[str, Any]) -> dict[str, Any]:
    """Null computed attributes become unknown, in this object and in its nested blocks."""
    result = dict(value)
    for name, spec in block.get("attributes", {}).items():
        if spec.get("computed") and result.get(name) is None:
            result[name] = UNKNOWN
    for name, spec in block.get("block_types", {}).items():
        result[name] = map_nested(spec, result.get(name), lambda inner, item: mark_computed_unknown(inner, item))
    return result


def map_nested(spec: dict[str, Any], value: Any, func: Callable[[Block, dict[str, Any]], dict[str, Any]]) -> Any:
    """Apply ``func(block, object)`` to every object of a nested block value (any nesting mode)."""
    inner = spec.get("block", {})
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, dict) and spec.get("nesting_mode") == "single":
        return func(inner, value)
    if isinstance(value, dict):
        return {k: func(inner, v) if isinstance(v, dict) else v for k, v in value.items()}
    return [func(inner, item) if isinstance(item, dict) else item for item in value]


# --- placeholders --------------------------------------------------------------------------------

_ID_PREFIXES = {
    "aws_security_group": "sg",
    "aws_vpc": "vpc",
    "aws_subnet": "subnet",
    "aws_internet_gateway": "igw",
    "aws_nat_gateway": "nat",
    "aws_route_table": "rtb",
    "aws_route_table_association": "rtbassoc",
    "aws_eip": "eipalloc",
    "aws_launch_template": "lt",
    "aws_instance": "i",
    "aws_network_interface": "eni",
    "aws_vpc_endpoint": "vpce",
    "aws_vpc_security_group_ingress_rule": "sgr",
    "aws_vpc_security_group_egress_rule": "sgr",
    "aws_security_group_rule": "sgrule",
    "aws_ami": "ami",
}
_SERVICES = {
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "cloudwatch": "logs",
    "appautoscaling": "application-autoscaling",
    "security": "ec2",
    "vpc": "ec2",
    "subnet": "ec2",
    "route": "ec2",
    "route_table": "ec2",
    "internet": "ec2",
    "nat": "ec2",
    "eip": "ec2",
    "launch": "ec2",
    "instance": "ec2",
    "default": "ec2",
    "scheduler": "scheduler",
    "service": "servicediscovery",
}
_GLOBAL_SERVICES = {"iam", "s3", "cloudfront", "route53"}
# Resources whose AWS id is their ARN (ECS, ELB, SNS, ...) rather than their name.
_ID_IS_ARN = {"ecs", "elasticloadbalancing", "sns", "application-autoscaling", "servicediscovery"}


# ARNs whose format is not `arn:aws:<service>:<region>:<account>:<type>/<name>` (AWS's ARN format of
# each service; tfgen's modules spell some of them out, so the stand-in must agree with AWS).
_ARN_FORMATS = {
    "aws_cloudwatch_log_group": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws_cloudwatch_event_rule": "arn:aws:events:{region}:{account}:rule/{name}",
    "aws_cloudwatch_metric_alarm": "arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
    "aws_sfn_state_machine": "arn:aws:states:{region}:{account}:stateMachine:{name}",
    "aws_ecs_task_definition": "arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
    "aws_scheduler_schedule": "arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}",
    "aws_lb": "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{hex}",
    "aws_lb_target_group": "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{hex}",
}


@dataclass
class Placeholders:
    """Deterministic AWS-shaped values for one object, seeded by its type and known values."""

    type_name: str
    seed: str
    region: str = DEFAULT_REGION
    account: str = ACCOUNT_ID
    known: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_object(cls, type_name: str, value: dict[str, Any], region: str, account: str, salt: str = "") -> Placeholders:
        """``salt`` draws other values for the same known values (a generated name already taken)."""
        known = {k: v for k, v in value.items() if v is not None and not contains_unknown(v)}
        seed = json.dumps([type_name, known], sort_keys=True, default=str) + salt
        known_region = known.get("region")
        if isinstance(known_region, str):
            region = known_region
        return cls(type_name, seed, region, account, known)

    def hex(self, salt: str, length: int = 17) -> str:
        return hashlib.sha256(f"{self.seed}|{salt}".encode()).hexdigest()[:length]

    @property
    def service(self) -> str:
        parts = self.type_name.removeprefix("aws_").split("_")
        return _SERVICES.get(parts[0], parts[0])

    @property
    def short_type(self) -> str:
        parts = self.type_name.removeprefix("aws_").split("_", 1)
        return parts[1] if len(parts) > 1 and parts[0] not in _SERVICES else "_".join(parts)

    @property
    def name(self) -> str:
        for key in ("name", "family", "function_name", "bucket", "cluster_name"):
            if isinstance(self.known.get(key), str):
                return self.known[key]
        prefix = self.known.get("name_prefix")
        return f"{prefix}{self.hex('name', 26)}" if isinstance(prefix, str) else f"tf-{self.hex('name', 12)}"

    def arn(self, attribute: str = "arn") -> str:
        if attribute == "arn" and self.type_name in _ARN_FORMATS:
            group = self.known.get("group_name") if isinstance(self.known.get("group_name"), str) else "default"
            return _ARN_FORMATS[self.type_name].format(region=self.region, account=self.account, name=self.name, group=group, hex=self.hex("arn", 16))
        region = "" if self.service in _GLOBAL_SERVICES else self.region
        account = "" if self.service == "s3" else self.account
        kind = self.short_type.replace("_", "-")
        suffix = "" if attribute == "arn" else f"/{attribute.removesuffix('_arn')}"
        if self.service in ("sqs", "sns", "s3"):
            return f"arn:aws:{self.service}:{region}:{account}:{self.name}{suffix}"
        return f"arn:aws:{self.service}:{region}:{account}:{kind}/{self.name}{suffix}"

    def resource_id(self) -> str:
        if self.type_name in _ID_PREFIXES:
            return f"{_ID_PREFIXES[self.type_name]}-{self.hex('id')}"
        if self.type_name == "aws_sqs_queue":
            return self.url("url")
        if self.service in _ID_IS_ARN:
            return self.arn()
        if any(k in self.known for k in ("name", "family", "name_prefix", "bucket")):
            return self.name
        return self.hex("id", 20)

    def url(self, attribute: str) -> str:
        if self.service == "sqs":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.name}"
        return f"https://{self.hex(attribute, 12)}.{self.service}.{self.region}.amazonaws.com"

    def string(self, attribute: str) -> str:
        if attribute == "id":
            return self.resource_id()
        if attribute == "arn" or attribute.endswith("_arn"):
            return self.arn(attribute)
        if attribute == "arn_without_revision":
            return self.arn().rsplit(":", 1)[0]
        if attribute == "dns_name":
            return f"{self.name[:20]}-{int(self.hex('dns', 9), 16)}.{self.region}.elb.amazonaws.com"
        if attribute == "url" or attribute.endswith("_url") or attribute == "endpoint":
            return self.url(attribute)
        if attribute == "region":
            return self.region
        if attribute in ("owner_id", "account_id", "registry_id", "owner"):
            return self.account
        if attribute == "name":
            return self.name
        if attribute == "arn_suffix":
            return f"{self.short_type}/{self.name}/{self.hex('suffix', 16)}"
        if attribute == "zone_id":
            return "Z" + self.hex("zone", 13).upper()
        if attribute.endswith("_id") or attribute == "unique_id":
            return f"{attribute.removesuffix('_id').replace('_', '')[:8]}-{self.hex(attribute)}"
        return ""

    def value(self, cty: CtyType, attribute: str) -> Any:
        """A placeholder of type ``cty`` for ``attribute``."""
        if cty == "string":
            return self.string(attribute)
        if cty == "number":
            return 1 if attribute in ("revision", "version") else 0
        if cty == "bool":
            return False
        if isinstance(cty, list):
            kind = cty[0]
            if kind in ("list", "set"):
                return []
            if kind == "tuple":
                return [self.value(t, attribute) for t in cty[1]]
            if kind == "map":
                return {}
            if kind == "object":
                return {k: self.value(t, k) for k, t in cty[1].items()}
        return None

    def fill(self, cty: CtyType, attribute: str, value: Any) -> Any:
        """``value`` with every unknown inside replaced by a placeholder."""
        if value is UNKNOWN:
            return self.value(cty, attribute)
        if value is None or not isinstance(cty, list):
            return value
        kind = cty[0]
        if kind in ("list", "set"):
            return [self.fill(cty[1], attribute, v) for v in value]
        if kind == "map":
            return {k: self.fill(cty[1], attribute, v) for k, v in value.items()}
        if kind == "object":
            return {k: self.fill(t, k, value.get(k)) for k, t in cty[1].items()}
        if kind == "tuple":
            return [self.fill(t, attribute, v) for t, v in zip(cty[1], value, strict=False)]
        return value


# Computed attributes the real provider leaves empty unless the configuration makes them apply: a
# route reports instance_id/network_interface_id only when it targets an instance or ENI (the
# provider sets them from the API's route, where a gateway or NAT route has none). An invented
# value would make checks judge a route that does not exist (CKV2_AWS_35 reads instance_id).
EMPTY_UNLESS_SET: dict[str, frozenset[str]] = {
    "aws_route": frozenset({"instance_id", "instance_owner_id", "network_interface_id"}),
}


def fill_unknowns(block: Block, value: dict[str, Any], placeholders: Placeholders) -> dict[str, Any]:
    """Every unknown in an object (and its nested blocks) replaced by a placeholder."""
    result = dict(value)
    attributes = block.get("attributes", {})
    empty = EMPTY_UNLESS_SET.get(placeholders.type_name, frozenset())
    # `name` first: other placeholders (arn, id, url) are built from it.
    for name in sorted(attributes, key=lambda n: (n != "name", n)):
        if name in empty and result.get(name) is UNKNOWN:
            result[name] = "" if attributes[name]["type"] == "string" else None
            continue
        result[name] = placeholders.fill(attributes[name]["type"], name, result.get(name))
        if name == "name" and isinstance(result[name], str):
            placeholders.known["name"] = result[name]
    for name, spec in block.get("block_types", {}).items():
        nested = result.get(name)
        result[name] = [] if nested is UNKNOWN and spec.get("nesting_mode") != "single" else map_nested(
            spec, None if nested is UNKNOWN else nested, lambda inner, item: fill_unknowns(inner, item, placeholders)
        )
    return result
