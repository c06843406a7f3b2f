"""The words of blueprint problems (issue 11, "Messages"): each problem once, every problem at once,
no Python reprs or raw pydantic text, hints that look at how the value was written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import InputError


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


def write(tmp_path: Path, text: str, name: str = "app.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# --- YAML tags --------------------------------------------------------------------------------


def test_unknown_yaml_tags_are_located_errors_not_silently_dropped(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: !Ref Region
        tags: !Custom {team: x}
        services:
          api: {type: backend-service, image: !!python/object:os.system nginx, port: !<tag:example.com,2026:port> 80}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:2:9: region: YAML tag !Ref is not supported: blueprints are plain YAML (remove the tag)",
        "FILE:3:7: tags: YAML tag !Custom is not supported: blueprints are plain YAML (remove the tag)",
        "FILE:5:39: services.api.image: YAML tag !!python/object:os.system is not supported: blueprints are plain YAML (remove the tag)",
        "FILE:5:78: services.api.port: YAML tag !<tag:example.com,2026:port> is not supported: blueprints are plain YAML (remove the tag)",
    ]


def test_plain_yaml_tags_stay_allowed(tmp_path):
    path = write(
        tmp_path,
        """\
        name: !!str vote
        region: eu-west-1
        services: !!map
          api: {type: backend-service, image: nginx, port: !!int "8080", command: !!seq [a]}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert load_blueprint(path).blueprint.services["api"].port == 8080


# --- "quote it" -------------------------------------------------------------------------------


def test_quote_it_only_for_values_written_without_quotes(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        services:
          api: {type: backend-service, image: nginx, variables: {A: !!int "8080", B: 8080, C: !!bool 'true', D: yes}}
        environments:
          dev: {account: !!int "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:4:61: services.api.variables.A: expected a string, got 8080 (it is quoted, but the tag !!int makes it a number: remove the tag)",
        'FILE:4:78: services.api.variables.B: expected a string, got 8080 (quote it: "8080")',
        "FILE:4:87: services.api.variables.C: expected a string, got true (it is quoted, but the tag !!bool makes it a boolean: remove the tag)",
        "FILE:6:18: environments.dev.account: expected a string, got 111111111111 (it is quoted, but the tag !!int makes it a number: remove the tag)",
    ]
