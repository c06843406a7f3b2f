"""What AWS refuses, tfgen refuses first (tfgen.blueprint.aws_rules): one test per rule, on the
rule itself and on a blueprint, located (the values on their own: tests/data/blueprints/bad/aws-values)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import hcl2
import pytest

from tfgen.blueprint import aws_rules
from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import InputError
from tfgen.render import render_files


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(textwrap.dedent(text))
    return path


# --- S3 bucket names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, problem",
    [
        ("ab", "has 2 characters; S3 bucket names have 3 to 63"),
        ("a" * 64, "has 64 characters; S3 bucket names have 3 to 63"),
        ("Vote-state", "has characters S3 bucket names cannot have: only a-z, 0-9, '.' and '-'"),
        ("vote_state", "has characters S3 bucket names cannot have: only a-z, 0-9, '.' and '-'"),
        ("-vote", "must begin and end with a letter or a digit"),
        ("vote.", "must begin and end with a letter or a digit"),
        ("vote..state", "contains '..': S3 bucket names cannot have a dot next to a dot or a hyphen"),
        ("vote.-state", "contains '.-': S3 bucket names cannot have a dot next to a dot or a hyphen"),
        ("vote-.state", "contains '-.': S3 bucket names cannot have a dot next to a dot or a hyphen"),
        ("192.168.5.4", "is formatted as an IP address"),
        ("xn--vote", "starts with 'xn--', which S3 reserves"),
        ("sthree-vote", "starts with 'sthree-', which S3 reserves"),
        ("sthree-configurator-x", "starts with 'sthree-', which S3 reserves"),
        ("amzn-s3-demo-vote", "starts with 'amzn-s3-demo-', which S3 reserves"),
        ("vote-s3alias", "ends with '-s3alias', which S3 reserves"),
        ("vote--ol-s3", "ends with '--ol-s3', which S3 reserves"),
        ("vote.mrap", "ends with '.mrap', which S3 reserves"),
        ("vote--x-s3", "ends with '--x-s3', which S3 reserves"),
        ("vote--table-s3", "ends with '--table-s3', which S3 reserves"),
    ],
)
def test_bucket_names_aws_refuses(name, problem):
    assert aws_rules.bucket_name_problem(name) == problem


@pytest.mark.parametrize("name", ["vote-tfstate-dev", "a.b.c", "192.168.5.4a", "xn-vote", "abc", "a" * 63, "vote-s3alias-x"])
def test_bucket_names_aws_accepts(name):
    assert aws_rules.bucket_name_problem(name) is None


# --- regions (botocore's data) -----------------------------------------------------------------


def test_regions_and_partitions_come_from_botocores_data():
    regions = aws_rules.region_partitions()
    assert regions["eu-west-1"] == "aws"
    assert regions["us-gov-west-1"] == "aws-us-gov"
    assert regions["cn-north-1"] == "aws-cn"
    assert "aws-global" not in regions  # a pseudo-region of the endpoint data, not a region to deploy to
    assert len(regions) > 30


@pytest.mark.parametrize(
    "typo, meant",
    [("eu-west-l", "eu-west-1"), ("EU-WEST-1", "eu-west-1"), ("eu-wset-1", "eu-west-1"), ("us-east-x", "us-east-1"), ("ap-southeast-l", "ap-southeast-1")],
)
def test_a_misspelled_region_gets_did_you_mean(typo, meant):
    with pytest.raises(aws_rules.Refused) as refused:
        aws_rules.check_region(typo)
    assert str(refused.value) == f"'{typo}' is not an AWS region"
    assert refused.value.hint == f"did you mean '{meant}'?"


# --- schedules (EventBridge's fields and wildcards) -----------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "0 10 * * ? *",
        "0/15 * ? * MON-FRI *",
        "15 10 ? * 6L 2022-2023",
        "0 8 L * ? *",
        "0 8 LW * ? *",
        "0 8 15W * ? *",
        "0 8 ? * 3#2 *",
        "0 8 ? jan,FEB,Mar * *",
        "0 8 1 * ? 2199",
        "5,35 14 * * ? */5",
        "0-15/1 8-8 ? * 2,3,4,5,6,7 *",
        "1-31/30 1-1 ? * 1,7 *",
    ],
)
def test_cron_expressions_eventbridge_accepts(expression):
    assert aws_rules.cron_problems(expression.split()) == []


@pytest.mark.parametrize(
    "expression, problems",
    [
        ("99 99 * * ? *", ["minutes: '99' is not 0-59", "hours: '99' is not 0-23"]),
        ("*/60 * * * ? *", ["minutes: the increment in '*/60' is not 1 to 59"]),
        ("0 0 32 * ? *", ["day-of-month: '32' is not 1-31"]),
        ("0 0 0 * ? *", ["day-of-month: '0' is not 1-31"]),
        ("0 0 1 13 ? *", ["month: '13' is not 1-12 or JAN-DEC"]),
        ("0 0 1 JANUARY ? *", ["month: 'JANUARY' is not 1-12 or JAN-DEC"]),
        ("0 0 ? * 8 *", ["day-of-week: '8' is not 1-7 or SUN-SAT"]),
        ("0 0 ? * MON#6 *", ["day-of-week: in 'MON#6' the week of the month after '#' is not 1 to 5"]),
        ("0 0 ? * 3#1,6#3 *", ["day-of-week: '3#1,6#3': '#' takes a field of its own"]),
        ("0 0 ? * MON/2 *", ["day-of-week: '/' (an increment) is not allowed here"]),
        ("0 0 1 * ? 1969", ["year: '1969' is not 1970-2199"]),
        ("0 L * * ? *", ["hours: 'L' is not 0-23"]),
        ("? 0 * * ? *", ["minutes: '?' is for day-of-month or day-of-week only"]),
        ("0,,5 * * * ? *", ["minutes: an empty value between commas"]),
    ],
)
def test_cron_expressions_eventbridge_refuses(expression, problems):
    assert aws_rules.cron_problems(expression.split()) == problems


def test_rates_longer_than_a_year_are_refused():
    assert aws_rules.rate_problem(365, "days") is None
    assert aws_rules.rate_problem(525600, "minutes") is None
    assert aws_rules.rate_problem(366, "days") == "is longer than a year: tfgen runs jobs at most a year apart"
    assert aws_rules.rate_problem(100000, "days") == "is longer than a year: tfgen runs jobs at most a year apart"
    assert aws_rules.rate_problem(8761, "hours") == "is longer than a year: tfgen runs jobs at most a year apart"


# --- tags --------------------------------------------------------------------------------------


def test_tag_limits():
    assert aws_rules.check_tag_key("k" * 128) == "k" * 128
    assert aws_rules.check_tag_value("v" * 256) == "v" * 256
    assert aws_rules.check_tag_value("") == ""
    assert aws_rules.check_tag_value("Ünïcode + spaces = ok @ a.b:c/d_e-f") == "Ünïcode + spaces = ok @ a.b:c/d_e-f"
    for check, text, message in [
        (aws_rules.check_tag_key, "", "a tag key cannot be empty"),
        (aws_rules.check_tag_key, "k" * 129, "the tag key has 129 characters; AWS allows 128"),
        (aws_rules.check_tag_value, "v" * 257, "the tag value has 257 characters; AWS allows 256"),
        (aws_rules.check_tag_key, "AWS:team", "the tag key 'AWS:team' starts with 'aws:', which AWS reserves"),
        (aws_rules.check_tag_value, "Aws:x", "the tag value 'Aws:x' starts with 'aws:', which AWS reserves"),
        (aws_rules.check_tag_key, "team\t", "the tag key 'team\t' has characters AWS tags cannot have (\\t): letters, digits, spaces and + - = . _ : / @"),
    ]:
        with pytest.raises(aws_rules.Refused) as refused:
            check(text)
        assert str(refused.value) == message


def test_more_tags_than_aws_allows_on_a_resource(tmp_path):
    tags = ", ".join(f"t{i}: v" for i in range(45))
    path = write(
        tmp_path,
        f"""\
        name: vote
        region: eu-west-1
        tags: {{{tags}}}
        services:
          api: {{type: backend-service, image: nginx}}
        environments:
          dev: {{account: "111111111111", state: {{bucket: vote-dev}}}}
        """,
    )
    assert errors_of(path) == [
        "FILE:3:1: tags: 45 tags and the 6 tfgen sets (Application, Environment, ManagedBy, Name, Service, Tier) are more than the 50 AWS allows "
        "on a resource (keep at most 44 tags of your own)"
    ]


# --- each value on its own, located ------------------------------------------------------------


def test_values_aws_refuses_are_located_with_their_path():
    path = Path(__file__).parents[1] / "data" / "blueprints" / "bad" / "aws-values.yaml"
    assert errors_of(path) == path.with_suffix(".expected").read_text().splitlines()


# --- certificates: the load balancer's region and account, per environment ----------------------

CERTIFICATES = """\
name: vote
region: eu-west-1
load_balancer:
  certificate: arn:aws:acm:eu-west-1:111111111111:certificate/abc
