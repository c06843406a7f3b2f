"""The provider schema tfgen ships: facts only, every resource and data source, the default for the
offline provider; the pack script turns a `terraform providers schema -json` output into it, and
TFGEN_AWS_SCHEMA overrides it with a raw or packed file."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tfgen.offline.install import trimmed_schema
from tfgen.offline.schema import (
    ATTRIBUTE_FACTS,
    NESTED_BLOCK_FACTS,
    PACKAGED_SCHEMA,
    PACKAGED_VERSION,
    SchemaFileError,
    load_provider_schemas,
    pack,
    read_schema_document,
    schema_source,
)

RAW = {
    "format_version": "1.0",
    "provider_schemas": {
        "registry.terraform.io/hashicorp/aws": {
            "provider": {
                "version": 0,
                "block": {"attributes": {"region": {"type": "string", "description": "The region.", "description_kind": "plain", "optional": True}}},
            },
            "resource_schemas": {
                "aws_sqs_queue": {
                    "version": 0,
                    "block": {
                        "description": "A queue.",
                        "description_kind": "markdown",
                        "attributes": {
                            "name": {"type": "string", "description": "Name.", "description_kind": "plain", "optional": True, "computed": True},
                            "arn": {"type": "string", "description_kind": "plain", "computed": True},
                            "kms_data_key": {"type": "string", "sensitive": True, "optional": True, "deprecated": True},
                        },
                        "block_types": {
                            "timeouts": {
                                "nesting_mode": "single",
                                "block": {"attributes": {"create": {"type": "string", "optional": True, "description": "x"}}},
                            },
                            "redrive": {
                                "nesting_mode": "list",
                                "min_items": 0,
                                "max_items": 1,
                                "block": {"attributes": {"arn": {"type": ["list", "string"], "required": True}}},
                            },
                        },
                    },
                }
            },
            "data_source_schemas": {"aws_region": {"version": 1, "block": {"attributes": {"name": {"type": "string", "computed": True, "description": "d"}}}}},
        }
    },
}


def _walk(block: dict):
    yield block
    for nested in (block.get("block_types") or {}).values():
        yield from _walk(nested["block"])


def test_packed_form_keeps_the_facts_and_drops_descriptions():
    packed = json.loads(gzip.decompress(pack(RAW, version="9.9.9")))
    entry = packed["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
    queue = entry["resource_schemas"]["aws_sqs_queue"]
    assert queue["block"]["attributes"] == {
        "name": {"type": "string", "optional": True, "computed": True},
        "arn": {"type": "string", "computed": True},
        "kms_data_key": {"type": "string", "sensitive": True, "optional": True, "deprecated": True},
    }
    assert queue["block"]["block_types"]["redrive"] == {
        "nesting_mode": "list",
        "max_items": 1,
        "block": {"attributes": {"arn": {"type": ["list", "string"], "required": True}}},
    }
    assert entry["data_source_schemas"]["aws_region"]["version"] == 1
    assert packed["tfgen_provider_version"] == "9.9.9"
    assert "description" not in json.dumps(packed)
    assert pack(RAW, version="9.9.9") == pack(json.loads(json.dumps(RAW)), version="9.9.9")  # deterministic bytes


def test_the_packaged_schema_is_the_whole_provider_as_facts():
    assert PACKAGED_SCHEMA.name == f"aws-{PACKAGED_VERSION}.json.gz" and PACKAGED_SCHEMA.stat().st_size < 400 * 1024
    document = read_schema_document(PACKAGED_SCHEMA)
    assert document["tfgen_provider_version"] == PACKAGED_VERSION
    entry = load_provider_schemas(PACKAGED_SCHEMA)
    assert len(entry["resource_schemas"]) >= 1650 and len(entry["data_source_schemas"]) >= 660
    for name in ("aws_ecs_service", "aws_lb_listener_rule", "aws_scheduler_schedule", "aws_sfn_state_machine", "aws_efs_file_system"):
        assert name in entry["resource_schemas"], name
    service = entry["resource_schemas"]["aws_ecs_service"]["block"]
    assert service["block_types"]["deployment_configuration"]["max_items"] == 1
    assert service["attributes"]["force_new_deployment"] == {"type": "bool", "optional": True}
    for schema in entry["resource_schemas"].values():
        for block in _walk(schema["block"]):
            assert set(block) <= {"attributes", "block_types", "deprecated"}
            for spec in (block.get("attributes") or {}).values():
                assert set(spec) <= set(ATTRIBUTE_FACTS)
            for spec in (block.get("block_types") or {}).values():
                assert set(spec) <= {*NESTED_BLOCK_FACTS, "block"}


def test_the_packaged_schema_is_the_default_and_tfgen_aws_schema_overrides_it(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("TFGEN_AWS_SCHEMA", raising=False)
    source = schema_source()
    assert (source.path, source.version, source.packaged) == (PACKAGED_SCHEMA, PACKAGED_VERSION, True)
    raw = tmp_path / "aws-9.9.9.json"
    raw.write_text(json.dumps(RAW))
    monkeypatch.setenv("TFGEN_AWS_SCHEMA", str(raw))
    source = schema_source()
    assert (source.path, source.version, source.packaged) == (raw.resolve(), "9.9.9", False)
    assert "aws_sqs_queue" in load_provider_schemas(source.path)["resource_schemas"]
    monkeypatch.setenv("TFGEN_AWS_SCHEMA", str(tmp_path / "missing.json"))
    with pytest.raises(SchemaFileError, match=r"not found .*terraform providers schema -json"):
        schema_source()


def test_pack_script_writes_a_file_the_offline_provider_serves(tmp_path: Path, monkeypatch):
    raw = tmp_path / "aws-9.9.9.json"
    raw.write_text(json.dumps(RAW))
    result = subprocess.run(
        [sys.executable, "-m", "tfgen.offline.pack", str(raw), "-o", str(tmp_path / "out" / "aws-9.9.9.json.gz")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    packed = tmp_path / "out" / "aws-9.9.9.json.gz"
    assert "hashicorp/aws 9.9.9" in result.stderr and packed.read_bytes().startswith(b"\x1f\x8b")
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    trimmed = load_provider_schemas(trimmed_schema(packed, {"aws_sqs_queue", "aws_nope"}, {"aws_region"}))
    assert set(trimmed["resource_schemas"]) == {"aws_sqs_queue"} and set(trimmed["data_source_schemas"]) == {"aws_region"}


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"provider_schemas": []},
        {"provider_schemas": {"x/aws": {"resource_schemas": []}}},
        {"provider_schemas": {"x/aws": {"resource_schemas": {"aws_x": "no"}}}},
    ],
    ids=["a list", "schemas a list", "resources a list", "a resource a string"],
)
def test_wrong_shapes_are_one_line_errors(tmp_path: Path, document):
    path = tmp_path / "aws.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SchemaFileError, match="terraform providers schema -json"):
        load_provider_schemas(path)
    result = subprocess.run([sys.executable, "-m", "tfgen.offline.pack", str(path), "-o", str(tmp_path / "o.json.gz")], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
