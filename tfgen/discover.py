"""`tfgen discover`: look up the account's default VPC and write it to ``tfgen.context.json``.

For ``network.vpc: default`` rendering needs the VPC and subnet IDs of one account and region.
They are looked up once, here, and kept beside the blueprint (like CDK's ``cdk.context.json``) so
that rendering stays offline and deterministic. One entry per account and region:

    {
      "vpc-provider:account=123456789012:region=eu-west-1": {
        "private_subnets": [],
        "public_subnets": [{"az": "eu-west-1a", "id": "subnet-..."}, ...],
        "vpc_cidr_block": "172.31.0.0/16",
        "vpc_id": "vpc-..."
      }
    }

Keys sorted, subnets sorted by zone then ID, two-space indent, trailing newline; entries of other
accounts and regions are kept. The format, its reader and its writer live in
`tfgen.blueprint.context`; rendering reads it through `LoadedBlueprint.network_for`.

A subnet is public when its route table (its explicit association, else the VPC's main route
table) has an active ``0.0.0.0/0`` route to an internet gateway; otherwise it is private.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfgen.aws import Aws, AwsError, Target, aws_errors
from tfgen.blueprint.context import context_path, read_context, save_default_vpc, vpc_entry, vpc_key
from tfgen.blueprint.loader import LoadedBlueprint


@dataclass
class DiscoverResult:
    path: Path | None
    key: str | None
    entry: dict[str, Any] | None
    changed: bool
    message: str

    def lines(self) -> list[str]:
        if self.entry is None:
            return [self.message]
        entry = self.entry
        lines = [f"default VPC {entry['vpc_id']} ({entry['vpc_cidr_block']})"]
        for kind in ("public_subnets", "private_subnets"):
            subnets = entry[kind]
            listed = ", ".join(f"{s['id']} ({s['az']})" for s in subnets) or "none"
            lines.append(f"  {kind.replace('_', ' ')}: {listed}")
        lines.append(self.message)
        return lines


def discover(loaded: LoadedBlueprint, environment: str, aws: Aws | None = None) -> DiscoverResult:
    target = Target.of(loaded, environment)
    vpc = target.blueprint.network.vpc
    if vpc != "default":
        kind = "an existing VPC (vpc.id)" if getattr(vpc, "id", None) else "a new VPC (vpc.cidr)"
        return DiscoverResult(None, None, None, False, f"nothing to discover: environment '{environment}' uses {kind}, not the default VPC")
    aws = aws or Aws()
    account = aws.require_account(target.account, environment, target.region)
    with aws_errors():
        entry = default_vpc(aws.client("ec2", target.region), account, target.region)
    path = context_path(loaded.path)
    key = vpc_key(account, target.region)
    changed = read_context(loaded.path).get(key) != entry
    if changed:
        save_default_vpc(loaded.path, account, target.region, entry)
    state = "written to" if changed else "unchanged in"
    return DiscoverResult(path, key, entry, changed, f"{key} {state} {path}")


def default_vpc(ec2: Any, account: str, region: str) -> dict[str, Any]:
    """The default VPC of one account/region, its subnets classified public/private."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    if not vpcs:
        raise AwsError(
            f"account {account} has no default VPC in {region}: create one (`aws ec2 create-default-vpc`) "
            "or set network.vpc to {id, public_subnets, private_subnets} or {cidr, azs, nat}"
        )
    vpc = vpcs[0]
    vpc_filter = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = [s for page in ec2.get_paginator("describe_subnets").paginate(Filters=vpc_filter) for s in page["Subnets"]]
    tables = [t for page in ec2.get_paginator("describe_route_tables").paginate(Filters=vpc_filter) for t in page["RouteTables"]]
    public, private = classify_subnets(subnets, tables)
    return vpc_entry(vpc["VpcId"], vpc["CidrBlock"], public, private)


def _routes_to_internet(table: dict[str, Any]) -> bool:
    for route in table.get("Routes", []):
        if route.get("State", "active") != "active":
            continue
        if route.get("DestinationCidrBlock") == "0.0.0.0/0" and str(route.get("GatewayId", "")).startswith("igw-"):
            return True
    return False


def classify_subnets(subnets: list[dict[str, Any]], tables: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Split subnets into (public, private), each sorted by zone then ID."""
    main_public = False
    explicit: dict[str, bool] = {}
    for table in tables:
        internet = _routes_to_internet(table)
        for association in table.get("Associations", []):
            if association.get("Main"):
                main_public = internet
            elif association.get("SubnetId"):
                explicit[association["SubnetId"]] = internet
    public: list[dict[str, str]] = []
    private: list[dict[str, str]] = []
    for subnet in subnets:
        item = {"az": subnet["AvailabilityZone"], "id": subnet["SubnetId"]}
        (public if explicit.get(subnet["SubnetId"], main_public) else private).append(item)
    order = lambda s: (s["az"], s["id"])  # noqa: E731
    return sorted(public, key=order), sorted(private, key=order)
