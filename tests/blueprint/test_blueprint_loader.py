"""Blueprint loading: located, human error messages (`FILE:LINE:COL: dotted.path: message (hint)`)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tfgen.blueprint.loader import LoadedBlueprint, load_blueprint, validate_blueprints
from tfgen.blueprint.model import Blueprint, Scaling
from tfgen.errors import InputError

DATA = Path(__file__).parents[1] / "data" / "blueprints"
BAD = sorted((DATA / "bad").glob("*.yaml"))
GOOD = sorted((DATA / "good").glob("*.yaml"))


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


def load_text(tmp_path: Path, text: str, name: str = "app.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_blueprints_report_exactly_the_expected_problems(path: Path):
    expected = path.with_suffix(".expected").read_text().splitlines()
    assert errors_of(path) == expected


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_blueprints_load_with_every_environment(path: Path):
    loaded = load_blueprint(path)
    assert isinstance(loaded.blueprint, Blueprint)
    for env in loaded.environment_names():
        assert isinstance(loaded.for_environment(env), Blueprint)


# --- the cases of issue 3, spelled out ---------------------------------------------------------


def test_unknown_keys_with_did_you_mean():
    lines = errors_of(DATA / "bad" / "unknown_keys.yaml")
    assert "FILE:10:7: services.vote-api.http.healthchek: unknown key 'healthchek' (did you mean 'healthcheck'?)" in lines
    assert "FILE:8:5: services.vote-api.prot: unknown key 'prot' (did you mean 'port'?)" in lines


def test_wrong_types_say_what_was_expected_and_what_was_found():
    lines = errors_of(DATA / "bad" / "wrong_types.yaml")
    assert "FILE:8:11: services.vote-api.port: expected an integer, got 'eighty'" in lines
    assert "FILE:9:12: services.vote-api.count: expected an integer or a mapping {min, max, cpu, memory, requests}, got 'abc'" in lines
    assert 'FILE:18:14: environments.dev.account: expected a string, got 111111111111 (quote it: "111111111111")' in lines


def test_duplicate_keys_are_errors_naming_both_lines():
    assert errors_of(DATA / "bad" / "duplicate_keys.yaml") == [
        "FILE:8:5: services.vote-api.image: duplicate key 'image' (lines 6 and 8): YAML keeps only one of them (remove one)",
        "FILE:13:3: environments.dev: duplicate key 'dev' (lines 10 and 13): YAML keeps only one of them (remove one)",
    ]


def test_invalid_fargate_pairs():
    assert errors_of(DATA / "bad" / "fargate_sizes.yaml") == [
        "FILE:8:5: services.vote-api.memory: memory 4096 does not fit cpu 256 on Fargate (allowed: 512, 1024, 2048 MiB)",
        "FILE:12:5: services.results.cpu: cpu 300 is not a Fargate size (one of 256, 512, 1024, 2048, 4096, 8192, 16384)",
        "FILE:18:5: services.worker.memory: memory 1024 does not fit cpu 1024 on Fargate (allowed: 2048-8192 in steps of 1024 MiB)",
    ]


def test_ec2_only_services_may_use_any_size(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        cluster: {capacity: {ec2: {instance_type: m5.large}}}
        services:
          api: {type: backend-service, image: nginx, cpu: 300, memory: 700}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert load_blueprint(path).blueprint.services["api"].cpu == 300


def test_application_name_too_long_and_bad_characters():
    assert errors_of(DATA / "bad" / "name_too_long.yaml")[0] == (
        "FILE:1:7: name: 'the-voting-application-of-the-year' is too long for an application name "
        "(34 characters, at most 20): it prefixes every AWS name"
    )
    assert errors_of(DATA / "bad" / "name_bad_chars.yaml")[0] == (
        "FILE:1:7: name: expected an application name (2-20 characters: a-z, 0-9 and '-', starting with a letter), got 'Vote_App'"
    )


def test_ports_out_of_range():
    assert errors_of(DATA / "bad" / "ports.yaml") == [
        "FILE:7:11: services.vote-api.port: must be at most 65535, got 70000",
        "FILE:9:42: services.vote-api.http.healthcheck.port: must be at least 1, got 0",
        "FILE:13:11: services.results.port: must be at least 1, got -1",
    ]


def test_negative_and_inverted_counts():
    assert errors_of(DATA / "bad" / "counts.yaml") == [
        "FILE:5:10: cluster.capacity.ec2: min (5) is greater than max (2)",
        "FILE:10:12: services.vote-api.count: must be at least 0, got -1",
        "FILE:14:12: services.results.count: min (5) is greater than max (2)",
        "FILE:18:18: services.worker.count.min: must be at least 0, got -1",
        "FILE:18:27: services.worker.count.max: must be at least 1, got 0",
    ]


def test_bad_schedules():
    lines = errors_of(DATA / "bad" / "schedules.yaml")
    assert lines[0].startswith("FILE:7:15: services.hourly.schedule: 'cron(0 * * * *)' is not an EventBridge cron: it has 6 fields")
    assert lines[1] == (
        "FILE:11:15: services.often.schedule: 'rate(5 minute)': EventBridge wants the singular unit for 1 and the plural otherwise "
        "(did you mean 'rate(5 minutes)'?)"
    )
    assert lines[2].startswith("FILE:15:15: services.rarely.schedule: '@fortnightly' is not a schedule")
    assert lines[2].endswith("(did you mean '@monthly'?)")
    assert lines[3] == "FILE:16:3: services.never: missing required key 'schedule'"


def test_misspelled_service_type(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        services:
          api: {type: web-servise, image: nginx}
          db: {image: postgres}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:4:15: services.api.type: unknown service type 'web-servise' (did you mean 'web-service'?)",
        "FILE:5:3: services.db: missing required key 'type' (one of web-service, backend-service, worker-service, scheduled-job)",
    ]


def test_enum_values_get_did_you_mean(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        network:
          vpc: {cidr: 10.0.0.0/16, nat: singel}
        services:
          api: {type: backend-service, image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == ["FILE:4:33: network.vpc.nat: expected one of 'single', 'per-az', got 'singel' (did you mean 'single'?)"]


def test_vpc_union_is_one_readable_message(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        network:
          vpc: defualt
        services:
          api: {type: backend-service, image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:4:8: network.vpc: expected 'default', a mapping {id, public_subnets, private_subnets} or a mapping {cidr, azs, nat}, "
        "got 'defualt' (did you mean 'default'?)"
    ]


def test_existing_vpc_missing_a_key_picks_the_branch_the_user_meant(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        network:
          vpc: {id: vpc-0abc, public_subnets: [subnet-1, subnet-2]}
        services:
          api: {type: backend-service, image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == ["FILE:4:3: network.vpc: missing required key 'private_subnets'"]


def test_empty_file_list_and_broken_yaml():
    assert errors_of(DATA / "bad" / "empty.yaml") == [
        "FILE:1:1: <root>: the file is empty: a blueprint is a mapping with name, region, services and environments"
    ]
    assert errors_of(DATA / "bad" / "list.yaml") == ["FILE:1:1: <root>: a blueprint is a mapping (name: ..., services: ...), this file holds a list"]
    assert errors_of(DATA / "bad" / "broken.yaml") == [
        "FILE:5:13: <root>: broken YAML: expected ',' or ']', but got ':' (while parsing a flow sequence started at line 4, column 40)"
    ]


def test_comment_only_file_is_empty_and_scalar_is_not_a_mapping(tmp_path):
    assert errors_of(load_text(tmp_path, "# nothing here\n"))[0].startswith("FILE:1:1: <root>: the file is empty")
    assert errors_of(load_text(tmp_path, "just text\n")) == [
        "FILE:1:1: <root>: a blueprint is a mapping (name: ..., services: ...), this file holds the scalar 'just text'"
    ]


def test_tabs_and_unreadable_files(tmp_path):
    assert errors_of(load_text(tmp_path, "name: vote\n\tregion: x\n"))[0].startswith("FILE:2:1: <root>: broken YAML:")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: vote\nregion: \xff\xfe\n")
    assert errors_of(binary) == ["FILE:2:9: <root>: the blueprint is not UTF-8 text"]
    assert errors_of(tmp_path / "missing.yaml") == ["FILE:1:1: <root>: cannot read the blueprint: No such file or directory"]


def test_only_regular_files_of_bounded_size_are_read(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # no writer: reading it naively would wait forever
    assert errors_of(fifo) == ["FILE:1:1: <root>: is not a regular file (a pipe, socket or device), not the blueprint"]
    assert errors_of(Path("/dev/zero")) == ["FILE:1:1: <root>: is not a regular file (a pipe, socket or device), not the blueprint"]
    assert errors_of(tmp_path) == ["FILE:1:1: <root>: is a directory, not the blueprint"]
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as stream:
        stream.truncate(9 * 1024 * 1024)
    assert errors_of(huge) == ["FILE:1:1: <root>: the blueprint is 9 MiB, more than tfgen reads (8 MiB)"]


def test_skip_without_reason():
    assert errors_of(DATA / "bad" / "skip_reason.yaml") == [
        'FILE:5:5: policy.skip.CKV_AWS_91: a skip needs a reason (write CKV_AWS_91: "why this check does not apply")',
        'FILE:6:5: policy.skip.CKV_AWS_150: a skip needs a reason (write CKV_AWS_150: "why this check does not apply")',
        "FILE:7:5: policy.skip.ckv2_aws_5: 'ckv2_aws_5' is not a check id such as CKV_AWS_91",
        'FILE:17:14: environments.dev.policy.skip.CKV_AWS_2: a skip needs a reason (write CKV_AWS_2: "why this check does not apply")',
    ]


def test_problems_are_sorted_by_line_and_all_listed():
    lines = errors_of(DATA / "bad" / "wrong_types.yaml")
    numbers = [int(line.split(":")[1]) for line in lines]
    assert numbers == sorted(numbers)
    assert len(lines) == 8


def test_yaml_12_semantics_and_ints_stay_ints(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        tags: {on: "yes", country: "no"}
        services:
          api:
            type: backend-service
            image: nginx
            port: 0x1F90
            variables: {ENABLED: "on"}
        environments:
          dev: {account: "011111111111", state: {bucket: vote-dev}}
        """,
    )
    loaded = load_blueprint(path)
    assert loaded.raw["tags"] == {"on": "yes", "country": "no"}
    assert loaded.raw["services"]["api"]["port"] == 8080
    assert loaded.blueprint.environments["dev"].account == "011111111111"


