"""The offline state file is checked before Terraform reads it: a broken one is named, not taken for a held lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tfgen.errors import InputError
from tfgen.offline.install import state_types

FIX = "(restore it from terraform.tfstate.backup beside it, or delete both to start the offline environment afresh)"


def _state(**changes: object) -> dict:
    state = {"version": 4, "terraform_version": "1.15.0", "serial": 3, "lineage": "l", "outputs": {}}
    state["resources"] = [
        {"mode": "managed", "type": "aws_ecs_cluster", "name": "this", "provider": "p", "instances": []},
        {"mode": "data", "type": "aws_region", "name": "current", "provider": "p", "instances": []},
        {"mode": "managed", "type": "random_id", "name": "x", "provider": "p", "instances": []},
    ]
    state.update(changes)
    return state


def _error(tmp_path: Path, content: str) -> str:
    path = tmp_path / "terraform.tfstate"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        state_types(path)
    assert caught.value.exit_code == 2
    return str(caught.value).replace(str(path), "FILE")


def test_the_managed_aws_types_of_a_good_state(tmp_path: Path):
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(_state()))
    assert state_types(path) == {"aws_ecs_cluster"}
    assert state_types(tmp_path / "none.tfstate") == set()


@pytest.mark.parametrize(
    "content, message",
    [
        ("garbage{", "FILE:1:1: <root>: the offline Terraform state is not valid JSON: Expecting value"),
        ("[]", "FILE:1:1: <root>: expected an object, got a list in the offline Terraform state"),
        (json.dumps(_state(version=3)), "FILE:1:1: version: unexpected value 3 in the offline Terraform state"),
        (json.dumps(_state(resources={"a": 1})), "FILE:1:1: resources: expected a list, got an object in the offline Terraform state"),
        (json.dumps(_state(resources=["aws_vpc"])), 'FILE:1:1: resources.0: expected an object, got "aws_vpc" in the offline Terraform state'),
        (json.dumps(_state(serial="3")), 'FILE:1:1: serial: expected an integer, got "3" in the offline Terraform state'),
        ('{"version": 4, "lineage": ' + "[" * 50_000 + "]" * 50_000 + "}", "FILE:1:1: <root>: the offline Terraform state is nested too deeply to be one"),
    ],
    ids=["not-json", "a-list", "version-3", "resources-object", "resources-scalars", "serial-string", "deep"],
)
def test_a_broken_state_is_a_located_error_with_the_way_out(tmp_path: Path, content: str, message: str):
    assert _error(tmp_path, content) == f"{message} {FIX}"
