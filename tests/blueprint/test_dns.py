"""`load_balancer.hosted_zone` and `http.alias` as one name or a list: what AWS refuses (names outside
the zone, wildcards Route 53 does not take, ALB's condition quotas per rule) is a located error;
the single-name form keeps its derived listener rule priority."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.errors import InputError
from tfgen.services.web import derived_priority, listener_priorities

CERT = "arn:aws:acm:eu-west-1:111111111111:certificate/aaaaaaaa-1111-4a4a-9c9c-000000000001"


def blueprint(tmp_path: Path, zone: str, alias: str, *, dev_overrides: str = "{}", extra_service: str = "") -> Path:
    path = tmp_path / "vote.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: vote
            region: eu-west-1
            network: {{vpc: {{cidr: 10.0.0.0/16}}}}
            load_balancer:
              certificate: {CERT}
              hosted_zone: {zone}
            services:
              api:
                type: web-service
                image: nginx
                port: 8080
                http:
                  path: /api/*
                  alias: {alias}
            {extra_service}
            environments:
              dev: {{account: "111111111111", state: {{bucket: vote-tfstate-dev}}, overrides: {dev_overrides}}}
            """
        )
    )
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


def test_aliases_in_the_zone_load_as_a_list_and_a_single_name(tmp_path: Path):
    loaded = load_blueprint(blueprint(tmp_path, "example.com.", "[vote.example.com, '*.vote.example.com', example.com]"))
    assert loaded.blueprint.load_balancer is not None and loaded.blueprint.load_balancer.hosted_zone == "example.com"
    assert loaded.blueprint.web_services()["api"].http.aliases() == ["vote.example.com", "*.vote.example.com", "example.com"]
    single = load_blueprint(blueprint(tmp_path, "example.com", "vote.example.com"))
    assert single.blueprint.web_services()["api"].http.aliases() == ["vote.example.com"]


def test_an_alias_outside_the_zone_is_located_at_its_list_item(tmp_path: Path):
    path = blueprint(tmp_path, "example.com", "[vote.example.com, vote.example.org, notexample.com]")
    assert problems(path) == [
        "FILE:14:33: services.api.http.alias[1]: 'vote.example.org' is not in the hosted zone example.com: its alias record cannot be "
        "created there (use a name ending in .example.com, or set another load_balancer.hosted_zone: an environment may override it)",
        "FILE:14:51: services.api.http.alias[2]: 'notexample.com' is not in the hosted zone example.com: its alias record cannot be "
        "created there (use a name ending in .example.com, or set another load_balancer.hosted_zone: an environment may override it)",
    ]
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_single_alias_outside_the_zone_is_located_at_the_alias(tmp_path: Path):
    assert problems(blueprint(tmp_path, "example.com", "vote.example.org")) == [
        "FILE:14:14: services.api.http.alias: 'vote.example.org' is not in the hosted zone example.com: its alias record cannot be "
        "created there (use a name ending in .example.com, or set another load_balancer.hosted_zone: an environment may override it)"
    ]


def test_an_environment_changes_zone_and_aliases_together_and_each_is_checked(tmp_path: Path):
    overrides = "{load_balancer: {hosted_zone: dev.example.com}, services: {api: {http: {alias: [dev.example.com]}}}}"
    good = blueprint(tmp_path, "example.com", "vote.example.com", dev_overrides=overrides)
    dev = load_blueprint(good).for_environment("dev")
    assert dev.load_balancer is not None and dev.load_balancer.hosted_zone == "dev.example.com"
    assert dev.web_services()["api"].http.aliases() == ["dev.example.com"]
    # the zone changes in dev, the alias does not: dev's records would be outside dev's zone
    bad = blueprint(tmp_path, "example.com", "vote.example.com", dev_overrides="{load_balancer: {hosted_zone: dev.example.com}}")
    assert problems(bad) == [
        "FILE:14:14: services.api.http.alias: in environment 'dev': 'vote.example.com' is not in the hosted zone dev.example.com: its alias record cannot be "
        "created there (use a name ending in .dev.example.com, or set another load_balancer.hosted_zone: an environment may override it)"
    ]


@pytest.mark.parametrize("zone", ["bad_zone", "-example.com", "example..com", "Example.com", "a" * 64 + ".com", "https://example.com"])
def test_a_malformed_hosted_zone_is_located(tmp_path: Path, zone: str):
    lines = problems(blueprint(tmp_path, f"'{zone}'", "vote.example.com"))
    assert len(lines) == 1
    assert lines[0].startswith(f"FILE:6:16: load_balancer.hosted_zone: '{zone}' is not a DNS zone name (write the domain, e.g. example.com:")


def test_more_aliases_than_a_rule_takes_are_refused_at_the_first_one_over(tmp_path: Path):
    names = ", ".join(f"a{i}.example.com" for i in range(5))
    assert problems(blueprint(tmp_path, "example.com", f"[{names}]")) == [
        "FILE:14:79: services.api.http.alias[4]: 5 host names and the path pattern are 6 condition values; AWS allows 5 per listener rule "
        "(give the service at most 4 aliases (a wildcard such as *.example.com covers many))"
    ]
    assert load_blueprint(blueprint(tmp_path, "example.com", f"[{names.rsplit(', ', 1)[0]}]"))  # four fit


