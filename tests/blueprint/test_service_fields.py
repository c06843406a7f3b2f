"""The service fields of SPEC §3.1 (issue 14): what the model refuses, located at the value
(FILE:LINE:COL: path: message (hint)), and what it renders into the root variables."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

from tfgen.blueprint import aws_rules
from tfgen.blueprint.loader import load_blueprint
from tfgen.blueprint.schema import blueprint_json_schema
from tfgen.errors import InputError
from tfgen.render.model import render_model

HEAD = """\
name: vote
region: eu-west-1
network:
  vpc: {cidr: 10.0.0.0/16}
services:
"""
TAIL = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
"""


def write(tmp_path: Path, services: str, tail: str = TAIL) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(services), "  ") + tail)
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_blueprint(path)
    return str(caught.value).replace(str(path), "FILE").splitlines()


def task_of(path: Path, service: str, env: str = "dev") -> dict:
    values = render_model(load_blueprint(path)).values[env]
    return values[service.replace("-", "_")]


# --- permissions ----------------------------------------------------------------------------------


def test_permissions_render_managed_policies_and_statements(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          permissions:
            - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
            - actions: [dynamodb:GetItem, "s3:Get*"]
              resources: [arn:aws:dynamodb:eu-west-1:111111111111:table/votes]
            - arn:aws:iam::111111111111:policy/team/reader
            - actions: [sqs:SendMessage]
              resources: ["*"]
              effect: Deny
              conditions: [{test: "ForAnyValue:StringNotLikeIfExists", variable: aws:SourceVpc, values: [vpc-1]}]
        """,
    )
    task = task_of(path, "api")["task"]
    assert task["managed_policy_arns"] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::111111111111:policy/team/reader"]
    assert task["policy_statements"] == [
        {"effect": "Allow", "actions": ["dynamodb:GetItem", "s3:Get*"], "resources": ["arn:aws:dynamodb:eu-west-1:111111111111:table/votes"], "conditions": []},
        {
            "effect": "Deny",
            "actions": ["sqs:SendMessage"],
            "resources": ["*"],
            "conditions": [{"test": "ForAnyValue:StringNotLikeIfExists", "variable": "aws:SourceVpc", "values": ["vpc-1"]}],
        },
    ]


def test_without_permissions_the_task_role_gets_none(tmp_path: Path) -> None:
    path = write(tmp_path, "api: {type: backend-service, image: nginx}\n")
    task = task_of(path, "api")["task"]
    assert (task["managed_policy_arns"], task["policy_statements"]) == ([], [])


def test_a_wildcard_action_is_valid_input_and_left_to_the_gate(tmp_path: Path) -> None:
    # CKV_TFG_7 fails `*` and `service:*` actions in task roles: the plan shows them, the gate refuses.
    path = write(tmp_path, 'api: {type: backend-service, image: nginx, permissions: [{actions: ["*", "s3:*"], resources: ["*"]}]}\n')
    assert task_of(path, "api")["task"]["policy_statements"][0]["actions"] == ["*", "s3:*"]


def test_bad_permissions_are_located_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          permissions:
            - arn:awz:iam::aws:policy/X
            - arn:aws:s3:::bucket
            - actions: [GetItem, DynamoDB:PutItem, "s3 Get"]
              resources: [bucket, "arn:aws:s3:::b/*"]
              conditions: [{test: StringEqual, variable: aws:SourceVpc, values: [vpc-1]}]
            - actions: []
              resources: ["*"]
              effect: deny
        """,
    )
    assert errors_of(path) == [
        "FILE:10:9: services.api.permissions[0]: 'arn:awz:iam::aws:policy/X' has partition 'awz', which is not an AWS partition (did you mean 'arn:aws:...'?)",
        "FILE:11:9: services.api.permissions[1]: 'arn:aws:s3:::bucket' is not an IAM policy (s3): permissions take managed policy ARNs and statements "
        "(write arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)",
        "FILE:12:19: services.api.permissions[2].actions[0]: 'GetItem' is not an IAM action (an action names its service: SERVICE:GetItem, e.g. s3:GetObject)",
        "FILE:12:28: services.api.permissions[2].actions[1]: 'DynamoDB:PutItem' is not an IAM action "
        "(service prefixes are lower case: did you mean 'dynamodb:PutItem'?)",
        "FILE:12:46: services.api.permissions[2].actions[2]: 's3 Get' is not an IAM action "
        "(write SERVICE:Action, e.g. s3:GetObject (wildcards * and ? match in the action name))",
        "FILE:13:21: services.api.permissions[2].resources[0]: 'bucket' is not a resource ARN (write arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE (or *))",
        "FILE:14:29: services.api.permissions[2].conditions[0].test: 'StringEqual' is not an IAM condition operator (did you mean 'StringEquals'?)",
        "FILE:15:9: services.api.permissions[3].actions: needs at least 1 item, got 0",
        "FILE:17:17: services.api.permissions[3].effect: expected one of 'Allow', 'Deny', got 'deny' (did you mean 'Deny'?)",
    ]


