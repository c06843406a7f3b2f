"""Rendering: naming, priorities, per-environment values, determinism, one root module for every
environment, the manifest (edited files refused, --force, --check) and the CLI's exit codes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest
import yaml
from click.testing import CliRunner

from tfgen.blueprint import model as m
from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.errors import InputError
from tfgen.naming import short_name, snake
from tfgen.render import MANIFEST, render, render_files
from tfgen.services.web import FIRST_DERIVED_PRIORITY, derived_priority, listener_priorities

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT_ROOT / "blueprints"
ROOT_FILES = ("versions.tf", "providers.tf", "variables.tf", "main.tf", "outputs.tf")


def write_blueprint(directory: Path, document: dict, name: str = "app.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def vote_document() -> dict:
    return yaml.safe_load((EXAMPLES / "vote.yaml").read_text())


@pytest.fixture
def vote(tmp_path: Path) -> Path:
    return write_blueprint(tmp_path, vote_document(), "vote.yaml")


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# --- naming -------------------------------------------------------------------------------------


def test_short_name_keeps_names_that_fit():
    assert short_name("vote-prod-api") == "vote-prod-api"
    assert short_name("a" * 32) == "a" * 32


def test_short_name_is_short_stable_and_distinct():
    long_a = "payments-platform-staging-checkout-frontend"
    long_b = "payments-platform-staging-checkout-frontend-v2"
    short_a, short_b = short_name(long_a), short_name(long_b)
    assert len(short_a) <= 32 and len(short_b) <= 32
    assert short_a == short_name(long_a)
    assert short_a != short_b
    digest = hashlib.sha256(long_a.encode()).hexdigest()[:6]
    assert short_a == f"{long_a[:25]}-{digest}"
    for name in (short_a, short_b):
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", name), name


def test_short_name_never_leaves_a_double_hyphen():
    name = "abcdefghijklmnopqrstuvwx-" + "z" * 20  # cut falls right after the hyphen
    assert "--" not in short_name(name)
    assert len(short_name(name)) <= 32


def test_snake():
    assert snake("vote-api") == "vote_api"
    assert snake("results") == "results"


# --- listener rule priorities -------------------------------------------------------------------


def web(path: str = "/*", alias: str | None = None, priority: int | None = None) -> m.WebService:
    return m.WebService(type="web-service", image="nginx", http=m.Http(path=path, alias=alias, priority=priority))


def test_priorities_by_specificity():
    services = {
        "catchall": web("/*"),
        "api": web("/api/*"),
        "api-v2": web("/api/v2/*"),
        "api-x": web("/api/*/x"),
        "exact": web("/api"),
        "api-star": web("/api*"),
        "host": web("/*", alias="x.example.com"),
    }
    priorities = listener_priorities(services)
    assert sorted(priorities, key=priorities.get) == ["host", "api-v2", "api-x", "api", "exact", "api-star", "catchall"]
    assert all(FIRST_DERIVED_PRIORITY <= value <= 50_000 for value in priorities.values())


def test_explicit_priority_wins():
    services = {"a": web("/a/*"), "b": web("/b/*", priority=10), "c": web("/*")}
    priorities = listener_priorities(services)
    assert priorities["b"] == 10 and priorities["a"] == derived_priority("a", services["a"]) and priorities["c"] == derived_priority("c", services["c"])


def test_a_service_keeps_its_priority_when_others_are_added_removed_or_changed():
    services = {"api": web("/api/*"), "admin": web("/admin/*"), "site": web("/*")}
    before = listener_priorities(services)
    changed = {"api": web("/api/*"), "admin": web("/admin/v2/*"), "docs": web("/docs/*"), "www": web("/*", alias="www.example.com")}
    after = listener_priorities(changed)
    assert after["api"] == before["api"]
    assert after["admin"] != before["admin"] and len(set(after.values())) == 4


def test_equal_derived_priorities_move_to_the_next_free_one():
    services = {f"svc{i}": web("/same/*") for i in range(40)}
    priorities = listener_priorities(services)
    assert len(set(priorities.values())) == 40
    explicit = {"first": web("/same/*"), "second": web("/same/*", priority=derived_priority("first", web("/same/*")))}
    assert listener_priorities(explicit)["first"] == derived_priority("first", web("/same/*")) + 1


def test_priorities_do_not_depend_on_declaration_order():
    services = {"z": web("/z/*"), "a": web("/a/*"), "m": web("/*")}
    reordered = dict(reversed(list(services.items())))
    assert listener_priorities(services) == listener_priorities(reordered)


# --- values per environment ---------------------------------------------------------------------


def tfvars(files: dict[str, bytes], env: str) -> dict:
    return json.loads(files[f"env/{env}.tfvars.json"])


def test_dev_fixed_count_and_prod_range(vote: Path):
    files = render_files(load_blueprint(vote))
    dev, prod = tfvars(files, "dev"), tfvars(files, "prod")
    assert dev["vote_api"]["scaling"] == {"min": 1, "max": 1, "desired": 1, "cpu": None, "memory": None, "requests": None}
    assert prod["vote_api"]["scaling"] == {"min": 3, "max": 20, "desired": 3, "cpu": 60, "memory": 75, "requests": None}
    assert dev["vote_api"]["name"] == "vote-dev-vote-api"
    assert prod["vote_api"]["task"]["log_retention_days"] == 365 and dev["vote_api"]["task"]["log_retention_days"] == 30
    assert dev["protected"] is False and prod["protected"] is True
    assert dev["tags"] == {"Application": "vote", "Environment": "dev", "ManagedBy": "tfgen", "team": "voting"}
    assert prod["account_id"] == "222222222222"
    assert prod["load_balancer"]["certificate_arn"].endswith("000000000002")


TOPIC = "arn:aws:sns:eu-west-1:111111111111:ops"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        # SPEC §3.1's shape: schedule {expression, timezone}, retries as a count, notify as a topic ARN
        (
            {"schedule": {"expression": "cron(0 3 * * ? *)", "timezone": "Europe/Berlin"}, "retries": 2, "notify": TOPIC},
            {"expression": "cron(0 3 * * ? *)", "timezone": "Europe/Berlin", "timeout": None,
             "retries": {"max_attempts": 2, "interval_seconds": 60, "backoff_rate": 2.0}, "notify": {"topic_arn": TOPIC, "kms_key_arn": None}},
        ),
        # the longer forms: retries with their backoff, an encrypted topic with its key
        (
            {"schedule": "@daily", "retries": {"count": 3, "interval": 10, "backoff": 1.5}, "notify": {"topic": TOPIC, "kms_key": KEY}},
            {"expression": "cron(0 0 * * ? *)", "timezone": None, "timeout": None,
             "retries": {"max_attempts": 3, "interval_seconds": 10, "backoff_rate": 1.5}, "notify": {"topic_arn": TOPIC, "kms_key_arn": KEY}},
        ),
        # retries: 0 is no Retry at all (the module renders none for null)
        ({"schedule": "rate(5 minutes)", "retries": 0}, {"expression": "rate(5 minutes)", "timezone": None, "timeout": None, "retries": None, "notify": None}),
    ],
    ids=["spec-3.1", "long-forms", "no-retries"],
)
def test_scheduled_job_values(tmp_path: Path, job: dict, expected: dict):
    document = vote_document()
    tally = document["services"]["tally"]
    for key in ("schedule", "timeout"):
        tally.pop(key)
    tally.update(job)
    prod = tfvars(render_files(load_blueprint(write_blueprint(tmp_path, document))), "prod")
    assert prod["tally"]["schedule"] == expected


def test_service_type_values(vote: Path):
    prod = tfvars(render_files(load_blueprint(vote)), "prod")
    assert prod["vote_worker"]["queue"] == {"visibility_timeout": 60, "max_receive_count": 3, "retention": 345600}
    assert prod["vote_worker"]["scaling"] == {"min": 0, "max": 20, "desired": 0, "backlog_per_task": 100}
    assert prod["tally"]["schedule"] == {
        "expression": "cron(0 2 * * ? *)",
        "timezone": "Europe/Dublin",
        "timeout": 600,
        "retries": {"max_attempts": 2, "interval_seconds": 60, "backoff_rate": 2.0},  # retries: 2, the defaults filled in
        "notify": None,
    }
    assert set(prod["tally"]) == {"name", "capacity_provider_strategy", "task", "network", "schedule"}  # a job has no deployment
    assert prod["results"]["deployment"] == {  # no `deployment`: rolling as before, no alarms
        "strategy": "ROLLING", "min_healthy_percent": 100, "max_percent": 200, "bake_time": None, "canary": None, "linear": None,
        "alarms": {"create": False, "names": []},
    }
    assert prod["vote_api"]["deployment"] == {
        "strategy": "BLUE_GREEN", "min_healthy_percent": 100, "max_percent": 200, "bake_time": 10, "canary": None, "linear": None,
        "alarms": {"create": True, "names": []},
    }
    assert prod["vote_api"]["http"] == {
        "target_group_name": "vote-prod-vote-api",
        "path_pattern": "/api/*",
        "host_headers": ["vote.example.com", "www.vote.example.com"],
        # derived from the host condition, /api/* and the name; the other services do not move it
        # (blue-green: the production rule's own slot, 23416 is the rolling rule's)
        "priority": 23404,
        "health_check": {
            "path": "/health",
            "port": None,
            "success_codes": "200-399",
            "interval": 30,
            "timeout": 5,
            "healthy_threshold": 3,
            "unhealthy_threshold": 3,
            "grace_period": 60,
        },
    }
    assert prod["vote_api"]["task"]["secrets"] == {"DB_PASSWORD": "arn:aws:secretsmanager:eu-west-1:222222222222:secret:vote/db-GhIjKl"}  # prod's own
    assert prod["vote_api"]["capacity_provider_strategy"] == [
        {"capacity_provider": "fargate", "base": 1, "weight": 1},
        {"capacity_provider": "fargate_spot", "base": 0, "weight": 1},
    ]
    assert prod["results"]["scaling"] == {"min": 2, "max": 2, "desired": 2, "cpu": None, "memory": None, "requests": None}
    assert prod["results"]["task"]["readonly_root_filesystem"] is True
    assert prod["results"]["task"]["writable_paths"] == ["/var/cache/nginx", "/var/run", "/tmp"]
    assert prod["network"] == {"name": "vote-prod", "cidr": "10.0.0.0/16", "azs": 2, "nat": "single"}
    assert prod["cluster"]["default_capacity_provider_strategy"] == [
        {"capacity_provider": "fargate", "base": 1, "weight": 1},
        {"capacity_provider": "fargate_spot", "base": 0, "weight": 3},
    ]


def test_web_range_without_targets_scales_on_cpu_70(tmp_path: Path):
    files = render_files(load_blueprint(EXAMPLES / "single-web.yaml"))
    assert tfvars(files, "prod")["storefront"]["scaling"] == {"min": 2, "max": 6, "desired": 2, "cpu": 70, "memory": None, "requests": None}
    assert tfvars(files, "dev")["load_balancer"]["certificate_arn"] is None


def test_the_dns_namespace_is_for_backends_with_a_port(tmp_path: Path):
    """A backend without a port registers nowhere (nothing to reach): no private zone for it."""
    def cluster_block(document: dict) -> dict:
        files = render_files(load_blueprint(write_blueprint(tmp_path, document)))
        return hcl_blocks(files["main.tf"].decode(), "module")["cluster"]

    document = vote_document()
    assert cluster_block(document)["dns_namespace"].strip('"') == "${local.application}.${var.environment}.internal"
    del document["services"]["results"]["port"]
    document["services"]["results"]["healthcheck"]["command"] = ["CMD-SHELL", "test -f /etc/nginx/nginx.conf"]
    assert "dns_namespace" not in cluster_block(document)


def test_schedule_shorthand_is_normalized(tmp_path: Path):
    document = vote_document()
    document["services"]["tally"]["schedule"] = "@daily"
    files = render_files(load_blueprint(write_blueprint(tmp_path, document)))
    assert tfvars(files, "dev")["tally"]["schedule"]["expression"] == "cron(0 0 * * ? *)"


def test_backend_file(vote: Path):
    files = render_files(load_blueprint(vote))
    text = files["env/prod.s3.tfbackend"].decode()
    assert 'bucket       = "vote-tfstate-prod"' in text
    assert 'key          = "vote/prod.tfstate"' in text
    assert 'region       = "eu-west-1"' in text
    assert "use_lockfile = true" in text and "encrypt      = true" in text
    other_region = render_files(load_blueprint(EXAMPLES / "single-web.yaml"))["env/prod.s3.tfbackend"].decode()
    assert 'region       = "eu-west-1"' in other_region  # state.region wins over the app's region


def test_long_names_are_shortened_for_load_balancer_and_target_groups(tmp_path: Path):
    document = vote_document()
    document["name"] = "payments-platform-x"
    document["environments"]["production"] = document["environments"].pop("prod")
    document["services"]["checkout-frontend"] = document["services"].pop("vote-api")
    for env in document["environments"].values():
        overrides = env["overrides"]["services"]
        overrides["checkout-frontend"] = overrides.pop("vote-api")
    files = render_files(load_blueprint(write_blueprint(tmp_path, document)))
    prod = tfvars(files, "production")
    service = prod["checkout_frontend"]
    assert service["name"] == "payments-platform-x-production-checkout-frontend"
    # the module appends "-" and a 6-character digest of port and VPC: 32 characters in all
    assert service["http"]["target_group_name"] == short_name(service["name"], 25) == "payments-platform-524a5a"
    assert len(prod["load_balancer"]["name"]) <= 32


def hcl_blocks(text: str, kind: str) -> dict[str, dict]:
    """The `kind` blocks (module, variable, output) of an HCL file, by label, read back with python-hcl2."""
    found: dict[str, dict] = {}
    for block in hcl2.loads(text).get(kind, []):
        for label, body in block.items():
            found[label.strip('"')] = body
    return found


def test_built_image_gets_a_repository_and_an_image_tag_variable():
    files = render_files(load_blueprint(EXAMPLES / "single-web.yaml"))
    modules = hcl_blocks(files["main.tf"].decode(), "module")
    assert modules["storefront_repository"]["source"].strip('"') == "./modules/ecr-repository"
    assert (
        modules["storefront"]["task"] == '${merge(var.storefront.task, {image = "${var.storefront_image_repository.url}:${var.storefront_image_tag}"})}'
    )
    tag = hcl_blocks(files["variables.tf"].decode(), "variable")["storefront_image_tag"]
    assert (tag["type"], tag["nullable"]) == ("string", False) and "default" not in tag  # the plan names the tag it deploys
    assert modules["storefront_repository"]["force_delete"] == "${!var.protected}"
    assert modules["storefront_repository"]["count"] == "${var.storefront_image_repository.create ? 1 : 0}"
    dev, prod = (tfvars(files, env)["storefront_image_repository"] for env in ("dev", "prod"))
    url = "333333333333.dkr.ecr.eu-central-1.amazonaws.com/single-web/storefront"
    assert dev == {"create": True, "name": "single-web/storefront", "url": url, "pull_account_ids": ["444444444444"]}
    assert prod == {"create": False, "name": "single-web/storefront", "url": url, "pull_account_ids": []}
    assert "image" not in tfvars(files, "dev")["storefront"]["task"]
    assert "modules/ecr-repository/main.tf" in files


def test_structure_follows_the_blueprint():
    vote = render_files(load_blueprint(EXAMPLES / "vote.yaml"))
    ec2 = render_files(load_blueprint(EXAMPLES / "ec2-app.yaml"))
    single = render_files(load_blueprint(EXAMPLES / "single-web.yaml"))
    assert 'module "vpc"' in vote["main.tf"].decode() and 'module "vpc"' not in single["main.tf"].decode()
    assert 'module "ec2_capacity"' in ec2["main.tf"].decode() and 'module "ec2_capacity"' not in vote["main.tf"].decode()
    assert "modules/ec2-capacity/main.tf" in ec2 and "modules/ec2-capacity/main.tf" not in vote
    assert "modules/worker-service/main.tf" in vote and "modules/worker-service/main.tf" not in single
    assert tfvars(ec2, "dev")["cluster"]["ec2"] == {
        "name": "ec2-app-dev-ec2",
        "instance_type": "t3.medium",
        "min_size": 0,
        "max_size": 2,
        "target_capacity": 90,
        "ami_id": None,
    }
    assert tfvars(ec2, "prod")["cluster"]["ec2"]["instance_type"] == "m6i.large"
    assert tfvars(single, "prod")["network"]["vpc_id"] == "vpc-0a1b2c3d4e5f60718"


def test_no_load_balancer_without_web_service(tmp_path: Path):
    document = vote_document()
    del document["services"]["vote-api"]
    for env in document["environments"].values():
        env["overrides"].get("services", {}).pop("vote-api", None)
        env["overrides"].pop("load_balancer", None)
    files = render_files(load_blueprint(write_blueprint(tmp_path, document)))
    assert 'module "alb"' not in files["main.tf"].decode()
    assert "load_balancer" not in tfvars(files, "dev")
    assert "load_balancer_dns_name" not in files["outputs.tf"].decode()


# --- one root module, deterministic bytes --------------------------------------------------------


def test_same_input_same_bytes(vote: Path, tmp_path: Path):
    first = render(load_blueprint(vote), tmp_path / "one")
    second = render(load_blueprint(vote), tmp_path / "two")
    assert first.written and second.written
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert render_files(load_blueprint(vote)) == render_files(load_blueprint(vote))


def test_root_module_is_the_same_for_every_environment(tmp_path: Path):
    """Changing only environment values changes only var files; no environment name, account or
    per-environment value appears in the root module."""
    document = vote_document()
    base = render_files(load_blueprint(write_blueprint(tmp_path, document, "a.yaml")))
    document["environments"]["prod"]["overrides"]["services"]["vote-api"]["count"] = {"min": 5, "max": 50, "memory": 75}
    document["environments"]["dev"]["protected"] = True
    document["environments"]["dev"]["overrides"]["load_balancer"] = {"certificate": None, "protocol": "http"}
    changed = render_files(load_blueprint(write_blueprint(tmp_path, document, "b.yaml")))
    for name in ROOT_FILES:
        assert base[name].replace(b"a.yaml", b"b.yaml") == changed[name], name
    assert base["env/prod.tfvars.json"] != changed["env/prod.tfvars.json"]
    root_text = "".join(base[name].decode() for name in ROOT_FILES)
    for value in ("dev", "prod", "111111111111", "222222222222", "vote-tfstate", "certificate/"):
        assert value not in root_text, value


def test_rendered_code_is_fmt_clean(tmp_path: Path):
    terraform = shutil.which("terraform") or shutil.which("tofu")
    if terraform is None:
        pytest.skip("no terraform executable")
    document = vote_document()
    document["services"]["vote-api"]["http"]["alias"] = "vote.example.com"
    document["services"]["vote-api"]["image"] = {"build": "./api"}
    document["services"]["a-long-service-name-to-align-it"] = {"type": "web-service", "image": "nginx", "port": 80, "http": {"path": "/long/*"}}
    document["services"]["results"]["capacity"] = {"ec2": {"instance_type": "t3.small", "max": 3}}
    for name in ("vote", "single-web", "ec2-app"):
        render(load_blueprint(EXAMPLES / f"{name}.yaml"), tmp_path / name)
    render(load_blueprint(write_blueprint(tmp_path, document)), tmp_path / "mixed")
    result = subprocess.run([terraform, "fmt", "-check", "-recursive", "-no-color", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- manifest, --force, --check ------------------------------------------------------------------


def test_manifest_records_every_file_written(vote: Path, tmp_path: Path):
    out = tmp_path / "out"
    render(load_blueprint(vote), out)
    manifest = json.loads((out / MANIFEST).read_text())["files"]
    on_disk = {rel for rel in tree(out) if rel != MANIFEST}
    assert set(manifest) == on_disk
    for rel, digest in manifest.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    assert {
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "main.tf",
        "outputs.tf",
        "env/dev.tfvars.json",
        "env/prod.s3.tfbackend",
        "modules/alb/main.tf",
    } <= set(manifest)
    assert not [p for p in out.rglob("*.tmp")]


def test_cli_render_check_and_edits(vote: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("render", str(vote), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert run_cli("render", str(vote), "-o", str(out), "--check").exit_code == 0
    again = run_cli("render", str(vote), "-o", str(out))
    assert again.exit_code == 0 and "up to date" in again.output

    main = out / "main.tf"
    main.write_text(main.read_text() + "\n# a local edit\n")
    checked = run_cli("render", str(vote), "-o", str(out), "--check")
    assert checked.exit_code == 1
    assert "main.tf" in checked.output and "edited" in checked.output
    refused = run_cli("render", str(vote), "-o", str(out))
    assert refused.exit_code == 1
    assert str(main) in refused.output
    assert "# a local edit" in main.read_text()

    forced = run_cli("render", str(vote), "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert "# a local edit" not in main.read_text()
    assert run_cli("render", str(vote), "-o", str(out), "--check").exit_code == 0


def test_check_reports_stale_files_and_writes_nothing(vote: Path, tmp_path: Path):
    out = tmp_path / "out"
    missing = run_cli("render", str(vote), "-o", str(out), "--check")
    assert missing.exit_code == 1 and "not been rendered" in missing.output
    assert not out.exists()
    run_cli("render", str(vote), "-o", str(out))
    before = tree(out)
    document = vote_document()
    document["environments"]["prod"]["overrides"]["services"]["vote-api"]["count"] = 7
    vote.write_text(yaml.safe_dump(document, sort_keys=False))
    stale = run_cli("render", str(vote), "-o", str(out), "--check")
    assert stale.exit_code == 1
    assert "env/prod.tfvars.json" in stale.output and "main.tf" not in stale.output.replace(str(vote), "")
    assert tree(out) == before


def test_removed_service_removes_only_tfgen_files(vote: Path, tmp_path: Path):
    out = tmp_path / "out"
    render(load_blueprint(vote), out)
    (out / "notes.md").write_text("mine\n")
    (out / ".tfgen").mkdir()
    (out / ".tfgen" / "plan.json").write_text("{}")
    document = vote_document()
    del document["services"]["vote-worker"]
    document["services"]["vote-api"].pop("sends_to", None)  # it sent to the worker
    for env in document["environments"].values():
        env["overrides"].get("services", {}).pop("vote-worker", None)
    vote.write_text(yaml.safe_dump(document, sort_keys=False))
    result = render(load_blueprint(vote), out)
    assert "modules/worker-service/main.tf" in result.removed
    assert not (out / "modules" / "worker-service").exists()
    assert (out / "notes.md").read_text() == "mine\n"
    assert (out / ".tfgen" / "plan.json").exists()
    assert "vote_worker" not in (out / "main.tf").read_text()


def test_refuses_to_overwrite_a_file_it_did_not_write(vote: Path, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "main.tf").write_text("# hand written\n")
    result = run_cli("render", str(vote), "-o", str(out))
    assert result.exit_code == 1
    assert "main.tf" in result.output and "not written by tfgen" in result.output
    assert (out / "main.tf").read_text() == "# hand written\n"
    assert run_cli("render", str(vote), "-o", str(out), "--force").exit_code == 0


def test_edited_file_that_would_be_removed_is_refused(vote: Path, tmp_path: Path):
    out = tmp_path / "out"
    render(load_blueprint(vote), out)
    edited = out / "modules" / "worker-service" / "main.tf"
    edited.write_text(edited.read_text() + "# edit\n")
    document = vote_document()
    del document["services"]["vote-worker"]
    document["services"]["vote-api"].pop("sends_to", None)  # it sent to the worker
    for env in document["environments"].values():
        env["overrides"].get("services", {}).pop("vote-worker", None)
    vote.write_text(yaml.safe_dump(document, sort_keys=False))
    result = run_cli("render", str(vote), "-o", str(out))
    assert result.exit_code == 1 and "modules/worker-service/main.tf" in result.output
    assert edited.exists()


def test_default_output_directory(vote: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("render", str(vote))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "vote" / "main.tf").is_file()


def test_out_with_several_blueprints_is_a_usage_error(vote: Path, tmp_path: Path):
    result = run_cli("render", str(vote), str(EXAMPLES / "single-web.yaml"), "-o", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "-o" in result.output
    assert not (tmp_path / "x").exists()


def test_several_blueprints_render_each_into_its_directory(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("render", *(str(p) for p in sorted(EXAMPLES.glob("*.yaml"))))
    assert result.exit_code == 0, result.output
    for name in ("vote", "single-web", "ec2-app"):
        assert (tmp_path / "build" / name / "main.tf").is_file()


# --- input problems (exit 2) ----------------------------------------------------------------------


def test_service_name_colliding_with_a_root_variable(tmp_path: Path):
    document = vote_document()
    document["services"]["region"] = {"type": "backend-service", "image": "nginx"}
    path = write_blueprint(tmp_path, document)
    result = run_cli("render", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "services.region" in result.output and "collides" in result.output


def test_environment_cannot_change_structure(tmp_path: Path):
    document = vote_document()
    document["environments"]["dev"]["overrides"]["services"]["results"] = {"image": {"build": "./results"}}
    path = write_blueprint(tmp_path, document)
    with pytest.raises(InputError) as raised:
        render_files(load_blueprint(path))
    assert "built image" in str(raised.value)
    assert str(path) in str(raised.value)


def test_a_service_on_ec2_in_a_fargate_default_cluster_brings_the_auto_scaling_group(tmp_path: Path):
    document = vote_document()
    document["services"]["results"]["capacity"] = {"ec2": {"weight": 1}}
    files = render_files(load_blueprint(write_blueprint(tmp_path, document)))
    cluster = json.loads(files["env/dev.tfvars.json"])["cluster"]
    assert cluster["ec2"]["name"] == "vote-dev-ec2" and cluster["default_capacity_provider_strategy"][0]["capacity_provider"] == "fargate"
    assert "modules/ec2-capacity/main.tf" in files and 'module "ec2_capacity"' in files["main.tf"].decode()


def test_default_vpc_needs_a_context_file(tmp_path: Path):
    document = vote_document()
    document["network"] = {"vpc": "default"}
    path = write_blueprint(tmp_path, document)
    result = run_cli("render", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "tfgen discover" in result.output


def test_default_vpc_from_the_context_file(tmp_path: Path):
    document = vote_document()
    document["network"] = {"vpc": "default", "placement": "public"}  # these default VPCs have public subnets only
    path = write_blueprint(tmp_path, document)
    context = {}
    for account in ("111111111111", "222222222222"):
        context[f"vpc-provider:account={account}:region=eu-west-1"] = {
            "vpc_id": f"vpc-{account[:4]}",
            "vpc_cidr_block": "172.31.0.0/16",
            "public_subnets": [{"az": "eu-west-1a", "id": f"subnet-{account[:4]}a"}, {"az": "eu-west-1b", "id": f"subnet-{account[:4]}b"}],
            "private_subnets": [],
        }
    (tmp_path / "tfgen.context.json").write_text(json.dumps(context))
    files = render_files(load_blueprint(path))
    assert tfvars(files, "prod")["network"]["vpc_id"] == "vpc-2222"
    dev = tfvars(files, "dev")["network"]
    assert dev["public_subnet_ids"] == dev["task_subnet_ids"] == ["subnet-1111a", "subnet-1111b"]
    assert dev["assign_public_ip"] is True
    assert 'module "vpc"' not in files["main.tf"].decode()
    # results mounts EFS: NFS (2049) out to the default VPC's CIDR block, as discovered
    for env in ("dev", "prod"):
        assert tfvars(files, env)["results"]["network"]["egress"] == [{"cidr_ipv4": "172.31.0.0/16", "security_group_id": None, "ports": [2049]}]
