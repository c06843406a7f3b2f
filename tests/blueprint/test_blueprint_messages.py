"""The words of blueprint problems (issue 11, "Messages"): each problem once, every problem at once,
no Python reprs or raw pydantic text, hints that look at how the value was written."""

from __future__ import annotations

import copy
import io
import math
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tfgen.blueprint.loader import load_blueprint
from tfgen.blueprint.yaml_positions import parse_yaml
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


# --- hostile values: never Python's or pydantic's words ----------------------------------------

GOOD = Path(__file__).parents[1] / "data" / "blueprints" / "good"
HOSTILE = {
    "null": None,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "long-string": "x" * 5000,
    "list": ["a", "b"],
    "list-of-null": [None, None],
    "mapping": {"a": {"b": None}},
    "empty-key": {"": None},
    "true": True,
    "huge": 10**30,
    "negative": -1,
    "empty": "",
}
# what must never reach a message: pydantic's own text, Python reprs of None, lists and dicts
LEAKS = re.compile(r"Input should|Value error|\bNone\b|\[['\"]|\{['\"]|\[None|\(\)|<class ")


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _batches(paths: list[tuple], size: int = 6) -> list[list[tuple]]:
    """`paths` in groups where no path is inside another (so one file tries several at once)."""
    batches, remaining = [], list(paths)
    while remaining:
        chosen: list[tuple] = []
        rest = []
        for path in remaining:
            overlaps = any(path[: len(other)] == other or other[: len(path)] == path for other in chosen)
            (rest if overlaps or len(chosen) >= size else chosen).append(path)
        batches.append(chosen)
        remaining = rest
    return batches


def _dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_values_anywhere_give_located_problems_in_plain_words(tmp_path, name):
    value = HOSTILE[name]
    checked = 0
    for blueprint in sorted(GOOD.glob("*.yaml")):
        data = parse_yaml(blueprint.read_text(), str(blueprint)).data
        for batch in _batches(_paths(data)[1:]):
            mutated = copy.deepcopy(data)
            for path in batch:
                node = mutated
                for part in path[:-1]:
                    node = node[part]
                node[path[-1]] = copy.deepcopy(value)
            path = write(tmp_path, _dump(mutated), "hostile.yaml")
            try:
                load_blueprint(path)
            except InputError as error:
                assert error.problems, "an InputError without problems"
                for line in str(error).splitlines():
                    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: \S+: \S", line), line
                    assert not LEAKS.search(line), line
            checked += 1
    assert checked > 20


# --- no coercion: booleans are not integers, text is not a number ------------------------------


def test_booleans_and_text_are_not_integers_and_numbers_are_not_booleans(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        cluster: {container_insights: "yes", capacity: {fargate: {weight: true}}}
        services:
          api:
            type: backend-service
            image: nginx
            count: true
            cpu: 256.0
            memory: "512"
            port: .nan
            exec: 1
          web:
            type: worker-service
            image: nginx
            count: {min: false, max: 3.5}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}, protected: "no"}
        """,
    )
    assert errors_of(path) == [
        "FILE:3:31: cluster.container_insights: expected true or false, got 'yes'",
        "FILE:3:67: cluster.capacity.fargate.weight: expected an integer, got true",
        "FILE:8:12: services.api.count: expected an integer or a mapping {min, max, cpu, memory, requests}, got true",
        "FILE:9:10: services.api.cpu: expected an integer, got 256.0",
        "FILE:10:13: services.api.memory: expected an integer, got '512' (write it without quotes: 512)",
        "FILE:11:11: services.api.port: expected an integer, got nan",
        "FILE:12:11: services.api.exec: expected true or false, got 1",
        "FILE:16:18: services.web.count.min: expected an integer, got false",
        "FILE:16:30: services.web.count.max: expected an integer, got 3.5",
        "FILE:18:72: environments.dev.protected: expected true or false, got 'no'",
    ]


def test_a_service_type_that_is_not_text_is_shown_as_written(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        services:
          api: {type: null, image: nginx}
          web: {type: [web-service], image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:4:15: services.api.type: expected a service type, got null (one of web-service, backend-service, worker-service, scheduled-job)",
        "FILE:5:15: services.web.type: expected a service type, got a list (one of web-service, backend-service, worker-service, scheduled-job)",
    ]


# --- each problem once ------------------------------------------------------------------------


def test_a_missing_key_is_reported_once_not_again_per_environment(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        load_balancer: {protocol: http, access_logs: {prefix: x}}
        services:
          api: {type: web-service}
        environments:
          dev:
            account: "111111111111"
            state: {bucket: vote-dev}
            overrides:
              services: {api: {cpu: 512, memory: 1024}}
              load_balancer: {access_logs: {prefix: y}}
          prod: {account: "111111111111", state: {bucket: vote-prod}}
        """,
    )
    assert errors_of(path) == [
        "FILE:1:1: <root>: missing required key 'region'",
        "FILE:2:33: load_balancer.access_logs: missing required key 'bucket'",
        "FILE:4:3: services.api: missing required key 'image'",
    ]