services:
  api: {type: web-service, image: nginx}
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
  frankfurt:
    account: "111111111111"
    region: eu-central-1
    state: {bucket: vote-frankfurt}
  staging:
    account: "333333333333"
    state: {bucket: vote-staging}
    overrides:
      load_balancer:
        certificate: null
        certificates: [arn:aws:acm:eu-west-1:333333333333:certificate/a, arn:aws:acm:eu-west-2:333333333333:certificate/b]
  fixed:
    account: "444444444444"
    state: {bucket: vote-fixed}
    overrides:
      load_balancer: {certificate: arn:aws:acm:eu-west-1:444444444444:certificate/own}
"""


def test_certificates_must_be_in_the_environments_region_and_account(tmp_path):
    path = write(tmp_path, CERTIFICATES)
    assert errors_of(path) == [
        "FILE:4:16: load_balancer.certificate: in environment 'frankfurt': the certificate is in region eu-west-1, not eu-central-1: "
        "a load balancer uses ACM certificates of its own region and account "
        "(give 'frankfurt' a certificate of its own in environments.frankfurt.overrides.load_balancer)",
        "FILE:4:16: load_balancer.certificate: in environment 'prod': the certificate is in account 111111111111, not 222222222222: "
        "a load balancer uses ACM certificates of its own region and account "
        "(give 'prod' a certificate of its own in environments.prod.overrides.load_balancer)",
        "FILE:22:74: environments.staging.overrides.load_balancer.certificates[1]: the certificate is in region eu-west-2, not eu-west-1: "
        "a load balancer uses ACM certificates of its own region and account "
        "(give 'staging' a certificate of its own in environments.staging.overrides.load_balancer)",
    ]


def test_certificates_that_are_not_acm_or_malformed(tmp_path):
    for arn, message in [
        ("arn:aws:acm:eu-west-1:111111111111:certificate", "'arn:aws:acm:eu-west-1:111111111111:certificate' is not an ACM certificate ARN"),
        ("arn:aws:acm:eu-west-1:1111:certificate/abc", "'arn:aws:acm:eu-west-1:1111:certificate/abc' is not an ACM certificate ARN"),
        (
            "arn:aws:acm:eu-west-9:111111111111:certificate/abc",
            "'arn:aws:acm:eu-west-9:111111111111:certificate/abc' names region 'eu-west-9', which is not an AWS region",
        ),
        (
            "arn:aws-us-gov:acm:eu-west-1:111111111111:certificate/abc",
            "'arn:aws-us-gov:acm:eu-west-1:111111111111:certificate/abc' has partition 'aws-us-gov', but region eu-west-1 is in partition 'aws'",
        ),
    ]:
        with pytest.raises(aws_rules.Refused) as refused:
            aws_rules.check_certificate_arn(arn)
        assert str(refused.value) == message
    assert aws_rules.check_certificate_arn("arn:aws-us-gov:acm:us-gov-west-1:111111111111:certificate/abc")
    assert aws_rules.check_certificate_arn("arn:aws-cn:acm:cn-north-1:111111111111:certificate/abc")


# --- networks ----------------------------------------------------------------------------------


def test_vpc_cidr_sizes_aws_allows():
    assert aws_rules.check_vpc_cidr("10.0.0.0/16") == "10.0.0.0/16"
    with pytest.raises(aws_rules.Refused) as refused:
        aws_rules.check_vpc_cidr("10.0.0.0/8")
    assert str(refused.value) == "'10.0.0.0/8' is larger than AWS allows for a VPC (/16 to /28)"
    with pytest.raises(aws_rules.Refused) as refused:
        aws_rules.check_vpc_cidr("fd00::/56")
    assert str(refused.value) == "'fd00::/56' is an IPv6 block: a VPC's primary CIDR block is IPv4"


def test_a_vpc_smaller_than_24_stays_refused_by_tfgen(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        network: {vpc: {cidr: 10.0.0.0/26}}
        services:
          api: {type: backend-service, image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == ["FILE:3:23: network.vpc.cidr: '10.0.0.0/26' is too small: use a /24 or larger so every AZ gets two subnets"]


def test_cidr_blocks_with_host_bits_get_the_block_they_likely_mean(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        load_balancer: {protocol: http, allowed_source_ips: [10.0.0.1/16, ten]}
        services:
          api: {type: web-service, image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
        """,
    )
    assert errors_of(path) == [
        "FILE:3:54: load_balancer.allowed_source_ips[0]: '10.0.0.1/16' is not a CIDR block: its address has bits set beyond the /16 "
        "(did you mean '10.0.0.0/16'?)",
        "FILE:3:67: load_balancer.allowed_source_ips[1]: 'ten' is not a CIDR block such as 10.0.0.0/16 or 0.0.0.0/0",
    ]


