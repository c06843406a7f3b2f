"""Property: every file tfgen reads back (render manifest, saved-plan metadata, tfgen.context.json,
offline state, plan JSON, checkov's report) gives a value or tfgen's own one-line error, whatever
it holds: never another exception, never pydantic's text or a Python repr in the message.

Each reader gets random JSON and mutations of a valid document (one value anywhere replaced by a
random one), which reach deeper than random JSON does."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfgen.blueprint.context import default_vpc, vpc_key
from tfgen.errors import InputError, TfgenError
from tfgen.offline.install import state_types
from tfgen.paths import EnvironmentPaths
from tfgen.policy.checkov import parse_checkov_output
from tfgen.policy.plan_file import parse_plan
from tfgen.render.output import MANIFEST, read_manifest
from tfgen.workflow import _saved_plan_meta

PLANS = Path(__file__).parents[1] / "data" / "plans"
WORK = Path(tempfile.mkdtemp(prefix="tfgen-readers-"))
LOCATED = re.compile(r"^\S.*:\d+:\d+: \S.*: \S.*$")
LEAKS = ("Input should", "input_value", "pydantic", "Traceback", "{'", "['", "None'", "'None")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.sampled_from(["", "managed", "data", "4", "1.2", "aws_vpc", "a" * 64, "0" * 64]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)

SHA = "0" * 64
MANIFEST_DOC = {"generator": "tfgen", "source": "../../app.yaml", "files": {"main.tf": SHA, "modules/x/main.tf": SHA}}
META_DOC = {
    "environment": "dev",
    "offline": True,
    "config_hash": SHA,
    "var_file_hash": SHA,
    "backend_file_hash": "",
    "policy_hash": SHA,
    "variables": {"web_image_tag": "v1"},
    "protected": False,
    "policy_passed": True,
    "destructive": ["module.a.aws_lb.this"],
}
CONTEXT_DOC = {
    vpc_key("111111111111", "eu-west-1"): {
        "vpc_id": "vpc-1",
        "vpc_cidr_block": "172.31.0.0/16",
        "public_subnets": [{"id": "subnet-1", "az": "eu-west-1a"}],
        "private_subnets": [{"id": "subnet-2", "az": "eu-west-1b"}],
    }
}
STATE_DOC = {
    "version": 4,
    "terraform_version": "1.15.0",
    "serial": 2,
    "lineage": "x",
    "resources": [{"mode": "managed", "type": "aws_vpc", "name": "this", "instances": [{"attributes": {"id": "vpc-1"}}]}],
}
PLAN_DOC = json.loads((PLANS / "checks" / "ckv_tfg_1_pass.json").read_text())
CHECKOV_ITEM = {
    "check_id": "CKV_AWS_1",
    "check_name": "n",
    "check_result": {"result": "FAILED"},
    "resource_address": "module.m.aws_lb.x",
    "file_line_range": [3, 9],
}
CHECKOV_DOC = {
    "check_type": "terraform_plan",
    "results": {"failed_checks": [CHECKOV_ITEM], "passed_checks": [], "parsing_errors": []},
    "summary": {"resource_count": 1},
}


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _mutated(document: Any, choice: int, value: Any) -> Any:
    targets = _paths(document)
    path = targets[choice % len(targets)]
    if not path:
        return value
    mutated = copy.deepcopy(document)
    node = mutated
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return mutated


def _one_line_error(error: TfgenError) -> None:
    text = str(error)
    assert "\n" not in text, text
    assert not any(leak in text for leak in LEAKS), text
    if isinstance(error, InputError) and error.problems:
        assert LOCATED.match(text), text


def _read_manifest(content: str) -> None:
    folder = Path(tempfile.mkdtemp(dir=WORK))
    (folder / MANIFEST).write_text(content)
    read_manifest(folder)


def _read_meta(content: str) -> None:
    paths = EnvironmentPaths(Path(tempfile.mkdtemp(dir=WORK)), "dev")
    paths.data_dir.mkdir(parents=True)
    paths.plan_file.write_bytes(b"plan")
    paths.meta_file.write_text(content)
    _saved_plan_meta(paths, "dev")


def _read_context(content: str) -> None:
    folder = Path(tempfile.mkdtemp(dir=WORK))
    (folder / "tfgen.context.json").write_text(content)
    default_vpc(folder / "app.yaml", "111111111111", "eu-west-1")


def _read_state(content: str) -> None:
    path = Path(tempfile.mkdtemp(dir=WORK)) / "terraform.tfstate"
    path.write_text(content)
    state_types(path)


def _read_plan(content: str) -> None:
    parse_plan(Path("plan.json"), content.encode())


def _read_checkov(content: str) -> None:
    parse_checkov_output(json.loads(content), Path("plan.json"))


READERS: dict[str, tuple[Callable[[str], None], Any]] = {
    "manifest": (_read_manifest, MANIFEST_DOC),
    "plan meta": (_read_meta, META_DOC),
    "context": (_read_context, CONTEXT_DOC),
    "state": (_read_state, STATE_DOC),
    "plan JSON": (_read_plan, PLAN_DOC),
    "checkov report": (_read_checkov, CHECKOV_DOC),
}


def _check(reader: str, document: Any) -> None:
    read, _ = READERS[reader]
    try:
        read(json.dumps(document))
    except TfgenError as error:
        _one_line_error(error)


def test_the_valid_documents_read():
    for read, document in READERS.values():
        read(json.dumps(document))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reader=st.sampled_from(sorted(READERS)), choice=st.integers(min_value=0, max_value=10_000), value=values)
def test_a_mutated_document_reads_or_is_one_clear_error(reader: str, choice: int, value: Any):
    _check(reader, _mutated(READERS[reader][1], choice, value))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reader=st.sampled_from(sorted(READERS)), document=values)
def test_random_json_reads_or_is_one_clear_error(reader: str, document: Any):
    _check(reader, document)


FILE_READERS = sorted(set(READERS) - {"checkov report"})  # checkov's output is decoded by its runner


@settings(max_examples=100, deadline=None)
@given(reader=st.sampled_from(FILE_READERS), content=st.text(max_size=40) | st.sampled_from(["{", "[" * 5000, '{"a": ' * 3000]))
def test_text_that_is_not_json_is_one_clear_error(reader: str, content: str):
    read, _ = READERS[reader]
    try:
        read(content)
    except TfgenError as error:
        _one_line_error(error)
