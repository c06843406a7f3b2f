"""Property: whatever the input, the loader returns a blueprint or an InputError whose every line
is `FILE:LINE:COL: path: message` -- never any other exception (no traceback reaches a user)."""

from __future__ import annotations

import copy
import io
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tfgen.blueprint.loader import load_blueprint
from tfgen.blueprint.yaml_positions import parse_yaml
from tfgen.errors import InputError

DATA = Path(__file__).parents[1] / "data" / "blueprints"
GOOD = [(DATA / "good" / name).read_text() for name in ("vote.yaml", "existing-vpc.yaml")]
LINE = re.compile(r"^.+:\d+:\d+: .+: .+")
WORK = Path(tempfile.mkdtemp(prefix="tfgen-property-"))

KEYS = ["count", "min", "max", "cpu", "memory", "type", "image", "port", "http", "healthcheck", "vpc", "services", "overrides", "skip", "build", "ec2", "x"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "default", "web-service", "worker-service", "cron(0 * * * ? *)", "rate(1 minutes)", "@daily", "/", "vpc-1", "abc", "0.0.0.0/0"]),
    st.text(max_size=12),
)
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=3)), max_leaves=6
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def parent_and_key(data: Any, path: tuple) -> tuple[Any, Any]:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


def dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@st.composite
def mutated_blueprints(draw) -> str:
    text = draw(st.sampled_from(GOOD))
    data = copy.deepcopy(parse_yaml(text, "x").data)
    for _ in range(draw(st.integers(1, 4))):
        candidates = paths(data)[1:]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, key = parent_and_key(data, path)
        action = draw(st.sampled_from(["delete", "replace", "insert", "retype"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(values)
        elif action == "retype":
            value = parent[key]
            parent[key] = str(value) if not isinstance(value, str) else draw(st.sampled_from([[value], {value: value}, 7, None]))
        elif isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(KEYS) | st.text(min_size=1, max_size=8))] = draw(values)
        else:
            parent[key] = draw(values)
    return dump(data)


@st.composite
def edited_text(draw) -> str:
    text = draw(st.sampled_from(GOOD))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line", "indent"]))
        if action == "insert":
            text = text[:position] + draw(st.text(alphabet="[]{}:,-#&*!|>'\"\t\n %@?~0a", max_size=4)) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 20)) :]
        else:
            lines = text.splitlines(keepends=True)
            index = draw(st.integers(0, max(len(lines) - 1, 0)))
            if lines:
                lines.insert(index, lines[index] if action == "duplicate-line" else "  " + lines[index])
            text = "".join(lines)
    return text


def check(text: str) -> None:
    path = WORK / "blueprint.yaml"
    path.write_text(text)
    try:
        loaded = load_blueprint(path)
    except InputError as error:
        lines = str(error).splitlines()
        assert lines, "an InputError with no problem"
        for line in lines:
            assert LINE.match(line), line
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1
        return
    for env in loaded.environment_names():
        loaded.for_environment(env)
        try:
            loaded.network_for(env)
        except InputError as error:
            assert all(LINE.match(line) for line in str(error).splitlines())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_blueprints())
def test_mutated_blueprints_never_crash_the_loader(text: str):
    check(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_text())
def test_edited_yaml_text_never_crashes_the_loader(text: str):
    check(text)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes_the_loader(text: str):
    check(text)