# --- names AWS must see unique -----------------------------------------------------------------


def test_a_worker_whose_queue_is_another_workers_dead_letter_queue(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        services:
          jobs: {type: worker-service, image: busybox}
          jobs-dlq: {type: worker-service, image: busybox}
          api: {type: backend-service, image: nginx}
          api-dlq: {type: backend-service, image: nginx}
        environments:
          dev: {account: "111111111111", state: {bucket: vote-dev}}
          prod: {account: "222222222222", state: {bucket: vote-prod}}
        """,
    )
    # api-dlq is a backend service: it has no queue, so nothing of it is named vote-dev-api-dlq twice
    assert errors_of(path) == [
        "FILE:5:3: services.jobs-dlq: the queue of service 'jobs-dlq' is named 'vote-dev-jobs-dlq' (in environment 'dev'), "
        "the name of the dead-letter queue of service 'jobs': SQS queue names are unique per account and region (rename service 'jobs-dlq')"
    ]


def test_environments_of_one_account_whose_names_collide(tmp_path):
    path = write(
        tmp_path,
        """\
        name: vote
        region: eu-west-1
        services:
          c: {type: backend-service, image: nginx}
          b-c: {type: backend-service, image: nginx}
        environments:
          a: {account: "111111111111", state: {bucket: vote-a}}
          a-b: {account: "111111111111", state: {bucket: vote-a-b}}
          elsewhere: {account: "111111111111", region: eu-central-1, state: {bucket: vote-elsewhere}}
          elsewhere-b: {account: "111111111111", region: us-east-1, state: {bucket: vote-elsewhere-b}}
          other: {account: "222222222222", state: {bucket: vote-other}}
          other-b: {account: "333333333333", state: {bucket: vote-other-b}}
        """,
    )
    assert errors_of(path) == [
        "FILE:8:3: environments.a-b: environments 'a' and 'a-b' are both in account 111111111111 in eu-west-1, and their names collide: "
        "'vote-a-b-c' is the task definition of service 'b-c' in 'a' and the task definition of service 'c' in 'a-b' "
        "(rename an environment or a service: AWS names are unique per account (IAM roles) and per region)",
        # another region of the same account: IAM role names still collide (IAM is global)
        "FILE:10:3: environments.elsewhere-b: environments 'elsewhere' and 'elsewhere-b' are both in account 111111111111, and their names collide: "
        "'vote-elsewhere-b-c-exec' is the execution role of service 'b-c' in 'elsewhere' and the execution role of service 'c' in 'elsewhere-b' "
        "(rename an environment or a service: AWS names are unique per account (IAM roles) and per region)",
    ]


def test_the_name_list_knows_every_fixed_name_suffix_of_the_service_modules():
    """aws_names mirrors the modules: a new `"${var.name}-suffix"` name in a service module must be
    added there (or the collision rules miss it)."""
    import re

    from tfgen.blueprint.loader import load_blueprint as load
    from tfgen.blueprint.rules import aws_names

    modules = Path(__file__).parents[2] / "modules"
    suffixes = set()
    for module in ("ecs-task", "worker-service", "scheduled-job", "web-service", "backend-service"):
        text = (modules / module / "main.tf").read_text()
        suffixes |= set(re.findall(r'^\s*(?:name|alarm_name)\s*=\s*"\$\{var\.name\}-([a-z-]+)"', text, flags=re.MULTILINE))
    blueprint = load(Path(__file__).parents[2] / "blueprints" / "vote.yaml").blueprint
    named = {n.name for n in aws_names(blueprint, "dev")}
    known = {suffix for suffix in suffixes if any(name.endswith(f"-{suffix}") for name in named)}
    unlisted = suffixes - known - {"backlog"}  # scaling policy names are unique per scalable target, not per account
    assert unlisted == set()


# --- the load balancer's rule quota ------------------------------------------------------------


def test_more_web_services_than_one_load_balancers_rules(tmp_path):
    services = "\n".join(f"  web{i}: {{type: web-service, image: nginx, http: {{path: /{i}/*}}}}" for i in range(101))
    path = tmp_path / "app.yaml"
    path.write_text(
        "name: vote\nregion: eu-west-1\nload_balancer: {protocol: http}\nservices:\n"
        + services
        + '\nenvironments:\n  dev: {account: "111111111111", state: {bucket: vote-dev}}\n'
    )
    assert errors_of(path) == [
        "FILE:105:3: services.web100: 101 web services need 101 listener rules on the one load balancer; AWS allows 100 rules per "
        "Application Load Balancer (service 'web100' is rule 101) (split the application into blueprints of at most 100 web services each)"
    ]


def test_application_names_that_make_the_load_balancer_name_internal(tmp_path):
    for name in ("internal", "internal-tools"):
        with pytest.raises(aws_rules.Refused) as refused:
            aws_rules.check_application_name(name)
        assert str(refused.value) == f"'{name}' makes the load balancer's name begin with 'internal-', which AWS refuses"
    assert aws_rules.check_application_name("internals") == "internals"


def test_a_region_nothing_resembles_says_where_the_list_comes_from():
    with pytest.raises(aws_rules.Refused) as refused:
        aws_rules.check_region("moon-base-1")
    assert refused.value.hint == "AWS regions are such as eu-west-1 or us-east-1 (botocore's list: a newer botocore knows newer ones)"


# --- capacity provider strategies --------------------------------------------------------------

CAPACITY_APP = """\
name: {name}
region: eu-west-1
network: {{vpc: {{cidr: 10.0.0.0/16}}}}
cluster:
  capacity: {cluster}
services:
  api:
    type: backend-service
    image: nginx
    cpu: 256
    memory: 512
    capacity: {service}
environments:
  dev: {{account: "111111111111", state: {{bucket: capacity-dev}}}}
"""


def capacity_app(tmp_path: Path, cluster: str, service: str, name: str = "shop") -> Path:
    return write(tmp_path, CAPACITY_APP.format(name=name, cluster=cluster, service=service))


@pytest.mark.parametrize(
    "providers, problems",
    [
        ({"fargate": (0, 1), "fargate_spot": (0, 1)}, []),
        ({"ec2": (2, 1)}, []),
        ({"fargate": (1, 1), "fargate_spot": (0, 0)}, []),
        (
            {"fargate": (0, 1), "ec2": (0, 1)},
            ["a capacity provider strategy holds Fargate providers or the EC2 Auto Scaling group provider, not both (fargate, ec2)"],
        ),
        ({"fargate": (1, 1), "fargate_spot": (2, 1)}, ["only one capacity provider of a strategy may have a base (fargate, fargate_spot have one)"]),
        ({"fargate": (0, 0), "fargate_spot": (0, 0)}, ["at least one capacity provider needs a weight above 0: with every weight 0, ECS places no task"]),
    ],
)
def test_strategies_ecs_refuses(providers, problems):
    assert [problem for problem, _ in aws_rules.strategy_problems(providers)] == problems


def test_a_mixed_default_strategy_is_refused_at_cluster_capacity(tmp_path):
    path = capacity_app(tmp_path, "{ec2: {weight: 1}, fargate: {weight: 1}}", "{fargate: {weight: 1}}")
    assert errors_of(path) == [
        "FILE:5:3: cluster.capacity: a capacity provider strategy holds Fargate providers or the EC2 Auto Scaling group provider, "
        "not both (fargate, ec2) (keep one kind here; a service runs on the other with its own services.NAME.capacity)"
    ]


def test_a_services_strategy_is_checked_on_its_own(tmp_path):
    path = capacity_app(tmp_path, "{fargate: {weight: 1}}", "{fargate: {base: 1, weight: 0}, fargate_spot: {base: 1, weight: 0}}")
    assert errors_of(path) == [
        "FILE:12:5: services.api.capacity: at least one capacity provider needs a weight above 0: with every weight 0, ECS places no task "
        "(give one provider a weight of 1 or more)",
        "FILE:12:5: services.api.capacity: only one capacity provider of a strategy may have a base (fargate, fargate_spot have one) "
        "(keep base on one provider)",
    ]


def test_ec2_entries_that_describe_another_group_are_refused(tmp_path):
    path = capacity_app(tmp_path, "{ec2: {instance_type: m6i.large, max: 4}}", "{ec2: {instance_type: c6i.large, max: 4, weight: 2}}")
    assert errors_of(path) == [
        "FILE:12:16: services.api.capacity.ec2: the application has one EC2 Auto Scaling group: this ec2 entry describes another one "
        "(instance_type differ) (give the group's settings once (cluster.capacity.ec2) and only base and weight elsewhere)"
    ]


def rendered_cluster(path: Path) -> tuple[str, dict]:
    """The root module's text and dev's cluster values of a rendering."""
    files = render_files(load_blueprint(path))
    return files["main.tf"].decode(), json.loads(files["env/dev.tfvars.json"])["cluster"]


def registered_providers(main: str) -> dict[str, str]:
    """The providers the root module registers on the cluster (local.capacity_providers), and
    that the cluster module gets all of them."""
    document = hcl2.loads(main)
    cluster = next(block['"cluster"'] for block in document["module"] if '"cluster"' in block)
    assert cluster["capacity_providers"] == "${values(local.capacity_providers)}"
    providers = next(block["capacity_providers"] for block in document["locals"] if "capacity_providers" in block)
    return {key: value.strip('"') for key, value in providers.items() if key != "__is_block__"}


def test_a_fargate_service_in_an_ec2_default_cluster(tmp_path):
    """Every provider named anywhere is registered on the cluster; the default comes from cluster.capacity."""
    main, cluster = rendered_cluster(capacity_app(tmp_path, "{ec2: {max: 3}}", "{fargate_spot: {weight: 1}}"))
    assert cluster["default_capacity_provider_strategy"] == [{"capacity_provider": "ec2", "base": 0, "weight": 1}]
    assert cluster["ec2"]["name"] == "shop-dev-ec2" and cluster["ec2"]["max_size"] == 3
    assert registered_providers(main) == {"ec2": "${module.ec2_capacity.capacity_provider_name}", "fargate": "FARGATE", "fargate_spot": "FARGATE_SPOT"}


def test_an_ec2_service_in_a_fargate_default_cluster_brings_the_auto_scaling_group(tmp_path):
    main, cluster = rendered_cluster(capacity_app(tmp_path, "{fargate: {weight: 1}}", "{ec2: {instance_type: m6i.large, max: 3}}", name="ecs-demo"))
    assert cluster["default_capacity_provider_strategy"] == [{"capacity_provider": "fargate", "base": 0, "weight": 1}]
    assert cluster["ec2"]["name"] == "cp-ecs-demo-dev-ec2"
    assert (cluster["ec2"]["instance_type"], cluster["ec2"]["max_size"]) == ("m6i.large", 3)
    assert registered_providers(main) == {"ec2": "${module.ec2_capacity.capacity_provider_name}", "fargate": "FARGATE", "fargate_spot": "FARGATE_SPOT"}


@pytest.mark.parametrize(
    "name, provider", [("ecs-demo", "cp-ecs-demo-dev-ec2"), ("awsome", "cp-awsome-dev-ec2"), ("fargateway", "cp-fargateway-dev-ec2"), ("shop", "shop-dev-ec2")]
)
def test_capacity_provider_names_never_begin_with_what_ecs_reserves(name, provider):
    from tfgen.naming import capacity_provider_name

    assert capacity_provider_name(name, "dev") == provider


# --- Container Insights ------------------------------------------------------------------------


def test_workers_that_scale_need_container_insights(tmp_path):
    text = CAPACITY_APP.format(name="shop", cluster="{fargate: {weight: 1}}", service="{fargate: {weight: 1}}")
    text = text.replace("cluster:\n", "cluster:\n  container_insights: false\n")
    worker = "  jobs: {type: worker-service, image: nginx, count: {min: 0, max: 5}}\n  fixed: {type: worker-service, image: nginx, count: 2}\n"
    path = write(tmp_path, text.replace("environments:", worker + "environments:"))
    assert errors_of(path) == [
        "FILE:5:23: cluster.container_insights: worker services that scale (jobs) count their tasks with Container Insights' RunningTaskCount; "
        "without it they scale up to max and stay there (set cluster.container_insights: true, or give those workers a fixed count)"
    ]
    path.write_text(path.read_text().replace("count: {min: 0, max: 5}", "count: 1"))
    load_blueprint(path)


def test_dns_suffixes_come_from_botocores_partitions():
    assert [aws_rules.dns_suffix(region) for region in ("eu-west-1", "cn-north-1", "us-gov-west-1")] == ["amazonaws.com", "amazonaws.com.cn", "amazonaws.com"]


# --- scheduled jobs on EventBridge Scheduler: time zones, retries, notify -------------------------

JOB_BLUEPRINT = """\
name: shop
region: eu-west-1
services:
  nightly:
    type: scheduled-job
    image: busybox
{job}
environments:
  dev:
    account: "111111111111"
    state: {{bucket: shop-tfstate-dev}}
"""


def job_errors(tmp_path: Path, job: str) -> list[str]:
    return errors_of(write(tmp_path, JOB_BLUEPRINT.format(job=textwrap.indent(textwrap.dedent(job), "    "))))


def test_time_zones_are_iana_names():
    assert aws_rules.check_time_zone("Europe/Berlin") == "Europe/Berlin"
    assert aws_rules.check_time_zone("UTC") == "UTC"
    assert "Factory" not in aws_rules.time_zones() and "localtime" not in aws_rules.time_zones()
    for wrong, meant in (("Europe/Berln", "Europe/Berlin"), ("europe/paris", "Europe/Paris"), ("America/New York", "America/New_York")):
        with pytest.raises(aws_rules.Refused) as refused:
            aws_rules.check_time_zone(wrong)
        assert refused.value.hint == f"did you mean '{meant}'?"
    with pytest.raises(aws_rules.Refused) as refused:
        aws_rules.check_time_zone("Mars/Olympus")  # moto's Scheduler takes it; AWS does not
    assert "Europe/Berlin" in str(refused.value.hint)


def test_a_misspelled_time_zone_is_located_with_the_closest_name(tmp_path):
    assert job_errors(tmp_path, 'schedule: {expression: "cron(0 3 * * ? *)", timezone: Europe/Berln}') == [
        "FILE:7:59: services.nightly.schedule.timezone: 'Europe/Berln' is not a time zone EventBridge Scheduler knows (IANA names) "
        "(did you mean 'Europe/Berlin'?)"
    ]


def test_a_time_zone_on_a_rate_is_refused(tmp_path):
    (line,) = job_errors(tmp_path, 'schedule: {expression: "rate(1 hour)", timezone: Europe/Berlin}')
    assert line.startswith("FILE:7:54: services.nightly.schedule.timezone: a rate runs every interval whatever the time zone")
    assert "write a cron such as cron(0 3 * * ? *)" in line


def test_the_expression_of_a_schedule_mapping_is_checked(tmp_path):
    (line,) = job_errors(tmp_path, 'schedule: {expression: "cron(0 3 * * ?)", timezone: Europe/Berlin}')
    assert line.startswith("FILE:7:28: services.nightly.schedule.expression: 'cron(0 3 * * ?)' is not an EventBridge cron: it has 6 fields")
    assert line.endswith("(EventBridge cron has a sixth field, the year: add ' *'; and one of day-of-month/day-of-week must be '?')")


def test_retries_are_bounded(tmp_path):
    assert job_errors(tmp_path, "schedule: '@daily'\nretries: 11") == ["FILE:8:14: services.nightly.retries: must be at most 10, got 11"]
    assert job_errors(tmp_path, "schedule: '@daily'\nretries: {count: 2, interval: 0, backoff: 0.5}") == [
        "FILE:8:35: services.nightly.retries.interval: must be at least 1, got 0",
        "FILE:8:47: services.nightly.retries.backoff: must be at least 1.0, got 0.5",
    ]
    assert job_errors(tmp_path, "schedule: '@daily'\nretries: {cont: 2}") == [
        "FILE:8:5: services.nightly.retries: missing required key 'count'",
        "FILE:8:15: services.nightly.retries.cont: unknown key 'cont' (did you mean 'count'?)",
    ]


def test_notify_topics_are_standard_topic_arns(tmp_path):
    assert job_errors(tmp_path, "schedule: '@daily'\nnotify: ops") == [
        "FILE:8:13: services.nightly.notify: 'ops' is not an SNS topic ARN (write arn:aws:sns:REGION:ACCOUNT:TOPIC)"
    ]
    assert job_errors(tmp_path, "schedule: '@daily'\nnotify: arn:aws:sns:eu-west-1:111111111111:ops.fifo") == [
        "FILE:8:13: services.nightly.notify: 'arn:aws:sns:eu-west-1:111111111111:ops.fifo' is a FIFO topic: "
        "it refuses messages without a message group and deduplication id (send failure notices to a standard topic)"
    ]
    assert job_errors(tmp_path, "schedule: '@daily'\nnotify: {topic: arn:aws:sns:eu-west-1:111111111111:ops, kms_key: alias/ops}") == [
        "FILE:8:70: services.nightly.notify.kms_key: 'alias/ops' is not a KMS key ARN "
        "(write arn:aws:kms:REGION:ACCOUNT:key/KEY-ID: an IAM policy names the key, not an alias)"
    ]


def test_a_notify_topic_in_another_region_is_refused(tmp_path):
    assert job_errors(tmp_path, "schedule: '@daily'\nnotify: arn:aws:sns:us-east-1:111111111111:ops") == [
        "FILE:8:13: services.nightly.notify: in environment 'dev': the topic is in us-east-1, the job runs in eu-west-1: "
        "Step Functions publishes to topics of its own region (use a topic in eu-west-1, or override notify for environment 'dev')"
    ]


def test_schedule_names_are_unique_per_account_and_region():
    assert aws_rules.NAME_SCOPES["Scheduler schedule"] == "region"


def test_a_jobs_schedule_is_a_named_scheduler_schedule():
    from tfgen.blueprint.rules import aws_names

    blueprint = load_blueprint(Path(__file__).parents[2] / "blueprints" / "vote.yaml").blueprint
    named = {(n.kind, n.name) for n in aws_names(blueprint, "dev") if n.service == "tally"}
    assert ("Scheduler schedule", "vote-dev-tally") in named
    assert ("IAM role", "vote-dev-tally-events") in named  # the schedule's role keeps its name
    assert not any(kind == "EventBridge rule" for kind, _ in named)
