"""network.vpc: default and tfgen.context.json."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tfgen.blueprint.context import CONTEXT_FILE, DefaultVpc, default_vpc, save_default_vpc, vpc_entry, vpc_key
from tfgen.blueprint.loader import ResolvedNetwork, load_blueprint
from tfgen.errors import InputError

DATA = Path(__file__).parents[1] / "data" / "blueprints"


@pytest.fixture
def vote(tmp_path: Path) -> Path:
    path = tmp_path / "vote.yaml"
    shutil.copy(DATA / "good" / "vote.yaml", path)
    return path


def test_missing_context_says_to_run_discover(vote: Path):
    loaded = load_blueprint(vote)  # loading and validating never need the context
    with pytest.raises(InputError) as caught:
        loaded.network_for("dev")
    assert str(caught.value) == (
        f"{vote}:6:8: network.vpc: run `tfgen discover {vote} -e dev` to look up the default VPC of account 111111111111 "
        f"in region eu-west-1 (it is recorded in {CONTEXT_FILE} next to the blueprint)"
    )
    assert caught.value.exit_code == 2


def test_default_vpc_is_read_from_the_context(vote: Path):
    entry = vpc_entry(
        "vpc-0def",
        "172.31.0.0/16",
        [{"id": "subnet-b", "az": "eu-west-1b"}, {"id": "subnet-a", "az": "eu-west-1a"}],
        [{"id": "subnet-c", "az": "eu-west-1a"}, {"id": "subnet-d", "az": "eu-west-1b"}],
    )
    written = save_default_vpc(vote, "111111111111", "eu-west-1", entry)
    assert written == vote.parent / CONTEXT_FILE
    text = written.read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert list(json.loads(text)) == ["vpc-provider:account=111111111111:region=eu-west-1"]

    assert default_vpc(vote, "111111111111", "eu-west-1") == DefaultVpc("vpc-0def", "172.31.0.0/16", ("subnet-a", "subnet-b"), ("subnet-c", "subnet-d"))
    assert default_vpc(vote, "222222222222", "eu-west-1") is None
    loaded = load_blueprint(vote)
    assert loaded.network_for("dev") == ResolvedNetwork("default", "vpc-0def", ("subnet-a", "subnet-b"), ("subnet-c", "subnet-d"), "172.31.0.0/16")
    with pytest.raises(InputError, match="account 222222222222 in region eu-west-1"):
        loaded.network_for("prod")


def test_saving_keeps_other_entries(vote: Path):
    save_default_vpc(vote, "111111111111", "eu-west-1", vpc_entry("vpc-1", "172.31.0.0/16", [], []))
    save_default_vpc(vote, "222222222222", "eu-west-1", vpc_entry("vpc-2", "172.31.0.0/16", [], []))
    data = json.loads((vote.parent / CONTEXT_FILE).read_text())
    assert sorted(data) == [vpc_key("111111111111", "eu-west-1"), vpc_key("222222222222", "eu-west-1")]


def _context_error(vote: Path, content: str) -> str:
    (vote.parent / CONTEXT_FILE).write_text(content)
    with pytest.raises(InputError) as caught:
        default_vpc(vote, "111111111111", "eu-west-1")
    assert caught.value.exit_code == 2
    return str(caught.value).replace(str(vote.parent / CONTEXT_FILE), "FILE")


def test_broken_context_file_is_a_located_input_error(vote: Path):
    key = vpc_key("111111111111", "eu-west-1")
    again = "(run `tfgen discover` again)"
    assert _context_error(vote, '{\n  "x": \n}\n') == (
        "FILE:3:1: <root>: the context file is not valid JSON: Expecting value (delete it and run `tfgen discover` again)"
    )
    assert _context_error(vote, "[1, 2]") == "FILE:1:1: <root>: the context file must hold a JSON object (delete it and run `tfgen discover` again)"
    assert _context_error(vote, json.dumps({key: {"vpc_id": "vpc-1"}})) == f"FILE:1:1: {key}.vpc_cidr_block: missing in the context file {again}"
    assert _context_error(vote, json.dumps({key: ["vpc-1"]})) == f"FILE:1:1: {key}: expected an object, got a list in the context file {again}"
    entry = {"vpc_id": "vpc-1", "vpc_cidr_block": "172.31.0.0/16", "public_subnets": "subnet-1"}
    assert _context_error(vote, json.dumps({key: entry})) == f'FILE:1:1: {key}.public_subnets: expected a list, got "subnet-1" in the context file {again}'
    entry["public_subnets"] = [{"id": 7, "az": "eu-west-1a"}]
    assert _context_error(vote, json.dumps({key: entry})) == f"FILE:1:1: {key}.public_subnets.0.id: expected a string, got 7 in the context file {again}"
    assert _context_error(vote, "[" * 100_000 + "]" * 100_000) == (
        "FILE:1:1: <root>: the context file is nested too deeply to be one (delete it and run `tfgen discover` again)"
    )


def test_a_context_file_that_is_not_a_regular_file_is_refused(vote: Path):
    os.mkfifo(vote.parent / CONTEXT_FILE)
    with pytest.raises(InputError) as caught:
        default_vpc(vote, "111111111111", "eu-west-1")
    assert str(caught.value) == f"{vote.parent / CONTEXT_FILE}:1:1: <root>: is not a regular file (a pipe, socket or device), not the context file"


def test_existing_and_new_vpcs_need_no_context(tmp_path: Path):
    loaded = load_blueprint(DATA / "good" / "existing-vpc.yaml")
    assert loaded.network_for("prod") == ResolvedNetwork("existing", "vpc-0abc", ("subnet-01", "subnet-02"), ("subnet-03", "subnet-04"))
    text = (DATA / "good" / "vote.yaml").read_text().replace("  vpc: default", "  vpc: {cidr: 10.1.0.0/16, azs: 3}")
    path = tmp_path / "new.yaml"
    path.write_text(text)
    assert load_blueprint(path).network_for("dev") == ResolvedNetwork("new", None, None, None, "10.1.0.0/16")
