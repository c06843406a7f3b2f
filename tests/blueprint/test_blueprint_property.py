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


# --- the inputs of AWS's rules (tfgen.blueprint.aws_rules) ---------------------------------------

REGIONS = st.sampled_from(["eu-west-1", "eu-west-l", "EU-WEST-1", "us-gov-west-1", "cn-north-1", "eu-central-1", "xx-yy-9", ""]) | st.text(max_size=14)
ACCOUNTS = st.sampled_from(["111111111111", "222222222222", "1111", ""])
BUCKET_NAMES = ["vote-state", "xn--vote", "sthree-x", "amzn-s3-demo-x", "a-s3alias", "a--ol-s3", "a.mrap", "1.2.3.4", "a..b", "a.-b", "ab"]
BUCKETS = st.sampled_from(BUCKET_NAMES) | st.text(alphabet="abz09.-_A", max_size=70)
ARNS = st.builds(
    lambda partition, service, region, account, rest: f"arn:{partition}:{service}:{region}:{account}:{rest}",
    st.sampled_from(["aws", "aws-cn", "aws-us-gov", "x"]),
    st.sampled_from(["acm", "iam", "secretsmanager", "ssm", "s3"]),
    REGIONS,
    ACCOUNTS,
    st.sampled_from(["certificate/abc", "certificate", "secret:db", "secret:db:password::", "parameter/vote/key", "x"]),
)
CIDRS = st.sampled_from(["::/0", "2001:db8::/32", "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/28", "10.0.0.1/16", "10.0.0.0/33", "x"])
CRON_FIELD = st.one_of(
    st.sampled_from(["*", "?", "L", "LW", "15W", "3#2", "MON#6", "*/60", "0/15", "1-70", "JAN-DEC", "SUN", "MON-FRI", "6L", "", ","]),
    st.integers(-3, 3000).map(str),
    st.text(alphabet="0123456789*?/,-#LW", max_size=6),
)
SCHEDULES = st.one_of(
    st.lists(CRON_FIELD, min_size=4, max_size=7).map(lambda fields: f"cron({' '.join(fields)})"),
    st.builds(lambda n, unit: f"rate({n} {unit})", st.integers(-2, 10**12), st.sampled_from(["minute", "minutes", "hours", "days", "weeks"])),
)
TAG_TEXT = st.sampled_from(["", "aws:x", "AWS:team", "k" * 129, "v" * 257, "a#b", "team", "tab\t"]) | st.text(max_size=8)
PATHS = st.sampled_from(["/", "/..", "/tmp/../etc", "/./x", "/tmp", "/var/run", "tmp", "/tmp/"])
NAMES = st.sampled_from(["a-", "api-", "internal", "x", "a", "a-b", "b-c", "c"])
COUNTS = st.one_of(st.booleans(), st.integers(-2, 6000), st.floats(allow_nan=True), st.just("3"))


def _set(data: dict, path: tuple, value: Any) -> None:
    node = data
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value


@st.composite
def rule_blueprints(draw) -> str:
    """A good blueprint with values that AWS's rules decide on: regions, buckets, ARNs, CIDRs,
    schedules, tags, secrets, paths, names (trailing '-', colliding), counts, YAML tags."""
    data = copy.deepcopy(parse_yaml(draw(st.sampled_from(GOOD)), "x").data)
    services = list(data["services"])
    environments = list(data["environments"])
    for _ in range(draw(st.integers(1, 5))):
        service = draw(st.sampled_from(services))
        environment = draw(st.sampled_from(environments))
        action = draw(st.integers(0, 15))
        if action == 0:
            data["region"] = draw(REGIONS)
        elif action == 1:
            _set(data, ("environments", environment, "region"), draw(REGIONS))
        elif action == 2:
            _set(data, ("environments", environment, "state", draw(st.sampled_from(["bucket", "region"]))), draw(BUCKETS | REGIONS))
        elif action == 3:
            _set(data, ("environments", environment, "account"), draw(ACCOUNTS))
        elif action == 4:
            key = draw(st.sampled_from([("load_balancer", "certificate"), ("environments", environment, "overrides", "load_balancer", "certificate")]))
            _set(data, key, draw(ARNS))
        elif action == 5:
            _set(data, ("load_balancer", "allowed_source_ips"), draw(st.lists(CIDRS, max_size=3)))
        elif action == 6:
            _set(data, ("network", "vpc"), {"cidr": draw(CIDRS)})
        elif action == 7:
            _set(data, ("services", service, "schedule"), draw(SCHEDULES))
        elif action == 8:
            where = draw(st.sampled_from([("tags",), ("environments", environment, "overrides", "tags")]))
            _set(data, where, draw(st.dictionaries(TAG_TEXT, TAG_TEXT, max_size=3)))
        elif action == 9:
            _set(data, ("services", service, "secrets"), draw(st.dictionaries(st.sampled_from(["A", "B", "1X"]), ARNS | st.text(max_size=10), max_size=3)))
        elif action == 10:
            _set(data, ("services", service, "writable_paths"), draw(st.lists(PATHS, max_size=3)))
        elif action == 11:
            data["services"][draw(NAMES)] = copy.deepcopy(data["services"][service])
        elif action == 12:
            data["environments"][draw(NAMES)] = copy.deepcopy(data["environments"][environment])
        elif action == 13:
            data["services"][f"{service}-dlq"] = {"type": "worker-service", "image": "busybox"}
            _set(data, ("services", service, "type"), draw(st.sampled_from(["worker-service", "tpye", None])))
        elif action == 14:
            _set(data, ("services", service, draw(st.sampled_from(["count", "cpu", "port", "memory"]))), draw(COUNTS))
        else:
            data["name"] = draw(NAMES)
    text = dump(data)
    if draw(st.booleans()):  # an unknown or explicit YAML tag before some value
        lines = text.splitlines(keepends=True)
        index = draw(st.integers(0, len(lines) - 1))
        tag = draw(st.sampled_from(["!Ref ", "!Custom ", "!!int ", "!!str ", "!!binary ", "!<tag:x> "]))
        lines[index] = lines[index].replace(": ", f": {tag}", 1)
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
            assert "Input should" not in line and "Value error" not in line, line
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_blueprints())
def test_blueprints_with_aws_rule_inputs_never_crash_the_loader(text: str):
    check(text)