def test_yaml_anchors_and_merge_keys(tmp_path):
    path = load_text(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        x-defaults: &defaults {type: backend-service, image: nginx, cpu: 512, memory: 1024}
        services:
          api: {<<: *defaults, cpu: 1024, memory: 2048}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:3:1: x-defaults: unknown key 'x-defaults' (known keys: name, region, tags, network, cluster, load_balancer, services, environments, policy)"
    ]


def test_recursive_alias_is_an_error_not_a_crash(tmp_path):
    lines = errors_of(load_text(tmp_path, "name: &a [*a]\n"))
    assert lines[-1] == "FILE:1:7: name[0]: an alias refers to a node that contains it (a recursive structure)"


def test_validate_blueprints_raises_one_error_for_all_files(tmp_path):
    good = DATA / "good" / "vote.yaml"
    copy = tmp_path / "vote-copy.yaml"
    copy.write_text(good.read_text())
    with pytest.raises(InputError) as caught:
        validate_blueprints([DATA / "bad" / "ports.yaml", good, DATA / "bad" / "empty.yaml", copy])
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(str(DATA / "bad" / "ports.yaml") + ":7:11:")
    assert lines[3] == f"{DATA / 'bad' / 'empty.yaml'}:1:1: <root>: the file is empty: a blueprint is a mapping with name, region, services and environments"
    assert lines[4].startswith(f"{copy}:1:7: name: 'vote' is also the name of ")
    assert len(lines) == 5
    loaded = validate_blueprints([good])
    assert [b.name for b in loaded] == ["vote"]
    assert isinstance(loaded[0], LoadedBlueprint)


def test_for_environment_merges_overrides():
    loaded = load_blueprint(DATA / "good" / "vote.yaml")
    assert loaded.for_environment("dev").services["vote-api"].count == 1
    prod = loaded.for_environment("prod").services["vote-api"].count
    assert isinstance(prod, Scaling) and (prod.min, prod.max) == (3, 20)
    assert loaded.blueprint.services["vote-api"].count == 3
    assert loaded.raw_environment_values("dev")["services"]["vote-api"]["count"] == 1


def test_unknown_environment_lists_the_known_ones():
    path = DATA / "good" / "vote.yaml"
    loaded = load_blueprint(path)
    with pytest.raises(InputError) as caught:
        loaded.for_environment("prd")
    assert str(caught.value) == f"{path}:54:1: environments: no environment 'prd' in the blueprint (known: dev, prod) (did you mean 'prod'?)"
    assert caught.value.exit_code == 2