def test_a_managed_policy_is_attached_once(tmp_path: Path) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    path = write(tmp_path, f"api: {{type: backend-service, image: nginx, permissions: [{arn}, {arn}]}}\n")
    assert errors_of(path) == ["FILE:6:59: services.api.permissions: permissions repeats arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_permission_arns_are_in_the_environments_partition(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          permissions:
            - arn:aws-cn:iam::aws:policy/ReadOnlyAccess
            - {actions: [s3:GetObject], resources: ["arn:aws:s3:::b/*", "arn:aws-us-gov:s3:::c/*"]}
        """,
    )
    assert errors_of(path) == [
        "FILE:10:9: services.api.permissions[0]: in environment 'dev': 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess' is in partition 'aws-cn', "
        "but eu-west-1 is in partition 'aws' (write arn:aws:...)",
        "FILE:11:67: services.api.permissions[1].resources[1]: in environment 'dev': 'arn:aws-us-gov:s3:::c/*' is in partition 'aws-us-gov', "
        "but eu-west-1 is in partition 'aws' (write arn:aws:...)",
    ]


def test_permissions_within_iams_role_quotas(tmp_path: Path) -> None:
    arns = ", ".join(f"arn:aws:iam::111111111111:policy/p{i}" for i in range(21))
    resources = ", ".join(f'"arn:aws:s3:::bucket-with-a-long-name-{i:04d}/*"' for i in range(250))
    services = f"""\
    many: {{type: backend-service, image: nginx, permissions: [{arns}]}}
    large: {{type: backend-service, image: nginx, permissions: [{{actions: [s3:GetObject], resources: [{resources}]}}]}}
    """
    assert errors_of(write(tmp_path, services)) == [
        "FILE:6:47: services.many.permissions: 21 managed policies: IAM attaches at most 20 to a role (10 unless the quota was raised) "
        "(merge policies, or write statements)",
        "FILE:7:48: services.large.permissions: the statements are 11596 characters of policy: IAM allows 10240 of inline policy per role "
        "(attach a managed policy instead, or use wildcards in resources)",
    ]


def test_overrides_change_permissions_per_environment(tmp_path: Path) -> None:
    tail = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
    overrides:
      services:
        api: {permissions: [{actions: [s3:GetObject], resources: ["arn:aws:s3:::prod/*"]}]}
"""
    path = write(tmp_path, 'api: {type: backend-service, image: nginx, permissions: [{actions: [s3:GetObject], resources: ["arn:aws:s3:::dev/*"]}]}\n', tail)
    assert task_of(path, "api", "dev")["task"]["policy_statements"][0]["resources"] == ["arn:aws:s3:::dev/*"]
    assert task_of(path, "api", "prod")["task"]["policy_statements"][0]["resources"] == ["arn:aws:s3:::prod/*"]


# --- sends_to -------------------------------------------------------------------------------------


def test_sends_to_renders_the_queue_url_variables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api: {type: backend-service, image: nginx, sends_to: [image-resizer, mailer]}
        image-resizer: {type: worker-service, image: busybox, sends_to: [mailer]}
        mailer: {type: worker-service, image: busybox}
        """,
    )
    assert task_of(path, "api")["task"]["sends_to"] == {"IMAGE_RESIZER_QUEUE_URL": "image-resizer", "MAILER_QUEUE_URL": "mailer"}
    assert task_of(path, "image-resizer")["task"]["sends_to"] == {"MAILER_QUEUE_URL": "mailer"}
    assert task_of(path, "mailer")["task"]["sends_to"] == {}


def test_sends_to_names_workers_of_the_application(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          sends_to: [mailr, results, nobody]
        results:
          type: backend-service
          image: nginx
          sends_to: [mailer]
          secrets: {MAILER_QUEUE_URL: "arn:aws:ssm:eu-west-1:111111111111:parameter/x"}
        mailer: {type: worker-service, image: busybox}
        """,
    )
    assert errors_of(path) == [
        "FILE:9:16: services.api.sends_to[0]: 'mailr' is not a service of the application (did you mean 'mailer'?)",
        "FILE:9:23: services.api.sends_to[1]: 'results' is a backend-service: sends_to names worker-services (their SQS queues) (worker-services: mailer)",
        "FILE:9:32: services.api.sends_to[2]: 'nobody' is not a service of the application (worker-services: mailer)",
        "FILE:13:16: services.results.sends_to[0]: sending to 'mailer' sets MAILER_QUEUE_URL, which secrets.MAILER_QUEUE_URL sets too "
        "(remove secrets.MAILER_QUEUE_URL: tfgen sets it to the queue's URL)",
    ]


def test_sends_to_repeats_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "api: {type: backend-service, image: nginx, sends_to: [mailer, mailer]}\nmailer: {type: worker-service, image: busybox}\n")
    assert errors_of(path) == ["FILE:6:56: services.api.sends_to: sends_to repeats mailer"]


# --- network --------------------------------------------------------------------------------------


def test_network_renders_security_groups_and_egress(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          network:
            security_groups: [sg-0123456789abcdef0]
            egress:
              - {cidr: 10.20.0.0/16, ports: [5432]}
              - {security_group: sg-0fedcba9876543210, ports: [6379, 6380]}
        plain: {type: backend-service, image: nginx}
        """,
    )
    assert task_of(path, "api")["network"] == {
        "security_group_ids": ["sg-0123456789abcdef0"],
        "egress": [
            {"cidr_ipv4": "10.20.0.0/16", "security_group_id": None, "ports": [5432]},
            {"cidr_ipv4": None, "security_group_id": "sg-0fedcba9876543210", "ports": [6379, 6380]},
        ],
    }
    assert task_of(path, "plain")["network"] == {"security_group_ids": [], "egress": []}


def test_bad_network_values_are_located_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          network:
            security_groups: [sg-1, vpc-0123456789abcdef0]
            egress:
              - {cidr: 10.20.0.1/16, ports: [5432]}
              - {cidr: "fd00::/8", ports: [5432]}
              - {cidr: 10.0.0.0/8, security_group: sg-0fedcba9876543210, ports: [1]}
              - {ports: [1]}
              - {security_group: sg-0fedcba9876543210, ports: [0, 70000]}
              - {security_group: sg-0fedcba9876543210, ports: []}
        many:
          type: backend-service
          image: nginx
          network:
            security_groups: [sg-00000001, sg-00000002, sg-00000003, sg-00000004]
        twice:
          type: backend-service
          image: nginx
          network:
            egress: [{cidr: 10.0.0.0/8, ports: [1]}, {cidr: 10.0.0.0/8, ports: [2, 1]}]
        """,
    )
    assert errors_of(path) == [
        "FILE:10:25: services.api.network.security_groups[0]: 'sg-1' is not a security group ID "
        "(write sg- and 8 or 17 hexadecimal digits, e.g. sg-0123456789abcdef0)",
        "FILE:10:31: services.api.network.security_groups[1]: 'vpc-0123456789abcdef0' is not a security group ID "
        "(write sg- and 8 or 17 hexadecimal digits, e.g. sg-0123456789abcdef0)",
        "FILE:12:18: services.api.network.egress[0].cidr: '10.20.0.1/16' is not a CIDR block: its address has bits set beyond the /16 "
        "(did you mean '10.20.0.0/16'?)",
        "FILE:13:18: services.api.network.egress[1].cidr: 'fd00::/8' is an IPv6 block: the tasks' egress rules are IPv4 "
        "(write an IPv4 block such as 10.20.0.0/16)",
        "FILE:14:11: services.api.network.egress[2]: an egress rule has one destination: cidr or security_group, not both",
        "FILE:15:11: services.api.network.egress[3]: an egress rule has one destination: cidr or security_group",
        "FILE:16:58: services.api.network.egress[4].ports[0]: must be at least 1, got 0",
        "FILE:16:61: services.api.network.egress[4].ports[1]: must be at most 65535, got 70000",
        "FILE:17:50: services.api.network.egress[5].ports: needs at least 1 item, got 0",
        "FILE:22:24: services.many.network.security_groups: needs at most 3 items, got 4",
        "FILE:27:7: services.twice.network: egress names 10.0.0.0/8 port 1 twice",
    ]


