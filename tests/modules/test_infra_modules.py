"""The infrastructure modules (vpc, ecs-cluster, ec2-capacity, alb, ecr-repository), each alone:
conventions (files, descriptions, versions), every argument checked against the real provider
schema, `terraform fmt -check`, and `terraform init -backend=false` + `validate` through the
offline provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import hcl2
import pytest

from tfgen.offline.schema import load_provider_schemas

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODULES = PROJECT_ROOT / "modules"
INFRA_MODULES = ["vpc", "ecs-cluster", "ec2-capacity", "alb", "ecr-repository", "efs-mount-targets"]
META_ARGUMENTS = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}


@lru_cache(maxsize=1)
def provider_schema(path: str) -> dict:
    return load_provider_schemas(path)


def _unquote(text: str) -> str:
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def _normalize(value):
    """python-hcl2 keeps string quotes in keys and literal values; drop them."""
    if isinstance(value, dict):
        return {_unquote(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, str):
        return _unquote(value)
    return value


def load_hcl(path: Path) -> dict:
    with path.open() as handle:
        return _normalize(hcl2.load(handle))


def _is_block_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get("__is_block__") for v in value)


def schema_problems(where: str, body: dict, block: dict) -> list[str]:
    """Arguments and nested blocks of `body` that the provider schema does not accept, and
    required ones that are missing."""
    problems: list[str] = []
    attributes = block.get("attributes", {})
    block_types = block.get("block_types", {})
    seen_blocks: set[str] = set()
    for key, value in body.items():
        if key in ("__is_block__", "__comments__", "__inline_comments__") or key in META_ARGUMENTS:
            continue  # python-hcl2's markers and the comments it keeps, not arguments
        if key == "dynamic":
            for dynamic in value:
                for name, spec in dynamic.items():
                    name = _unquote(name)
                    seen_blocks.add(name)
                    if name not in block_types:
                        problems.append(f"{where}: unknown dynamic block '{name}'")
                        continue
                    for content in spec.get("content", []):
                        problems += schema_problems(f"{where}.{name}", content, block_types[name]["block"])
            continue
        if _is_block_list(value) and key in block_types:
            seen_blocks.add(key)
            for item in value:
                problems += schema_problems(f"{where}.{key}", item, block_types[key]["block"])
            continue
        if key not in attributes:
            problems.append(f"{where}: unknown argument '{key}'")
        elif not (attributes[key].get("optional") or attributes[key].get("required")):
            problems.append(f"{where}: '{key}' is computed only")
        elif attributes[key].get("deprecated"):
            problems.append(f"{where}: '{key}' is deprecated")
    for name, spec in attributes.items():
        if spec.get("required") and name not in body:
            problems.append(f"{where}: required argument '{name}' is missing")
    for name, spec in block_types.items():
        if (spec.get("min_items") or 0) > 0 and name not in seen_blocks:
            problems.append(f"{where}: required block '{name}' is missing")
    return problems


def module_schema_problems(directory: Path, schema: dict) -> list[str]:
    problems: list[str] = []
    for tf_file in sorted(directory.glob("*.tf")):
        document = load_hcl(tf_file)
        for kind, schemas in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            for entry in document.get(kind, []):
                for type_name, instances in entry.items():
                    type_name = _unquote(type_name)
                    if type_name not in schema[schemas]:
                        problems.append(f"{tf_file.name}: unknown {kind} type {type_name}")
                        continue
                    for name, body in instances.items():
                        where = f"{tf_file.name}: {type_name}.{_unquote(name)}"
                        problems += schema_problems(where, body, schema[schemas][type_name]["block"])
    return problems


def terraform_executable() -> str | None:
    return os.environ.get("TFGEN_TERRAFORM") or shutil.which("terraform") or shutil.which("tofu")


@pytest.mark.parametrize("module", INFRA_MODULES)
def test_module_files_and_conventions(module: str):
    directory = MODULES / module
    for name in ("versions.tf", "variables.tf", "main.tf", "outputs.tf"):
        assert (directory / name).is_file(), f"{module}/{name} is missing"
    versions = load_hcl(directory / "versions.tf")["terraform"][0]
    assert versions["required_version"] == ">= 1.6"
    aws = versions["required_providers"][0]["aws"]
    assert aws == {"source": "hashicorp/aws", "version": ">= 6.0"}
    for variable in load_hcl(directory / "variables.tf").get("variable", []):
        for name, body in variable.items():
            assert body.get("description"), f"{module}: variable {name} has no description"
            assert "type" in body, f"{module}: variable {name} has no type"
    for output in load_hcl(directory / "outputs.tf").get("output", []):
        for name, body in output.items():
            assert body.get("description"), f"{module}: output {name} has no description"


@pytest.mark.parametrize("module", INFRA_MODULES)
def test_module_arguments_exist_in_provider_schema(module: str, aws_schema_path: Path):
    assert module_schema_problems(MODULES / module, provider_schema(str(aws_schema_path))) == []


def test_schema_checker_catches_mistakes(aws_schema_path: Path):
    schema = provider_schema(str(aws_schema_path))["resource_schemas"]["aws_lb"]["block"]
    body = {"name": "x", "drop_invalid_headers": True, "access_logs": [{"bucket": "b", "enabled": True, "__is_block__": True}]}
    assert schema_problems("aws_lb.this", body, schema) == ["aws_lb.this: unknown argument 'drop_invalid_headers'"]


@pytest.mark.parametrize("module", INFRA_MODULES)
def test_module_fmt_clean(module: str):
    terraform = terraform_executable()
    if terraform is None:
        pytest.skip("no terraform executable")
    result = subprocess.run([terraform, "fmt", "-check", "-recursive", "-no-color", str(MODULES / module)], capture_output=True, text=True)
    assert result.returncode == 0, f"not fmt clean: {result.stdout}{result.stderr}"


def test_secure_defaults_in_module_source():
    """The promises are in the modules themselves (plan-level assertions live in test_examples)."""
    alb = load_hcl(MODULES / "alb" / "main.tf")
    resources = {(t, n): body for entry in alb["resource"] for t, inst in entry.items() for n, body in inst.items()}
    lb = resources[("aws_lb", "this")]
    assert lb["drop_invalid_header_fields"] is True
    assert lb["enable_deletion_protection"] == "${var.deletion_protection}"
    alb_variables = {n: b for v in load_hcl(MODULES / "alb" / "variables.tf")["variable"] for n, b in v.items()}
    assert alb_variables["ssl_policy"]["default"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    ecr = load_hcl(MODULES / "ecr-repository" / "main.tf")
    repo = ecr["resource"][0]["aws_ecr_repository"]["this"]
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert repo["image_scanning_configuration"][0]["scan_on_push"] is True


@pytest.fixture(scope="module")
def terraform_class():
    module = pytest.importorskip("tfgen.terraform", reason="tfgen.terraform (the runner) is not there yet")
    return module.Terraform


@pytest.mark.slow
@pytest.mark.parametrize("module", INFRA_MODULES)
def test_module_validates_alone(module: str, terraform_class, tmp_path: Path):
    """The module directory itself (with the modules beside it that it calls, e.g. ../iam-role):
    offline, Terraform runs in ``<data_dir>/offline-root``, a sibling of the modules here."""
    tree = tmp_path / "modules"
    shutil.copytree(MODULES, tree, ignore=shutil.ignore_patterns(".terraform*", ".tfgen"))
    root = tree / module
    terraform = terraform_class(root, tree, offline=True)
    terraform.init()
    terraform.validate()


ALB_ROOT = """
provider "aws" {
  region = "eu-west-1"
}