def test_a_key_missing_from_a_mapping_an_override_brings_is_reported_at_the_override(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        load_balancer: {protocol: http}
        services:
          api: {type: web-service, image: nginx}
        environments:
          dev:
            account: "111111111111"
            state: {bucket: vote-dev}
            overrides:
              load_balancer: {access_logs: {prefix: y}}
        """,
    )
    assert errors_of(path) == ["FILE:11:23: environments.dev.overrides.load_balancer.access_logs: missing required key 'bucket'"]


# --- every problem at once: a typo in `type` hides nothing --------------------------------------


def test_a_misspelled_type_key_or_value_does_not_hide_the_services_other_problems(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        load_balancer: {protocol: http}
        services:
          api:
            tpye: web-service
            image: nginx
            port: 99999
            count: true
            prot: 80
          web:
            type: web-servise
            image: nginx
            port: 0
          db:
            image: postgres
            cpu: 100
            prot: 5432
            port: 70000
          job:
            tpye: scheduled-job
            image: busybox
            schedule: "@daily"
            cpu: 300
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}, overrides: {services: {api: {memory: 1024}, db: {memory: 4}}}}
        """,
    )
    assert errors_of(path) == [
        "FILE:6:5: services.api.tpye: unknown key 'tpye' (did you mean 'type'?)",
        "FILE:8:11: services.api.port: must be at most 65535, got 99999",
        "FILE:9:12: services.api.count: expected an integer or a mapping {min, max, cpu, memory, requests}, got true",
        "FILE:10:5: services.api.prot: unknown key 'prot' (did you mean 'port'?)",
        "FILE:12:11: services.web.type: unknown service type 'web-servise' (did you mean 'web-service'?)",
        "FILE:14:11: services.web.port: must be at least 1, got 0",
        # no type at all: the problems it has whatever its type (port is not one: workers have none)
        "FILE:15:3: services.db: missing required key 'type' (one of web-service, backend-service, worker-service, scheduled-job)",
        "FILE:17:10: services.db.cpu: must be at least 128, got 100",
        "FILE:18:5: services.db.prot: unknown key 'prot'",
        "FILE:21:5: services.job.tpye: unknown key 'tpye' (did you mean 'type'?)",
        "FILE:24:5: services.job.cpu: cpu 300 is not a Fargate size (one of 256, 512, 1024, 2048, 4096, 8192, 16384)",
        "FILE:26:118: environments.dev.overrides.services.db.memory: must be at least 128, got 4",
    ]


# --- duplicate listener rule priorities ----------------------------------------------------------


def test_duplicate_priorities_are_located_at_the_service_and_name_both_services(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        load_balancer: {protocol: http}
        services:
          api: {type: web-service, image: nginx, http: {path: /api/*, priority: 5}}
          web: {type: web-service, image: nginx, http: {path: /*, priority: 5}}
          admin: {type: web-service, image: nginx, http: {path: /admin/*, priority: 7}}
        environments:
          dev:
            account: "111111111111"
            state: {bucket: vote-dev}
            overrides:
              services: {admin: {http: {priority: 5}}}
          prod: {account: "222222222222", state: {bucket: vote-prod}}
        """,
    )
    assert errors_of(path) == [
        "FILE:6:69: services.web.http.priority: services 'api' and 'web' both have listener rule priority 5: "
        "priorities are unique on the load balancer's listener (give one of them another http.priority (1-50000), or leave it out for a derived one)",
        # the merged environment: the override gives admin the priority api has
        "FILE:13:43: environments.dev.overrides.services.admin.http.priority: services 'api' and 'admin' both have listener rule priority 5: "
        "priorities are unique on the load balancer's listener (give one of them another http.priority (1-50000), or leave it out for a derived one)",
    ]


def test_a_priority_duplicated_only_in_one_environment_names_that_environment(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        load_balancer: {protocol: http}
        services:
          api: {type: web-service, image: nginx, http: {path: /api/*, priority: 5}}
          web: {type: web-service, image: nginx, http: {path: /*, priority: 6}}
        environments:
          dev:
            account: "111111111111"
            state: {bucket: vote-dev}
            overrides:
              services: {api: {http: {priority: 6}}}
        """,
    )
    assert errors_of(path) == [
        "FILE:6:69: services.web.http.priority: in environment 'dev': services 'api' and 'web' both have listener rule priority 6: "
        "priorities are unique on the load balancer's listener (give one of them another http.priority (1-50000), or leave it out for a derived one)",
    ]