# --- entrypoint, command, healthcheck ----------------------------------------------------------


def test_entrypoint_command_and_healthcheck_render(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          entrypoint: [/bin/app]
          command: [serve, --port, "8000"]
          healthcheck: {command: [CMD, /bin/app, health], start_period: 0}
        plain: {type: backend-service, image: nginx}
        """,
    )
    task = task_of(path, "api")["task"]
    assert (task["entrypoint"], task["command"]) == (["/bin/app"], ["serve", "--port", "8000"])
    assert task["healthcheck"] == {"command": ["CMD", "/bin/app", "health"], "interval": 30, "timeout": 5, "retries": 3, "start_period": 0}
    plain = task_of(path, "plain")["task"]
    assert (plain["entrypoint"], plain["command"], plain["healthcheck"]) == (None, None, None)


def test_bad_healthchecks_are_located_errors(tmp_path: Path) -> None:
    # ECS API reference, HealthCheck (botocore's ecs model): interval 5-300, timeout 2-60 (not
    # 120: the model and the developer guide both say 60), retries 1-10, startPeriod 0-300.
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          entrypoint: []
          healthcheck: {command: [cmd-shell, "true"], interval: 4, timeout: 61, retries: 0, start_period: 301}
        other:
          type: backend-service
          image: nginx
          healthcheck: {command: [curl, -f, http://localhost/], interval: 301, timeout: 1, retries: 11}
        short:
          type: backend-service
          image: nginx
          healthcheck: {command: [CMD]}
        """,
    )
    assert errors_of(path) == [
        "FILE:9:5: services.api.entrypoint: needs at least 1 item, got 0",
        "FILE:10:28: services.api.healthcheck.command: a health check command starts with CMD or CMD-SHELL, not 'cmd-shell' (did you mean 'CMD-SHELL'?)",
        "FILE:10:59: services.api.healthcheck.interval: must be at least 5, got 4",
        "FILE:10:71: services.api.healthcheck.timeout: must be at most 60, got 61",
        "FILE:10:84: services.api.healthcheck.retries: must be at least 1, got 0",
        "FILE:10:101: services.api.healthcheck.start_period: must be at most 300, got 301",
        "FILE:14:28: services.other.healthcheck.command: a health check command starts with CMD or CMD-SHELL, not 'curl' "
        '(e.g. [CMD-SHELL, "curl -fs http://localhost/ || exit 1"])',
        "FILE:14:69: services.other.healthcheck.interval: must be at most 300, got 301",
        "FILE:14:83: services.other.healthcheck.timeout: must be at least 2, got 1",
        "FILE:14:95: services.other.healthcheck.retries: must be at most 10, got 11",
        "FILE:18:28: services.short.healthcheck.command: needs at least 2 items, got 1",
    ]


def test_overrides_change_the_healthcheck_per_environment(tmp_path: Path) -> None:
    tail = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
    overrides: {services: {api: {healthcheck: {interval: 60}}}}
"""
    path = write(tmp_path, "api: {type: backend-service, image: nginx, healthcheck: {command: [CMD, /bin/ok], interval: 10}}\n", tail)
    assert task_of(path, "api", "dev")["task"]["healthcheck"]["interval"] == 10
    expected = {"command": ["CMD", "/bin/ok"], "interval": 60, "timeout": 5, "retries": 3, "start_period": None}
    assert task_of(path, "api", "prod")["task"]["healthcheck"] == expected


# --- platform -------------------------------------------------------------------------------------

EC2_HEAD = """\
name: shop
region: eu-west-1
network:
  vpc: {cidr: 10.0.0.0/16}
cluster:
  capacity:
    ec2: {instance_type: INSTANCE, max: 2}