def test_too_many_wildcards_in_one_rule_are_refused(tmp_path: Path):
    # /api/* has one, the names five ('*.d?' is no record name either)
    lines = problems(blueprint(tmp_path, "example.com", "['*.a.example.com', '*.b.example.com', '*.c.example.com', '*.d?.example.com']"))
    assert sorted(lines) == [
        "FILE:14:72: services.api.http.alias[3]: '*.d?.example.com' has no alias record in example.com: Route 53 takes a wildcard only as "
        "the whole leftmost label (*.example.com); elsewhere '*' and '?' are literal characters (write *.NAME, or a name without wildcards)",
        "FILE:14:72: services.api.http.alias[3]: the path pattern and host names have 6 wildcards ('*', '?'); AWS allows 5 per listener rule "
        "(use fewer wildcards in http.alias and http.path)",
    ]


def test_a_path_over_the_wildcard_quota_is_refused_at_the_path(tmp_path: Path):
    """Six wildcards in the path alone: the error is the path's, with or without host names."""
    over = (
        "FILE:13:13: services.api.http.path: the path pattern and host names have {n} wildcards ('*', '?'); AWS allows 5 per listener rule "
        "(use fewer wildcards in http.alias and http.path)"
    )
    path = blueprint(tmp_path, "example.com", "vote.example.com")
    path.write_text(path.read_text().replace("/api/*", "/*/*/*/*/*/*"))
    assert problems(path) == [over.format(n=6)]
    path.write_text(path.read_text().replace("      alias: vote.example.com\n", ""))
    assert problems(path) == [over.format(n=6)]


def test_a_repeated_alias_is_refused(tmp_path: Path):
    assert problems(blueprint(tmp_path, "example.com", "[vote.example.com, www.example.com, vote.example.com]")) == [
        "FILE:14:14: services.api.http.alias: alias repeats vote.example.com"
    ]


def test_two_environments_of_one_account_cannot_create_the_same_record(tmp_path: Path):
    """Route 53 refuses a second record of one name and type in a zone: staging in dev's account with
    dev's names is an error at the name; its own names in its override, or another account, load."""
    path = blueprint(tmp_path, "example.com", "[vote.example.com, www.example.com]")
    staging = '  staging: {account: "111111111111", state: {bucket: vote-tfstate-staging}, overrides: %s}\n'
    base = path.read_text()
    path.write_text(base + staging % "{}")
    assert problems(path) == [
        "FILE:14:15: services.api.http.alias[0]: in environment 'staging': environments 'dev' and 'staging' both create the alias record "
        "vote.example.com in zone example.com of account 111111111111: Route 53 refuses the second, the record exists "
        "(give staging its own names (and zone) in environments.staging.overrides)",
        "FILE:14:33: services.api.http.alias[1]: in environment 'staging': environments 'dev' and 'staging' both create the alias record "
        "www.example.com in zone example.com of account 111111111111: Route 53 refuses the second, the record exists "
        "(give staging its own names (and zone) in environments.staging.overrides)",
    ]
    path.write_text(base + staging % "{services: {api: {http: {alias: [staging.example.com]}}}}")
    assert list(load_blueprint(path).environments) == ["dev", "staging"]
    other_certificate = "{load_balancer: {certificate: '" + CERT.replace("111111111111", "222222222222") + "'}}"
    path.write_text(base + staging.replace("111111111111", "222222222222") % other_certificate)
    assert list(load_blueprint(path).environments) == ["dev", "staging"]


def test_a_wildcard_route_53_does_not_take_is_refused_with_a_zone_only(tmp_path: Path):
    assert problems(blueprint(tmp_path, "example.com", "'api-*.example.com'")) == [
        "FILE:14:14: services.api.http.alias: 'api-*.example.com' has no alias record in example.com: Route 53 takes a wildcard only as "
        "the whole leftmost label (*.example.com); elsewhere '*' and '?' are literal characters (write *.NAME, or a name without wildcards)"
    ]


def test_two_services_on_the_same_host_and_path_are_refused(tmp_path: Path):
    other = "  web: {type: web-service, image: nginx, port: 8080, http: {path: /api/*, alias: [www.example.com, vote.example.com]}}"
    assert problems(blueprint(tmp_path, "example.com", "vote.example.com", extra_service=other)) == [
        "FILE:15:3: services.web: services 'api' and 'web' both route path /api/* on vote.example.com: one of the two listener rules "
        "would never match (give one of them another http.path or http.alias)"
    ]
    other = "  web: {type: web-service, image: nginx, port: 8080, http: {path: /api/*, alias: www.example.com}}"
    assert load_blueprint(blueprint(tmp_path, "example.com", "vote.example.com", extra_service=other))


def test_the_single_alias_form_keeps_its_derived_priority(tmp_path: Path):
    single = load_blueprint(blueprint(tmp_path, "example.com", "vote.example.com")).blueprint.web_services()
    listed = load_blueprint(blueprint(tmp_path, "example.com", "[vote.example.com, www.example.com]")).blueprint.web_services()
    # the value tfgen derived for a host rule on /api/* named 'api' before alias lists existed
    assert derived_priority("api", single["api"]) == derived_priority("api", listed["api"]) == 23412
    assert listener_priorities(single) == {"api": 23412}
