"""Environment overrides: merge rule, structural rule, where their problems are reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tfgen.blueprint.loader import load_blueprint
from tfgen.blueprint.overrides import deep_merge, origin, vpc_kind
from tfgen.errors import InputError

DATA = Path(__file__).parents[1] / "data" / "blueprints"

BASE = """\
name: vote
region: eu-west-1
network:
  vpc: {id: vpc-0abc, public_subnets: [subnet-1, subnet-2], private_subnets: [subnet-3, subnet-4]}
load_balancer: {protocol: http}
services:
  api:
    type: web-service
    image: nginx
    memory: 512
    count: {min: 1, max: 4}
environments:
  dev:
    account: "111111111111"
    state: {bucket: vote-dev}
    overrides:
"""


def errors(tmp_path: Path, overrides: str) -> list[str]:
    path = tmp_path / "app.yaml"
    path.write_text(BASE + textwrap.indent(textwrap.dedent(overrides), "      "))
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


def load(tmp_path: Path, overrides: str):
    path = tmp_path / "app.yaml"
    path.write_text(BASE + textwrap.indent(textwrap.dedent(overrides), "      "))
    return load_blueprint(path)


def test_deep_merge_merges_mappings_and_replaces_lists_and_scalars():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    merged = deep_merge(base, {"a": {"c": [3]}, "d": {"x": 1}})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": {"x": 1}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}


def test_origin_points_into_the_override_only_for_values_it_wrote():
    overrides = {"services": {"api": {"count": {"max": 9}, "image": {"build": "."}}}}
    assert origin(("services", "api", "count", "max"), overrides, "dev") == ("environments", "dev", "overrides", "services", "api", "count", "max")
    assert origin(("services", "api", "count", "min"), overrides, "dev") == ("services", "api", "count", "min")
    assert origin(("services", "api", "memory"), overrides, "dev") == ("services", "api", "memory")
    assert origin(("name",), overrides, "dev") == ("name",)


def test_vpc_kinds():
    assert [vpc_kind(v) for v in ("default", {"id": "vpc-1"}, {"cidr": "10.0.0.0/16"}, {}, "other")] == ["default", "existing", "new", None, None]


def test_values_change_per_environment(tmp_path):
    loaded = load(tmp_path, "services: {api: {count: {max: 10}, cpu: 512, memory: 1024}}\nnetwork: {vpc: {id: vpc-0def}}\n")
    dev = loaded.for_environment("dev")
    assert (dev.services["api"].count.min, dev.services["api"].count.max, dev.services["api"].cpu) == (1, 10, 512)
    assert loaded.network_for("dev").vpc_id == "vpc-0def"
    assert loaded.blueprint.services["api"].count.max == 4


def test_override_naming_a_missing_service(tmp_path):
    assert errors(tmp_path, "services: {apii: {count: 2}}\n") == [
        "FILE:17:18: environments.dev.overrides.services.apii: service 'apii' is not in the blueprint: "
        "overrides change values, they cannot add services (did you mean 'api'?)"
    ]


def test_override_naming_a_missing_field(tmp_path):
    assert errors(tmp_path, "services: {api: {cuont: 2, http: {healthchek: /x}}}\n") == [
        "FILE:17:24: environments.dev.overrides.services.api.cuont: unknown key 'cuont' (did you mean 'count'?)",
        "FILE:17:41: environments.dev.overrides.services.api.http.healthchek: unknown key 'healthchek' (did you mean 'healthcheck'?)",
    ]


def test_override_unknown_top_level_key(tmp_path):
    assert errors(tmp_path, "servces: {api: {count: 2}}\n") == [
        "FILE:17:7: environments.dev.overrides.servces: unknown key 'servces' (did you mean 'services'?)"
    ]


def test_override_changing_a_service_type(tmp_path):
    assert errors(tmp_path, "services: {api: {type: backend-service}}\n") == [
        "FILE:17:30: environments.dev.overrides.services.api.type: an environment cannot change the type of service 'api' (web-service in the base blueprint)"
    ]


def test_override_removing_a_service(tmp_path):
    assert errors(tmp_path, "services: {api: null}\n") == [
        "FILE:17:18: environments.dev.overrides.services.api: an environment cannot remove service 'api' (give it count: 0 instead)"
    ]


def test_invalid_value_after_merge_is_reported_at_the_override(tmp_path):
    assert errors(tmp_path, "services: {api: {count: {min: 8}}}\n") == [
        "FILE:17:31: environments.dev.overrides.services.api.count: min (8) is greater than max (4)"
    ]


def test_fargate_pair_broken_by_an_override_is_reported_at_the_override(tmp_path):
    assert errors(tmp_path, "services: {api: {cpu: 2048}}\n") == [
        "FILE:17:24: environments.dev.overrides.services.api.cpu: memory 512 does not fit cpu 2048 on Fargate (allowed: 4096-16384 in steps of 1024 MiB)"
    ]


def test_structural_rules(tmp_path):
    assert errors(
        tmp_path,
        """\
        network: {vpc: {cidr: 10.0.0.0/16}}
        cluster: {capacity: {fargate_spot: {weight: 2}}}
        load_balancer: null
        """,
    ) == [
        "FILE:17:22: environments.dev.overrides.network.vpc: an environment cannot switch network.vpc from an existing VPC to a new VPC "
        "(every environment deploys the same configuration: change ids or sizes, not the kind of network)",
        "FILE:18:28: environments.dev.overrides.cluster.capacity.fargate_spot: capacity provider 'fargate_spot' is not in the base blueprint: "
        "an environment cannot add one (declare it in cluster.capacity (base: fargate) and change its weights per environment)",
        "FILE:19:7: environments.dev.overrides.load_balancer: an environment cannot remove the load_balancer",
    ]


def test_every_environment_is_checked_when_loading():
    with pytest.raises(InputError) as raised:
        load_blueprint(DATA / "bad" / "overrides.yaml")
    paths = [line.split(": ")[1] for line in str(raised.value).splitlines()]
    by_environment = {env: [p for p in paths if p.startswith(f"environments.{env}.overrides.")] for env in ("dev", "prod")}
    assert by_environment == {
        "dev": [
            "environments.dev.overrides.services.vote-apii",
            "environments.dev.overrides.services.results.type",
            "environments.dev.overrides.services.results.cuont",
        ],
        "prod": [
            "environments.prod.overrides.network.vpc",
            "environments.prod.overrides.cluster.capacity.fargate_spot",
            "environments.prod.overrides.load_balancer",
            "environments.prod.overrides.services.vote-api.http.path",
        ],
    }