services:
"""


def write_ec2(tmp_path: Path, instance_type: str, services: str) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(EC2_HEAD.replace("INSTANCE", instance_type) + textwrap.indent(textwrap.dedent(services), "  ") + TAIL)
    return path


def test_platform_renders_the_cpu_architecture(tmp_path: Path) -> None:
    path = write(tmp_path, "arm: {type: backend-service, image: nginx, platform: linux/arm64}\nx86: {type: backend-service, image: nginx}\n")
    assert task_of(path, "arm")["task"]["cpu_architecture"] == "ARM64"
    assert task_of(path, "x86")["task"]["cpu_architecture"] == "X86_64"


def test_arm64_on_x86_ec2_capacity_is_a_located_error(tmp_path: Path) -> None:
    services = """\
    api: {type: backend-service, image: nginx, platform: linux/arm64}
    on-fargate: {type: backend-service, image: nginx, platform: linux/arm64, capacity: {fargate: {weight: 1}}}
    x86: {type: backend-service, image: nginx}
    """
    assert errors_of(write_ec2(tmp_path, "m6i.large", services)) == [
        "FILE:9:56: services.api.platform: linux/arm64 tasks on the EC2 capacity need Graviton instances; m6i.large is x86_64 "
        "(use a Graviton instance type (e.g. t4g.medium, m7g.large) in cluster.capacity.ec2.instance_type, "
        "or run this service on Fargate (services.NAME.capacity))",
    ]
    for graviton in ("t4g.medium", "m7g.large", "c6gn.xlarge", "a1.large", "is4gen.large"):
        load_blueprint(write_ec2(tmp_path, graviton, services))


def test_unknown_platforms_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "api: {type: backend-service, image: nginx, platform: linux/amd64}\nb: {type: backend-service, image: nginx, platform: windows}\n")
    assert errors_of(path) == [
        "FILE:6:56: services.api.platform: 'linux/amd64' is not a platform tfgen renders: linux/x86_64 or linux/arm64 (did you mean 'linux/x86_64'?)",
        "FILE:7:54: services.b.platform: 'windows' is not a platform tfgen renders: linux/x86_64 or linux/arm64",
    ]


def test_graviton_rule_is_the_ec2_capacity_modules():
    """aws_rules mirrors modules/ec2-capacity's `arm64` local (which picks the arm64 AMI)."""
    source = (Path(__file__).resolve().parents[2] / "modules" / "ec2-capacity" / "main.tf").read_text()
    (terraform_regex,) = re.findall(r'arm64 = can\(regex\("(.+?)", var\.instance_type\)\)', source)
    assert terraform_regex.replace("\\\\", "\\") == aws_rules.GRAVITON_INSTANCE_TYPE.pattern
    expected = {"t4g.small": True, "m8gd.large": True, "g5g.xlarge": True, "g5.xlarge": False, "g4dn.xlarge": False, "m6i.large": False, "t3.medium": False}
    for instance_type, arm64 in expected.items():
        assert aws_rules.is_arm64_instance_type(instance_type) is arm64, instance_type


# --- SPEC §3.1 ------------------------------------------------------------------------------------

SPEC_FIELDS = Path(__file__).parents[1] / "data" / "blueprints" / "spec" / "section-3.1-fields.yaml"
CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/"


def test_spec_section_3_1_fields_load_and_match_the_schema() -> None:
    loaded = load_blueprint(SPEC_FIELDS)
    jsonschema.Draft202012Validator(blueprint_json_schema()).validate(loaded.raw)
    values = render_model(loaded).values["dev"]
    api = values["vote_api"]
    assert api["task"]["cpu_architecture"] == "ARM64"
    assert api["task"]["sends_to"] == {"VOTE_WORKER_QUEUE_URL": "vote-worker"}
    assert api["network"]["security_group_ids"] == ["sg-0123456789abcdef0"]
    assert api["task"]["healthcheck"]["start_period"] == 30
    assert (api["task"]["env_file"], api["task"]["depends_on"]) == ("arn:aws:s3:::vote-config/api.env", {"otel": "START"})
    otel = api["task"]["sidecars"]["otel"]
    assert (otel["essential"], otel["port"], otel["environment"]) == (False, 4317, {"AWS_REGION": "eu-west-1"})
    assert api["task"]["ephemeral_storage"] == 50
    assert api["task"]["volumes"]["uploads"]["access_point_id"] == "fsap-0123456789abcdef0"
    assert (api["http"]["host_headers"], api["http"]["priority"]) == (["vote.example.com", "www.vote.example.com"], 100)
    lb = values["load_balancer"]
    assert lb["dns"] == {"zone": "example.com", "names": ["vote.example.com", "www.vote.example.com"]}
    assert (lb["certificate_arn"], lb["additional_certificate_arns"]) == (CERTIFICATE + "a", [CERTIFICATE + "b"])


# --- storage --------------------------------------------------------------------------------------

EFS = "{id: fs-0123456789abcdef0, access_point: fsap-0123456789abcdef0}"
UPLOADS_FS = "fs-0123456789abcdef0"