module "alb" {
  source     = "./modules/alb"
  name       = "vote-dev"
  vpc_id     = "vpc-0abc1234"
  subnet_ids = ["subnet-0aaa", "subnet-0bbb"]
  dns        = { zone = "example.com", names = %s }
}
"""


@pytest.mark.slow
def test_alb_alias_records_in_the_zone_it_looks_up(terraform_class, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(MODULES, root / "modules", ignore=shutil.ignore_patterns(".terraform*", ".tfgen"))
    (root / "main.tf").write_text(ALB_ROOT % '["vote.example.com", "example.com"]')
    terraform = terraform_class(root, tmp_path / "data", offline=True)
    terraform.init()
    plan = tmp_path / "plan.tfplan"
    terraform.plan(plan, on_event=lambda event: None)
    terraform.apply(plan, on_event=lambda event: None)
    state = json.loads(terraform.run(["show", "-json", "-no-color"], capture=True).stdout)
    resources = {r["address"]: r["values"] for r in state["values"]["root_module"]["child_modules"][0]["resources"]}
    zone, lb = resources["module.alb.data.aws_route53_zone.this[0]"], resources["module.alb.aws_lb.this"]
    assert (zone["name"], zone["private_zone"]) == ("example.com", False)
    for name in ("vote.example.com", "example.com"):
        record = resources[f'module.alb.aws_route53_record.alias["{name}"]']
        assert (record["name"], record["type"], record["zone_id"]) == (name, "A", zone["zone_id"])
        assert record["alias"] == [{"name": lb["dns_name"], "zone_id": lb["zone_id"], "evaluate_target_health": True}]
    records = sorted(r for r in resources if "route53_record" in r)
    assert records == ['module.alb.aws_route53_record.alias["example.com"]', 'module.alb.aws_route53_record.alias["vote.example.com"]']


@pytest.mark.slow
def test_alb_refuses_a_record_name_outside_its_zone(terraform_class, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(MODULES, root / "modules", ignore=shutil.ignore_patterns(".terraform*", ".tfgen"))
    (root / "main.tf").write_text(ALB_ROOT % '["vote.example.org"]')
    terraform = terraform_class(root, tmp_path / "data", offline=True)
    terraform.init()
    with pytest.raises(pytest.importorskip("tfgen.terraform").TerraformError) as caught:
        terraform.plan(tmp_path / "plan.tfplan", on_event=lambda event: None)
    assert "Every record name is the zone's name or ends with .<zone>." in str(caught.value)


def test_every_module_directory_is_tested_here_or_with_the_service_modules():
    from tfgen.services import SERVICE_MODULES, SERVICE_TYPES

    tested = set(INFRA_MODULES) | set(SERVICE_MODULES) | {descriptor.module for descriptor in SERVICE_TYPES.values()}
    assert sorted(p.name for p in MODULES.iterdir() if (p / "main.tf").is_file()) == sorted(tested)
