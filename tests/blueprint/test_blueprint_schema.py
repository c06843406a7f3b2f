"""`tfgen schema`: the JSON Schema comes from the model and accepts the SPEC's example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint, validate_blueprints
from tfgen.blueprint.yaml_positions import parse_yaml
from tfgen.cli import TfgenGroup, cli

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parents[1] / "data" / "blueprints"
SPEC_EXAMPLE = DATA / "spec" / "section-3.yaml"  # the example of SPEC.md §3, copied verbatim


def schema_from_cli() -> dict:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def spec_example() -> str:
    return SPEC_EXAMPLE.read_text()


def test_schema_command_prints_sorted_json_with_descriptions():
    result = CliRunner().invoke(cli, ["schema"])
    schema = json.loads(result.output)
    assert result.output.strip() == json.dumps(schema, indent=2, sort_keys=True)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "tfgen blueprint"
    missing = [
        f"{name}.{field}"
        for name, definition in {"Blueprint": schema, **schema["$defs"]}.items()
        for field, prop in definition.get("properties", {}).items()
        if "description" not in prop
    ]
    assert missing == []


def test_schema_accepts_the_spec_example_and_the_good_blueprints():
    validator = jsonschema.Draft202012Validator(schema_from_cli())
    documents = [parse_yaml(spec_example(), "SPEC.md").data] + [load_blueprint(p).raw for p in sorted((DATA / "good").glob("*.yaml"))]
    for document in documents:
        assert list(validator.iter_errors(document)) == []


def test_schema_rejects_what_the_model_rejects():
    validator = jsonschema.Draft202012Validator(schema_from_cli())
    document = parse_yaml(spec_example(), "SPEC.md").data
    document["services"]["vote-api"]["prot"] = 1
    assert not validator.is_valid(document)
    document = parse_yaml(spec_example(), "SPEC.md").data
    document["services"]["vote-api"]["type"] = "web-servise"
    assert not validator.is_valid(document)


@click.command()
@click.argument("paths", nargs=-1)
def _validate(paths):
    validate_blueprints(paths)
    click.echo("ok")


def test_bad_blueprint_exits_2_with_located_problems_through_the_cli_group():
    group = TfgenGroup(commands={"validate-blueprints": _validate})
    runner = CliRunner()
    bad = DATA / "bad" / "unknown_keys.yaml"
    result = runner.invoke(group, ["validate-blueprints", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:10:7: services.vote-api.http.healthchek: unknown key 'healthchek' (did you mean 'healthcheck'?)" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(group, ["validate-blueprints", str(DATA / "good" / "vote.yaml")])
    assert (result.exit_code, result.output) == (0, "ok\n")


@pytest.mark.parametrize("path", sorted((DATA / "bad").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bad_fixture_exits_2(path: Path):
    result = CliRunner().invoke(TfgenGroup(commands={"v": _validate}), ["v", str(path)])
    assert result.exit_code == 2
    assert all(re.match(r"^.+:\d+:\d+: .+: .+", line) for line in result.output.splitlines())