def test_storage_renders_ephemeral_storage_volumes_and_nfs_egress(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        api:
          type: backend-service
          image: nginx
          network: {{egress: [{{cidr: 10.0.0.0/16, ports: [2049]}}]}}
          storage:
            ephemeral: 50
            volumes:
              uploads: {{path: /var/uploads, efs: {EFS}}}
              reports: {{path: /srv/reports, read_only: true, efs: {{id: fs-0123456789abcdef1, root_directory: /reports}}}}
              shared: {{path: /srv/shared, efs: {{id: fs-0123456789abcdef2, security_group: sg-0123456789abcdef0}}}}
        job: {{type: scheduled-job, image: busybox, schedule: rate(1 hour), storage: {{ephemeral: 21}}}}
        """,
    )
    api = task_of(path, "api")
    assert api["task"]["ephemeral_storage"] == 50
    assert api["task"]["volumes"] == {
        "reports": {"path": "/srv/reports", "read_only": True, "file_system_id": "fs-0123456789abcdef1", "access_point_id": None, "root_directory": "/reports"},
        "shared": {"path": "/srv/shared", "read_only": False, "file_system_id": "fs-0123456789abcdef2", "access_point_id": None, "root_directory": "/"},
        "uploads": {
            "path": "/var/uploads", "read_only": False, "file_system_id": UPLOADS_FS, "access_point_id": "fsap-0123456789abcdef0", "root_directory": "/",
        },
    }
    # The declared rule and NFS to the named mount targets' group; the mount targets of uploads and
    # reports are tfgen's (a created VPC): the root module adds NFS to their group, not the VPC CIDR.
    assert api["network"]["egress"] == [
        {"cidr_ipv4": "10.0.0.0/16", "security_group_id": None, "ports": [2049]},
        {"cidr_ipv4": None, "security_group_id": "sg-0123456789abcdef0", "ports": [2049]},
    ]
    job = task_of(path, "job")
    assert (job["task"]["ephemeral_storage"], job["task"]["volumes"], job["network"]["egress"]) == (21, {}, [])
    model = render_model(load_blueprint(path))
    assert model.efs_mount_targets and "efs-mount-targets" in model.modules_used()
    assert model.values["dev"]["efs_mount_targets"] == {
        "name": "vote-dev-efs", "file_system_ids": [UPLOADS_FS, "fs-0123456789abcdef1"], "services": ["api"],
    }
    assert [(s.name, s.efs_client) for s in model.services] == [("api", True), ("job", False)]


def test_an_environment_without_volumes_of_tfgens_mount_targets_has_an_empty_list(tmp_path: Path) -> None:
    """The module block exists in every environment or none: an environment whose volumes all name
    their mount targets' group gets no file systems (the module's count is 0 there)."""
    prod = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
    overrides:
      services:
        api: {storage: {volumes: {uploads: {efs: {id: fs-0fedcba9876543210, security_group: sg-0123456789abcdef0}}}}}
"""
    path = write(tmp_path, f"api: {{type: backend-service, image: nginx, storage: {{volumes: {{uploads: {{path: /u, efs: {EFS}}}}}}}}}\n", prod)
    model = render_model(load_blueprint(path))
    assert model.values["dev"]["efs_mount_targets"] == {"name": "vote-dev-efs", "file_system_ids": [UPLOADS_FS], "services": ["api"]}
    assert model.values["prod"]["efs_mount_targets"] == {"name": "vote-prod-efs", "file_system_ids": [], "services": []}
    assert model.values["dev"]["api"]["network"]["egress"] == []
    assert model.values["prod"]["api"]["network"]["egress"] == [{"cidr_ipv4": None, "security_group_id": "sg-0123456789abcdef0", "ports": [2049]}]


def test_one_file_system_in_two_environments_that_create_their_vpcs_is_a_located_error(tmp_path: Path) -> None:
    """A file system's mount targets are all in one VPC (MountTargetConflict), and every environment
    creates its own: the same file system in two of them, in one account and region, is refused at
    the later environment's efs.id, in its override when the value comes from one. Two accounts are
    two file systems."""
    service = f"api: {{type: backend-service, image: nginx, storage: {{volumes: {{uploads: {{path: /u, efs: {EFS}}}}}}}}}\n"
    same_account = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "111111111111"
    state: {bucket: vote-prod}
    overrides:
      services:
        api: {storage: {volumes: {uploads: {efs: {id: fs-0123456789abcdef0}}}}}
"""
    conflict = (
        "fs-0123456789abcdef0 is mounted in environments 'dev' and 'prod', which each create their VPC in account 111111111111 in eu-west-1: "
        "a file system's mount targets are all in one VPC (MountTargetConflict) "
        "(give 'prod' a file system of its own in environments.prod.overrides.services.api.storage.volumes.uploads.efs)"
    )
    overridden = f"FILE:14:55: environments.prod.overrides.services.api.storage.volumes.uploads.efs.id: {conflict}"
    assert errors_of(write(tmp_path, service, same_account)) == [overridden]
    inherited = same_account.replace("    overrides:\n      services:\n        api: {storage: {volumes: {uploads: {efs: {id: fs-0123456789abcdef0}}}}}\n", "")
    assert errors_of(write(tmp_path, service, inherited)) == [f"FILE:6:96: services.api.storage.volumes.uploads.efs.id: in environment 'prod': {conflict}"]
    other_account = inherited.replace('account: "111111111111"\n    state: {bucket: vote-prod}', 'account: "222222222222"\n    state: {bucket: vote-prod}')
    model = render_model(load_blueprint(write(tmp_path, service, other_account)))
    assert [model.values[env]["efs_mount_targets"]["file_system_ids"] for env in ("dev", "prod")] == [[UPLOADS_FS], [UPLOADS_FS]]


def test_without_storage_the_task_renders_as_before(tmp_path: Path) -> None:
    rendered = task_of(write(tmp_path, "api: {type: backend-service, image: nginx}\n"), "api")
    assert (rendered["task"]["ephemeral_storage"], rendered["task"]["volumes"], rendered["network"]["egress"]) == (None, {}, [])


def test_bad_storage_values_are_located_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        a: {type: backend-service, image: nginx, storage: {ephemeral: 20}}
        b: {type: worker-service, image: nginx, storage: {ephemeral: 201}}
        c:
          type: scheduled-job
          image: busybox
          schedule: rate(1 hour)
          storage:
            volumes:
              data: {path: /data, efs: {id: fs-123, access_point: ap-0123456789abcdef0}}
              Bad: {path: /x, efs: {id: fs-0123456789abcdef0}}
              otel-scratch-0: {path: /y, efs: {id: fs-0123456789abcdef0}}
        d:
          type: web-service
          image: nginx
          storage:
            volumes:
              one: {path: /data, efs: {id: fs-0123456789abcdef0, access_point: fsap-0123456789abcdef0, root_directory: /sub}}
              two: {path: relative, efs: {id: fs-0123456789abcdef0, root_directory: "/a/../b", security_group: sg-1}}
        """,
    )
    assert errors_of(path) == [
        "FILE:6:65: services.a.storage.ephemeral: must be at least 21, got 20",
        "FILE:7:64: services.b.storage.ephemeral: must be at most 200, got 201",
        "FILE:14:39: services.c.storage.volumes.data.efs.id: 'fs-123' is not an EFS file system ID "
        "(write fs- and 8 to 40 hexadecimal digits, e.g. fs-0123456789abcdef0)",
        "FILE:14:61: services.c.storage.volumes.data.efs.access_point: 'ap-0123456789abcdef0' is not an EFS access point ID "
        "(write fsap- and 8 to 40 hexadecimal digits, e.g. fsap-0123456789abcdef0)",
        "FILE:15:9: services.c.storage.volumes.Bad: 'Bad' is not a key matching ^[a-z][a-z0-9_-]{0,31}$",
        "FILE:16:9: services.c.storage.volumes.otel-scratch-0: 'otel-scratch-0' is the name of one of tfgen's scratch volumes "
        "(writable_paths, a sidecar's too) "
        "(choose another name, e.g. uploads)",
        "FILE:22:114: services.d.storage.volumes.one.efs.root_directory: root_directory /sub with access point fsap-0123456789abcdef0: "
        "ECS mounts the access point's own directory, and refuses another root directory "
        "(drop root_directory (set the directory on the access point), or drop access_point)",
        "FILE:23:21: services.d.storage.volumes.two.path: expected an absolute directory path below / such as /tmp or /var/cache/nginx, got 'relative'",
        "FILE:23:79: services.d.storage.volumes.two.efs.root_directory: '/a/../b' has a '..' segment (write the directory itself, e.g. /uploads)",
        "FILE:23:106: services.d.storage.volumes.two.efs.security_group: 'sg-1' is not a security group ID "
        "(write sg- and 8 or 17 hexadecimal digits, e.g. sg-0123456789abcdef0)",
    ]


