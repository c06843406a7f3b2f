"""`tfgen discover` against a real moto_server on loopback (through AWS_ENDPOINT_URL)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli

KEY = "vpc-provider:account=123456789012:region=eu-west-1"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ec2(region: str = "eu-west-1"):
    return boto3.client("ec2", region_name=region)


def default_vpc_id(region: str = "eu-west-1") -> str:
    return ec2(region).describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def like_a_real_default_vpc() -> dict:
    """moto's default VPC has no internet gateway; AWS's has one, routed from the main route table.
    Add it, plus two private subnets with their own route table (no route to the internet)."""
    client = ec2()
    vpc_id = default_vpc_id()
    default_subnets = client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    igw = client.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    client.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    main = client.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    client.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private_table = client.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    private = []
    for cidr, az in (("172.31.112.0/20", "eu-west-1b"), ("172.31.96.0/20", "eu-west-1a")):
        subnet = client.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]
        client.associate_route_table(RouteTableId=private_table, SubnetId=subnet["SubnetId"])
        private.append({"az": az, "id": subnet["SubnetId"]})
    public = [{"az": s["AvailabilityZone"], "id": s["SubnetId"]} for s in default_subnets]
    order = lambda s: (s["az"], s["id"])  # noqa: E731
    return {"vpc_id": vpc_id, "public": sorted(public, key=order), "private": sorted(private, key=order)}


def test_discover_writes_the_default_vpc_of_moto(aws_env, aws_blueprint):
    result = run("discover", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    path = aws_blueprint.parent / "tfgen.context.json"
    text = path.read_text()
    context = json.loads(text)
    assert list(context) == [KEY]
    entry = context[KEY]
    assert entry["vpc_id"] == default_vpc_id()
    assert entry["vpc_cidr_block"] == "172.31.0.0/16"
    # moto's default VPC has no internet gateway, so its subnets route nowhere: private.
    subnets = ec2().describe_subnets(Filters=[{"Name": "vpc-id", "Values": [entry["vpc_id"]]}])["Subnets"]
    assert entry["public_subnets"] == []
    assert entry["private_subnets"] == sorted(
        ({"az": s["AvailabilityZone"], "id": s["SubnetId"]} for s in subnets), key=lambda s: (s["az"], s["id"])
    )
    assert [s["az"] for s in entry["private_subnets"]] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert text == json.dumps(context, indent=2, sort_keys=True) + "\n"
    assert f"{KEY} written to {path}" in result.stdout


def test_discover_classifies_public_and_private_subnets(aws_env, aws_blueprint):
    expected = like_a_real_default_vpc()

    result = run("discover", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    entry = json.loads((aws_blueprint.parent / "tfgen.context.json").read_text())[KEY]
    assert entry == {
        "vpc_id": expected["vpc_id"],
        "vpc_cidr_block": "172.31.0.0/16",
        "public_subnets": expected["public"],
        "private_subnets": expected["private"],
    }
    assert "public subnets: " + ", ".join(f"{s['id']} ({s['az']})" for s in expected["public"]) in result.stdout


def test_discover_keeps_other_entries_and_is_stable(aws_env, aws_blueprint):
    path = aws_blueprint.parent / "tfgen.context.json"
    other = {"vpc-provider:account=999999999999:region=us-east-1": {
        "vpc_id": "vpc-0123", "vpc_cidr_block": "10.0.0.0/16", "public_subnets": [], "private_subnets": []}}
    path.write_text(json.dumps(other))

    first = run("discover", str(aws_blueprint), "-e", "dev")
    text = path.read_text()
    second = run("discover", str(aws_blueprint), "-e", "dev")

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    context = json.loads(text)
    assert list(context) == [KEY, "vpc-provider:account=999999999999:region=us-east-1"]
    assert context["vpc-provider:account=999999999999:region=us-east-1"] == other["vpc-provider:account=999999999999:region=us-east-1"]
    assert path.read_text() == text
    assert f"{KEY} unchanged in {path}" in second.stdout


def test_discover_uses_the_environment_region(aws_env, aws_blueprint):
    result = run("discover", str(aws_blueprint), "-e", "stage")

    assert result.exit_code == 0, result.output
    context = json.loads((aws_blueprint.parent / "tfgen.context.json").read_text())
    assert context["vpc-provider:account=123456789012:region=eu-central-1"]["vpc_id"] == default_vpc_id("eu-central-1")


def test_discover_without_a_default_vpc_names_account_and_region(aws_env, aws_blueprint):
    client = ec2()
    vpc_id = default_vpc_id()
    for subnet in client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
        client.delete_subnet(SubnetId=subnet["SubnetId"])
    client.delete_vpc(VpcId=vpc_id)

    result = run("discover", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: account 123456789012 has no default VPC in eu-west-1")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (aws_blueprint.parent / "tfgen.context.json").exists()


def test_discover_refuses_credentials_of_another_account(aws_env, aws_blueprint):
    result = run("discover", str(aws_blueprint), "-e", "prod")

    assert result.exit_code == 1
    assert "credentials are for account 123456789012, environment 'prod' is account 210987654321" in result.stderr
    assert not (aws_blueprint.parent / "tfgen.context.json").exists()


def test_discover_has_nothing_to_do_without_the_default_vpc(aws_env, aws_blueprint):
    text = aws_blueprint.read_text().replace("  vpc: default", "  vpc: {cidr: 10.0.0.0/16}")
    aws_blueprint.write_text(text)

    result = run("discover", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    assert "nothing to discover" in result.stdout
    assert not (aws_blueprint.parent / "tfgen.context.json").exists()


def test_network_for_uses_the_discovered_subnets(aws_env, aws_blueprint):
    expected = like_a_real_default_vpc()
    assert run("discover", str(aws_blueprint), "-e", "dev").exit_code == 0

    network = load_blueprint(aws_blueprint).network_for("dev")

    assert network.kind == "default"
    assert network.vpc_id == expected["vpc_id"]
    assert list(network.public_subnet_ids) == [s["id"] for s in expected["public"]]
    assert list(network.private_subnet_ids) == [s["id"] for s in expected["private"]]


def test_render_after_discover_uses_the_subnet_ids(aws_env, aws_blueprint, tmp_path: Path):
    """End to end: discover, then `tfgen render` offline; the rendered code names the discovered VPC
    and subnets, and the tasks go to the private ones."""
    text = aws_blueprint.read_text()
    aws_blueprint.write_text(text[: text.index("  stage:")])  # render needs every environment discovered: dev only
    expected = like_a_real_default_vpc()
    assert run("discover", str(aws_blueprint), "-e", "dev").exit_code == 0
    out = tmp_path / "rendered"

    result = run("render", str(aws_blueprint), "-o", str(out))

    assert result.exit_code == 0, result.output
    rendered = "\n".join(p.read_text() for p in sorted(out.rglob("*")) if p.is_file() and p.suffix in (".tf", ".json", ".tfvars"))
    assert expected["vpc_id"] in rendered
    for subnet in expected["public"] + expected["private"]:
        assert subnet["id"] in rendered
    network = json.loads((out / "env" / "dev.tfvars.json").read_text())["network"]
    assert network["vpc_id"] == expected["vpc_id"]
    assert network["public_subnet_ids"] == [s["id"] for s in expected["public"]]
    assert network["private_subnet_ids"] == network["task_subnet_ids"] == [s["id"] for s in expected["private"]]
    assert network["assign_public_ip"] is False