def test_an_access_point_takes_root_directory_slash(tmp_path: Path) -> None:
    efs = "{id: fs-0123456789abcdef0, access_point: fsap-0123456789abcdef0, root_directory: /}"
    path = write(tmp_path, "api: {type: backend-service, image: nginx, storage: {volumes: {u: {path: /u, efs: " + efs + "}}}}\n")
    assert task_of(path, "api")["task"]["volumes"]["u"]["root_directory"] == "/"


def test_volume_paths_are_their_own(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""\
        api:
          type: backend-service
          image: nginx
          exec: true
          writable_paths: [/tmp]
          storage:
            volumes:
              one: {{path: /tmp, efs: {EFS}}}
              two: {{path: /var/lib/amazon, efs: {EFS}}}
              three: {{path: /same, efs: {EFS}}}
              four: {{path: /same, efs: {EFS}}}
        """,
    )
    assert errors_of(path) == [
        "FILE:13:21: services.api.storage.volumes.one.path: /tmp is also in writable_paths: two volumes cannot be mounted at one path "
        "(mount the volume at another path, or remove the path from writable_paths (the volume is writable))",
        "FILE:14:21: services.api.storage.volumes.two.path: /var/lib/amazon is also in ECS Exec's agent directories (exec: true with a read-only root): "
        "two volumes cannot be mounted at one path (mount the volume at another path)",
        "FILE:16:22: services.api.storage.volumes.four.path: volume three is mounted at /same too: two volumes cannot be mounted at one path "
        "(give each volume its own path)",
    ]
    # With a writable root, ECS Exec gets no scratch volumes: /var/lib/amazon is free.
    storage = f"{{volumes: {{two: {{path: /var/lib/amazon, efs: {EFS}}}}}}}"
    services = f"api: {{type: backend-service, image: nginx, exec: true, readonly_root_filesystem: false, storage: {storage}}}\n"
    assert task_of(write(tmp_path, services), "api")["task"]["volumes"]["two"]["path"] == "/var/lib/amazon"


def test_ephemeral_storage_on_ec2_only_capacity_is_a_located_error(tmp_path: Path) -> None:
    services = """\
    api: {type: backend-service, image: nginx, storage: {ephemeral: 50}}
    on-fargate: {type: backend-service, image: nginx, capacity: {fargate: {weight: 1}}, storage: {ephemeral: 50}}
    """
    assert errors_of(write_ec2(tmp_path, "t3.medium", services)) == [
        "FILE:9:56: services.api.storage.ephemeral: ephemeral storage is Fargate's: this service runs on EC2 capacity only, where tasks use "
        "the instance's disk (drop storage.ephemeral, or run the service on Fargate (services.NAME.capacity: {fargate: {weight: 1}}))",
    ]


def test_nfs_egress_in_an_existing_vpc_needs_the_mount_targets_group(tmp_path: Path) -> None:
    path, SG = tmp_path / "app.yaml", "sg-0123456789abcdef0"
    existing = "network:\n  vpc: {id: vpc-0abc, public_subnets: [subnet-1a, subnet-2a], private_subnets: [subnet-3a, subnet-4a]}\n"
    services = f"""\
    api: {{type: backend-service, image: nginx, storage: {{volumes: {{u: {{path: /u, efs: {EFS}}}}}}}}}
    ok: {{type: backend-service, image: nginx, storage: {{volumes: {{u: {{path: /u, efs: {{id: fs-0123456789abcdef0, security_group: {SG}}}}}}}}}}}
    """
    path.write_text(HEAD.replace("network:\n  vpc: {cidr: 10.0.0.0/16}\n", existing) + textwrap.indent(textwrap.dedent(services), "  ") + TAIL)
    assert errors_of(path) == [
        "FILE:6:80: services.api.storage.volumes.u.efs: tfgen does not know the CIDR block of vpc-0abc, where the tasks reach the file system on TCP 2049 "
        "(name the mount targets' security group: efs: {id, security_group: sg-...})",
    ]
    path.write_text(path.read_text().replace("\n  api: {type", "\n  # api: {type"))
    model = render_model(load_blueprint(path))  # the owner's mount targets: none of tfgen's
    assert not model.efs_mount_targets and "efs-mount-targets" not in model.modules_used() and "efs_mount_targets" not in model.values["dev"]
    assert model.values["dev"]["ok"]["network"]["egress"] == [{"cidr_ipv4": None, "security_group_id": SG, "ports": [2049]}]


def test_overrides_change_volumes_but_never_add_or_remove_one(tmp_path: Path) -> None:
    prod = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
    overrides:
      services:
        api:
          storage:
            ephemeral: 100
            volumes:
              uploads: {read_only: true, efs: {id: fs-0fedcba9876543210, access_point: fsap-0fedcba9876543210}}
"""
    base = f"api: {{type: backend-service, image: nginx, storage: {{ephemeral: 50, volumes: {{uploads: {{path: /u, efs: {EFS}}}}}}}}}\n"
    path = write(tmp_path, base, prod)
    assert task_of(path, "api", "dev")["task"]["volumes"]["uploads"]["file_system_id"] == UPLOADS_FS
    assert task_of(path, "api", "prod")["task"]["ephemeral_storage"] == 100
    assert task_of(path, "api", "prod")["task"]["volumes"] == {
        "uploads": {"path": "/u", "read_only": True, "file_system_id": "fs-0fedcba9876543210", "access_point_id": "fsap-0fedcba9876543210",
                    "root_directory": "/"}
    }
    added = f"              upload: {{path: /extra, efs: {EFS}}}\n              uploads: null\n"
    changed = prod.replace("              uploads: {read_only", added + "              x: {read_only")
    path = write(tmp_path, base, changed)
    assert errors_of(path) == [
        "FILE:18:15: environments.prod.overrides.services.api.storage.volumes.upload: volume 'upload' is not in service 'api' of the base blueprint: "
        "an environment cannot add one (did you mean 'uploads'?)",
        "FILE:19:15: environments.prod.overrides.services.api.storage.volumes.uploads: an environment cannot remove volume 'uploads' of service 'api' "
        "(change its values instead)",
        "FILE:20:15: environments.prod.overrides.services.api.storage.volumes.x: volume 'x' is not in service 'api' of the base blueprint: "
        "an environment cannot add one (declare it in the base blueprint and change its values per environment)",
    ]


# --- sidecars, depends_on, env_file ---------------------------------------------------------------

SIDECARS = """\
api:
  type: backend-service
  image: nginx
  port: 8000
  env_file: arn:aws:s3:::vote-config/api.env
  sidecars:
    otel:
      image: public.ecr.aws/aws-observability/aws-otel-collector:latest
      essential: false
      port: 4317
      variables: {AWS_REGION: eu-west-1}
      secrets: {OTEL_TOKEN: /vote/otel-token}
      cpu: 64
      memory: 128
      writable_paths: [/tmp]
    proxy:
      image: envoyproxy/envoy:v1.31-latest
      command: [envoy, -c, /etc/envoy.yaml]
      healthcheck: {command: [CMD, /healthcheck]}
  depends_on: {otel: START, proxy: HEALTHY}
"""


def test_sidecars_depends_on_and_env_file_render(tmp_path: Path) -> None:
    path = write(tmp_path, SIDECARS, TAIL)
    task = task_of(path, "api")["task"]
    assert task["env_file"] == "arn:aws:s3:::vote-config/api.env"
    assert task["depends_on"] == {"otel": "START", "proxy": "HEALTHY"}
    assert task["sidecars"] == {
        "otel": {
            "image": "public.ecr.aws/aws-observability/aws-otel-collector:latest",
            "essential": False,
            "port": 4317,
            "environment": {"AWS_REGION": "eu-west-1"},
            "secrets": {"OTEL_TOKEN": "/vote/otel-token"},
            "command": None,
            "healthcheck": None,
            "cpu": 64,
            "memory_reservation": 128,
            "writable_paths": ["/tmp"],
        },
        "proxy": {
            "image": "envoyproxy/envoy:v1.31-latest",
            "essential": True,
            "port": None,
            "environment": {},
            "secrets": {},
            "command": ["envoy", "-c", "/etc/envoy.yaml"],
            "healthcheck": {"command": ["CMD", "/healthcheck"], "interval": 30, "timeout": 5, "retries": 3, "start_period": None},
            "cpu": None,
            "memory_reservation": None,
            "writable_paths": [],
        },
    }


def test_without_sidecars_the_task_has_none(tmp_path: Path) -> None:
    task = task_of(write(tmp_path, "api: {type: backend-service, image: nginx}\n"), "api")["task"]
    assert (task["env_file"], task["sidecars"], task["depends_on"]) == (None, {}, {})


def test_bad_sidecar_values_are_located_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          env_file: arn:aws:s3:::vote-config/api.txt
          sidecars:
            app: {image: busybox}
            Otel_1: {image: otel}
            ok: {image: otel, cpu: 0, memory: 4, essential: "no", port: 70000}
          depends_on: {ok: READY}
        web:
          type: backend-service
          image: nginx
          env_file: s3://vote-config/web.env
        job:
          type: backend-service
          image: nginx
          env_file: arn:aws:s3:::Vote_Config/job.env
        """,
    )
    assert errors_of(path) == [
        "FILE:9:15: services.api.env_file: 'api.txt' does not end in .env: ECS reads environment files with the .env extension only "
        "(rename the object, e.g. api.env)",
        "FILE:11:7: services.api.sidecars.app: 'app' is the name of the service's own container (give the sidecar another name, e.g. otel or proxy)",
        "FILE:12:7: services.api.sidecars.Otel_1: 'Otel_1' is not a sidecar name (1-32 characters: a-z, 0-9 and '-', starting with a letter)",
        "FILE:13:30: services.api.sidecars.ok.cpu: must be at least 1, got 0",
        "FILE:13:41: services.api.sidecars.ok.memory: must be at least 6, got 4",
        "FILE:13:55: services.api.sidecars.ok.essential: expected true or false, got 'no'",
        "FILE:13:67: services.api.sidecars.ok.port: must be at most 65535, got 70000",
        "FILE:14:22: services.api.depends_on.ok: expected one of 'START', 'HEALTHY', 'COMPLETE', 'SUCCESS', got 'READY'",
        "FILE:18:15: services.web.env_file: 's3://vote-config/web.env' is not an S3 object ARN: env_file is an object in S3 "
        "(did you mean 'arn:aws:s3:::vote-config/web.env'?)",
        "FILE:22:15: services.job.env_file: 'Vote_Config' is not an S3 bucket name: it has characters S3 bucket names cannot have: "
        "only a-z, 0-9, '.' and '-' (write arn:aws:s3:::BUCKET/KEY.env)",
    ]


def test_depends_on_ports_and_reservations_are_checked_across_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        api:
          type: backend-service
          image: nginx
          port: 8080
          cpu: 256
          memory: 512
          sidecars:
            otel: {image: otel, port: 4317, memory: 256, cpu: 64}
            proxy: {image: envoy, port: 8080, memory: 256}
            init: {image: busybox, essential: false, port: 4317}
            migrate: {image: busybox}
          depends_on: {otle: START, proxy: HEALTHY, migrate: COMPLETE, init: SUCCESS, app: START}
        """,
    )
    assert errors_of(path) == [
        "FILE:14:35: services.api.sidecars.proxy.port: port 8080 is the port of the service's own container: "
        "the containers of a task share its network (awsvpc), so their ports differ (give the sidecar another port)",
        "FILE:14:49: services.api.sidecars.proxy.memory: the sidecars reserve 512 MiB of the task's 512: "
        "the containers' reservations must stay below the task's (the service's own container runs on the rest) (raise services.api.memory, or reserve less)",
        "FILE:15:54: services.api.sidecars.init.port: port 4317 is the port of sidecar 'otel': "
        "the containers of a task share its network (awsvpc), so their ports differ (give the sidecar another port)",
        "FILE:17:18: services.api.depends_on.otle: 'otle' is not a sidecar of service 'api' (did you mean 'otel'?)",
        "FILE:17:38: services.api.depends_on.proxy: HEALTHY waits for the health check of sidecar 'proxy', which has none "
        "(give sidecars.proxy a healthcheck, or write START)",
        "FILE:17:56: services.api.depends_on.migrate: COMPLETE waits for sidecar 'migrate' to exit, and it is essential (the default): "
        "ECS refuses COMPLETE and SUCCESS on an essential container, whose exit stops the task (set sidecars.migrate.essential: false, or write START)",
        "FILE:17:81: services.api.depends_on.app: 'app' is the service's own container: depends_on names the sidecars it waits for "
        "(sidecars: otel, proxy, init, migrate)",
    ]


def test_a_task_has_at_most_ten_containers(tmp_path: Path) -> None:
    sidecars = ", ".join(f"s{i}: {{image: busybox}}" for i in range(10))
    path = write(tmp_path, f"api: {{type: backend-service, image: nginx, sidecars: {{{sidecars}}}}}\n")
    assert errors_of(path) == ["FILE:6:56: services.api.sidecars: needs at most 9 entries, got 10"]


def test_env_file_is_in_the_environments_partition(tmp_path: Path) -> None:
    path = write(tmp_path, "api: {type: backend-service, image: nginx, env_file: 'arn:aws-cn:s3:::vote-config/api.env'}\n")
    assert errors_of(path) == [
        "FILE:6:56: services.api.env_file: in environment 'dev': 'arn:aws-cn:s3:::vote-config/api.env' is in partition 'aws-cn', "
        "but eu-west-1 is in partition 'aws' (write arn:aws:s3:::...)",
    ]


def test_overrides_change_sidecar_values_never_the_sidecars(tmp_path: Path) -> None:
    tail = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
    overrides:
      services:
        api:
          env_file: arn:aws:s3:::vote-config-prod/api.env
          sidecars: {otel: {image: otel:2, memory: 256}}
          depends_on: {otel: COMPLETE}
"""
    path = write(tmp_path, SIDECARS, tail)
    prod = task_of(path, "api", "prod")["task"]
    assert prod["env_file"] == "arn:aws:s3:::vote-config-prod/api.env"
    assert (prod["sidecars"]["otel"]["image"], prod["sidecars"]["otel"]["memory_reservation"], prod["sidecars"]["otel"]["port"]) == ("otel:2", 256, 4317)
    assert prod["depends_on"] == {"otel": "COMPLETE", "proxy": "HEALTHY"}
    assert task_of(path, "api", "dev")["task"]["sidecars"]["otel"]["image"] == "public.ecr.aws/aws-observability/aws-otel-collector:latest"

    bad = tail.replace("sidecars: {otel: {image: otel:2, memory: 256}}", "sidecars: {otle: {image: otel:2}, proxy: null}").replace("COMPLETE", "START")
    bad += "        web: {sidecars: null}\n"
    path = write(tmp_path, SIDECARS + "web: {type: backend-service, image: nginx, sidecars: {log: {image: fluent-bit}}}\n", bad)
    assert errors_of(path) == [
        "FILE:36:22: environments.prod.overrides.services.api.sidecars.otle: sidecar 'otle' is not in service 'api' of the base blueprint: "
        "an environment cannot add one (did you mean 'otel'?)",
        "FILE:36:45: environments.prod.overrides.services.api.sidecars.proxy: an environment cannot remove sidecar 'proxy' of service 'api' "
        "(change its values instead)",
        "FILE:38:15: environments.prod.overrides.services.web.sidecars: an environment cannot remove the sidecars of service 'web' "
        "(change their values instead)",
    ]


def test_an_override_making_a_waited_for_sidecar_essential_is_located_there(tmp_path: Path) -> None:
    tail = """\
environments:
  dev: {account: "111111111111", state: {bucket: vote-dev}}
  prod:
    account: "222222222222"
    state: {bucket: vote-prod}
    overrides:
      services: {api: {sidecars: {otel: {essential: true}}}}
"""
    path = write(tmp_path, SIDECARS.replace("otel: START", "otel: SUCCESS"), tail)
    assert errors_of(path) == [
        "FILE:32:53: environments.prod.overrides.services.api.sidecars.otel.essential: SUCCESS waits for sidecar 'otel' to exit, and it is essential: "
        "ECS refuses COMPLETE and SUCCESS on an essential container, whose exit stops the task (set sidecars.otel.essential: false, or write START)",
    ]
