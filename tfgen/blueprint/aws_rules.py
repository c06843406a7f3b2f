"""What AWS refuses: the values the AWS APIs reject, as named rules, each with its source.

A blueprint that passes these is one AWS accepts on these points; without them the first error
would come from `terraform apply`, inside a module, far from the line that caused it (SPEC §2:
"What AWS would refuse, tfgen refuses first").

- Rules on one value are the `check_*` functions: the model's validators call them, and they raise
  `Refused` (a ValueError that carries a hint), which the messages show at the value's line.
- Rules across values and environments (`certificate_mismatch`, `NAME_SCOPES`, the quotas) are
  called from `tfgen.blueprint.rules`, which knows where each value came from.

Sources are cited per rule: the AWS API references and user guides, and the data botocore ships
(its endpoint and partition data, and the service models it validates requests with), read
offline from the installed botocore: no network, no credentials.
"""

from __future__ import annotations

import difflib
import importlib.resources
import ipaddress
import json
import re
import unicodedata
from functools import cache
from typing import Any


class Refused(ValueError):
    """A value AWS refuses: the message says why, the hint what to write instead."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


# --- S3 bucket names ---------------------------------------------------------------------------
# Amazon S3 User Guide, "General purpose bucket naming rules"
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). Dashes next to
# dots (".-", "-.") were refused by the earlier rules and still break virtual-hosted-style URLs.

BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why AWS refuses `name` as a general purpose bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"has {len(name)} characters; S3 bucket names have 3 to 63"
    if not re.fullmatch(r"[a-z0-9.-]+", name):
        return "has characters S3 bucket names cannot have: only a-z, 0-9, '.' and '-'"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "must begin and end with a letter or a digit"
    for bad in ("..", ".-", "-."):
        if bad in name:
            return f"contains '{bad}': S3 bucket names cannot have a dot next to a dot or a hyphen"
    if re.fullmatch(r"[0-9]+(\.[0-9]+){3}", name):
        return "is formatted as an IP address"
    for prefix in BUCKET_RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"starts with '{prefix}', which S3 reserves"
    for suffix in BUCKET_RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"ends with '{suffix}', which S3 reserves"
    return None


def check_bucket_name(name: str) -> str:
    problem = bucket_name_problem(name)
    if problem:
        raise Refused(f"'{name}' is not an S3 bucket name: it {problem}", "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html")
    return name


# --- regions and partitions --------------------------------------------------------------------
# botocore's own data: data/partitions.json (the partitions of the endpoint rule sets, with their
# regions) and data/endpoints.json (the older endpoint data), read from the installed package so
# the answer is the same on every machine with that botocore, whatever ~/.aws holds.


@cache
def _botocore_partitions(name: str) -> list[dict[str, Any]]:
    """The partitions of one of botocore's data files (partitions.json, endpoints.json); [] when unreadable."""
    try:
        document = json.loads((importlib.resources.files("botocore") / "data" / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [partition for partition in document.get("partitions", []) if isinstance(partition, dict)]


@cache
def region_partitions() -> dict[str, str]:
    """Every region botocore knows -> the ARN partition of its region (eu-west-1 -> aws)."""
    regions: dict[str, str] = {}
    for name, key in (("partitions.json", "id"), ("endpoints.json", "partition")):
        for partition in _botocore_partitions(name):
            outputs = partition.get("outputs") or {}
            arn_partition = outputs.get("name") or partition.get(key)
            for region in partition.get("regions", {}):
                if isinstance(arn_partition, str) and not region.endswith("-global"):
                    regions.setdefault(region, arn_partition)
    return regions


def partition_of(region: str) -> str | None:
    return region_partitions().get(region)


@cache
def _dns_suffixes() -> dict[str, str]:
    """ARN partition -> the DNS suffix of its endpoints (aws -> amazonaws.com, aws-cn -> amazonaws.com.cn)."""
    outputs = [partition.get("outputs") or {} for partition in _botocore_partitions("partitions.json")]
    return {output["name"]: output["dnsSuffix"] for output in outputs if isinstance(output.get("name"), str) and isinstance(output.get("dnsSuffix"), str)}


def dns_suffix(region: str) -> str:
    """The DNS suffix of a region's endpoints (ECR registry host names end with it)."""
    return _dns_suffixes().get(partition_of(region) or "aws", "amazonaws.com")


def check_region(region: str) -> str:
    known = region_partitions()
    if region in known:
        return region
    close = closest_region(region)
    hint = f"did you mean '{close}'?" if close else "AWS regions are such as eu-west-1 or us-east-1 (botocore's list: a newer botocore knows newer ones)"
    raise Refused(f"'{region}' is not an AWS region", hint)


_LOOKALIKES = str.maketrans({"l": "1", "i": "1", "o": "0", "_": "-", " ": "-"})


def closest_region(text: str) -> str | None:
    """The region `text` most likely means: eu-west-l -> eu-west-1, EU-WEST-1 -> eu-west-1; ties go
    to the first in order (us-east-x -> us-east-1)."""
    known = sorted(region_partitions())
    lowered = text.strip().lower()
    head, _, tail = lowered.rpartition("-")
    for candidate in (lowered, f"{head}-{tail.translate(_LOOKALIKES)}" if head else lowered, lowered.translate(_LOOKALIKES)):
        if candidate in known:
            return candidate
    close = difflib.get_close_matches(lowered, known, n=10, cutoff=0.6)
    if not close:
        return None
    best = max(difflib.SequenceMatcher(None, lowered, c).ratio() for c in close)
    return min(c for c in close if difflib.SequenceMatcher(None, lowered, c).ratio() == best)


# --- ACM certificates --------------------------------------------------------------------------
# An HTTPS listener's certificates are ACM certificates in the load balancer's own region and
# account (Elastic Load Balancing User Guide, "SSL certificates for your Application Load
# Balancer"; ACM User Guide: "certificates are regional resources"); the ARN form is
# arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID (ACM API reference, CertificateArn; botocore's
# acm model, shape Arn).

CERTIFICATE_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):acm:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):certificate/(?P<id>[A-Za-z0-9-]+)$")
CERTIFICATE_FORM = "arn:aws:acm:REGION:ACCOUNT:certificate/ID"


def check_certificate_arn(arn: str) -> str:
    match = CERTIFICATE_ARN.match(arn)
    if match is None:
        service = arn.split(":")[2] if arn.count(":") >= 2 else ""
        if service and service != "acm":
            raise Refused(f"'{arn}' is not an ACM certificate ({service}): the load balancer's listener takes ACM certificates", f"write {CERTIFICATE_FORM}")
        raise Refused(f"'{arn}' is not an ACM certificate ARN", f"write {CERTIFICATE_FORM}")
    partition = partition_of(match["region"])
    if partition is None:
        raise Refused(f"'{arn}' names region '{match['region']}', which is not an AWS region", check_region_hint(match["region"]))
    if partition != match["partition"]:
        raise Refused(
            f"'{arn}' has partition '{match['partition']}', but region {match['region']} is in partition '{partition}'", f"write arn:{partition}:acm:..."
        )
    return arn


def check_region_hint(region: str) -> str | None:
    try:
        check_region(region)
    except Refused as refused:
        return refused.hint
    return None


def certificate_mismatch(arn: str, region: str, account: str) -> str | None:
    """Why a load balancer in `region` and `account` cannot use certificate `arn`, or None."""
    match = CERTIFICATE_ARN.match(arn)
    if match is None:
        return None  # the field rule reports it
    wrong = []
    if match["region"] != region:
        wrong.append(f"region {match['region']}, not {region}")
    if match["account"] != account:
        wrong.append(f"account {match['account']}, not {account}")
    if not wrong:
        return None
    return f"the certificate is in {' and '.join(wrong)}: a load balancer uses ACM certificates of its own region and account"


# --- networks ----------------------------------------------------------------------------------
# Amazon VPC User Guide, "VPC CIDR blocks": an IPv4 block between /16 and /28 (EC2 CreateVpc:
# CidrBlock is "the IPv4 network range for the VPC"). tfgen asks for /24 or larger (every AZ gets
# two subnets), in the model.

VPC_LARGEST_PREFIX = 16
VPC_SMALLEST_PREFIX = 28


def check_vpc_cidr(cidr: str) -> str:
    network = ipaddress.ip_network(cidr)
    if network.version != 4:
        raise Refused(f"'{cidr}' is an IPv6 block: a VPC's primary CIDR block is IPv4", "write an IPv4 block such as 10.0.0.0/16")
    if network.prefixlen < VPC_LARGEST_PREFIX:
        raise Refused(
            f"'{cidr}' is larger than AWS allows for a VPC (/{VPC_LARGEST_PREFIX} to /{VPC_SMALLEST_PREFIX})",
            f"write /{VPC_LARGEST_PREFIX} or smaller, e.g. {network.network_address}/{VPC_LARGEST_PREFIX}",
        )
    return cidr


def check_ipv4_source(cidr: str) -> str:
    """The load balancer's listeners admit IPv4 ranges only: tfgen renders an IPv4 ALB (ip address
    type ipv4), whose security group rules take `cidr_ipv4`; an IPv6 range there is refused."""
    if ipaddress.ip_network(cidr).version != 4:
        raise Refused(f"'{cidr}' is an IPv6 range", "the load balancer is IPv4-only; dual-stack is not supported yet")
    return cidr


# --- container paths ---------------------------------------------------------------------------


def check_writable_path(path: str) -> str:
    """A writable path is a plain directory below / (a task volume is mounted there): ECS takes the
    containerPath as written, so `/tmp/../etc` would mount a scratch volume over /etc."""
    segments = path.split("/")[1:]
    for bad in ("..", "."):
        if bad in segments:
            raise Refused(f"'{path}' has a '{bad}' segment: writable paths are plain directories", "write the directory itself, e.g. /tmp")
    return path


# --- names -------------------------------------------------------------------------------------
# Elastic Load Balancing API reference, CreateLoadBalancer and CreateTargetGroup, Name (botocore's
# elbv2 model): "must not begin or end with a hyphen, and must not begin with 'internal-'". The
# application, environment and service names end the load balancer's and target groups' names.


def check_name_end(name: str) -> str:
    if name.endswith("-"):
        raise Refused(
            f"'{name}' ends with '-': the AWS names it ends (load balancer, target groups) may not",
            f"write '{name.rstrip('-')}'" if name.rstrip("-") else None,
        )
    return name


def check_application_name(name: str) -> str:
    check_name_end(name)
    if name == "internal" or name.startswith("internal-"):
        raise Refused(f"'{name}' makes the load balancer's name begin with 'internal-', which AWS refuses", "choose another application name")
    return name


# --- capacity provider strategies -------------------------------------------------------------
# Amazon ECS API reference, CapacityProviderStrategyItem: "Only one capacity provider in a capacity
# provider strategy can have a base defined"; weight 0..1000, and a provider of weight 0 places no
# tasks, so at least one needs a weight above 0. Amazon ECS Developer Guide, "Amazon ECS capacity
# providers for EC2 workloads": "a capacity provider strategy can only contain Auto Scaling group or
# Fargate capacity providers, but not both" (PutClusterCapacityProviders and CreateService refuse
# it with InvalidParameterException). A cluster may hold both kinds.

FARGATE_KINDS = ("fargate", "fargate_spot")


def strategy_problems(providers: dict[str, tuple[int, int]]) -> list[tuple[str, str]]:
    """What ECS refuses in one strategy (provider -> (base, weight)): (problem, hint) pairs."""
    problems = []
    fargate = [name for name in providers if name in FARGATE_KINDS]
    if fargate and "ec2" in providers:
        problems.append(
            (
                f"a capacity provider strategy holds Fargate providers or the EC2 Auto Scaling group provider, not both ({', '.join([*fargate, 'ec2'])})",
                "keep one kind here; a service runs on the other with its own services.NAME.capacity",
            )
        )
    with_base = [name for name, (base, _) in providers.items() if base > 0]
    if len(with_base) > 1:
        problems.append((f"only one capacity provider of a strategy may have a base ({', '.join(with_base)} have one)", "keep base on one provider"))
    if providers and all(weight == 0 for _, weight in providers.values()):
        problems.append(
            ("at least one capacity provider needs a weight above 0: with every weight 0, ECS places no task", "give one provider a weight of 1 or more")
        )
    return problems


# --- tags --------------------------------------------------------------------------------------
# The tagging rules of every service tfgen tags (e.g. ECS CreateService, tags, in botocore's ecs
# model; "Tagging your AWS resources", Tag naming limits): 50 tags per resource; keys of 1-128 and
# values of 0-256 characters; letters, digits, spaces and + - = . _ : / @; the prefix `aws:` (any
# case) is reserved for AWS, in keys and in values.

MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256


def _tag_text_problem(text: str, what: str) -> str | None:
    if text.lower().startswith("aws:"):
        return f"the {what} '{text[:40]}' starts with 'aws:', which AWS reserves"
    bad = sorted({ch for ch in text if not (unicodedata.category(ch)[0] in "LNZ" or ch in "+-=._:/@")})
    if bad:
        shown = ", ".join(repr(ch) if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in bad[:5])
        return f"the {what} '{text[:40]}' has characters AWS tags cannot have ({shown}): letters, digits, spaces and + - = . _ : / @"
    return None


def check_tag_key(key: str) -> str:
    if not key:
        raise Refused("a tag key cannot be empty")
    if len(key) > MAX_TAG_KEY:
        raise Refused(f"the tag key has {len(key)} characters; AWS allows {MAX_TAG_KEY}")
    problem = _tag_text_problem(key, "tag key")
    if problem:
        raise Refused(problem)
    return key


def check_tag_value(value: str) -> str:
    if len(value) > MAX_TAG_VALUE:
        raise Refused(f"the tag value has {len(value)} characters; AWS allows {MAX_TAG_VALUE}")
    problem = _tag_text_problem(value, "tag value")
    if problem:
        raise Refused(problem)
    return value


# --- schedules ---------------------------------------------------------------------------------
# EventBridge User Guide, "Cron expressions" and "Rate expressions"
# (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
# .../eb-rate-expressions.html); EventBridge Scheduler takes the same forms. Six fields:
#   minutes 0-59 (, - * /), hours 0-23 (, - * /), day-of-month 1-31 (, - * ? / L W),
#   month 1-12 or JAN-DEC (, - * /), day-of-week 1-7 or SUN-SAT (, - * ? L #), year 1970-2199 (, - * /);
# '#' once in day-of-week. An increment (`/N`) is at most the field's largest value: AWS refuses
# cron(*/60 * * * ? *) (aws/aws-sdk-js#4212).
# A rate's value is "a positive number" (no upper bound documented): tfgen refuses more than a
# year (rate(100000 days) would first run in 2300, past cron's year 2199), where a cron with a
# year says what is meant.

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...], str], ...] = (
    ("minutes", 0, 59, (), ",-*/"),
    ("hours", 0, 23, (), ",-*/"),
    ("day-of-month", 1, 31, (), ",-*?/LW"),
    ("month", 1, 12, MONTHS, ",-*/"),
    ("day-of-week", 1, 7, WEEKDAYS, ",-*?L#"),
    ("year", 1970, 2199, (), ",-*/"),
)
RATE_LIMIT_MINUTES = 365 * 24 * 60
RATE_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}


def cron_problems(fields: list[str]) -> list[str]:
    """What is wrong with each of the six fields of an EventBridge cron expression (empty: nothing)."""
    problems = []
    for text, (name, low, high, names, wildcards) in zip(fields, CRON_FIELDS, strict=True):
        problem = _cron_field_problem(text, low, high, names, wildcards)
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def _cron_field_problem(text: str, low: int, high: int, names: tuple[str, ...], wildcards: str) -> str | None:
    if text == "?":
        return None if "?" in wildcards else "'?' is for day-of-month or day-of-week only"
    items = text.split(",")
    if "#" in text and len(items) > 1:
        return f"'{text}': '#' takes a field of its own"
    for item in items:
        problem = _cron_item_problem(item, low, high, names, wildcards)
        if problem:
            return problem
    return None


def _cron_item_problem(item: str, low: int, high: int, names: tuple[str, ...], wildcards: str) -> str | None:
    if not item:
        return "an empty value between commas"
    base, slash, step = item.partition("/")
    if slash:
        largest = high if high < 1970 else high - low
        if "/" not in wildcards:
            return "'/' (an increment) is not allowed here"
        if not step.isdigit() or not 1 <= int(step) <= largest:
            return f"the increment in '{item}' is not 1 to {largest}"
    if base == "*":
        return None
    if "L" in wildcards and "W" in wildcards:  # day-of-month: L (last day), LW, 15W (nearest weekday)
        if base in ("L", "LW"):
            return None
        if base.endswith("W"):
            return _cron_value_problem(base[:-1], low, high, names)
    if "#" in wildcards:  # day-of-week: L (last day of the week), 5L (last Thursday), 3#2 (second Tuesday)
        if base == "L":
            return None
        if base.upper().endswith("L"):
            return _cron_value_problem(base[:-1], low, high, names)
        if "#" in base:
            day, _, nth = base.partition("#")
            if not nth.isdigit() or not 1 <= int(nth) <= 5:
                return f"in '{base}' the week of the month after '#' is not 1 to 5"
            return _cron_value_problem(day, low, high, names)
    first, dash, last = base.partition("-")
    for value in (first, last) if dash else (first,):
        problem = _cron_value_problem(value, low, high, names)
        if problem:
            return problem
    return None


def _cron_value_problem(value: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    if value.upper() in names or (value.isdigit() and low <= int(value) <= high):
        return None
    allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
    return f"'{value}' is not {allowed}"


def rate_problem(value: int, unit: str) -> str | None:
    """Why EventBridge (or tfgen) refuses rate(value unit), or None; unit is minute(s), hour(s), day(s)."""
    minutes = value * RATE_MINUTES[unit.rstrip("s")]
    if minutes > RATE_LIMIT_MINUTES:
        return "is longer than a year: tfgen runs jobs at most a year apart"
    return None



# --- time zones --------------------------------------------------------------------------------
# EventBridge Scheduler API reference, CreateSchedule.ScheduleExpressionTimezone: "The timezone in
# which the scheduling expression is evaluated", an IANA time zone name (default UTC). The names
# are the IANA database's, read from Python's zoneinfo (the system's database, else the tzdata
# package); its files that are not zones (Factory, localtime, posixrules) are not names.
# A rate(...) runs every N units from its creation whatever the zone: tfgen refuses a time zone
# there, where it would say something the schedule does not do.

NOT_TIME_ZONES = frozenset({"Factory", "localtime", "posixrules"})


@cache
def time_zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(name for name in zoneinfo.available_timezones() if name not in NOT_TIME_ZONES and not name.startswith(("posix/", "right/")))


def check_time_zone(value: str) -> str:
    zones = time_zones()
    if not zones:  # no time zone database on this machine: nothing to check against
        return value
    if value in zones:
        return value
    lowered = {zone.lower(): zone for zone in zones}
    close = lowered.get(value.strip().lower().replace(" ", "_"))
    if close is None:
        matches = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
        close = lowered[matches[0]] if matches else None
    hint = f"did you mean '{close}'?" if close else "an IANA time zone name such as Europe/Berlin, America/New_York or UTC"
    raise Refused(f"'{value[:80]}' is not a time zone EventBridge Scheduler knows (IANA names)", hint)


# --- SNS topics (scheduled-job notify) -----------------------------------------------------------
# Amazon SNS API reference, CreateTopic.Name: "up to 256 characters. Topic names must be made up of
# only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens" (".fifo" ends a
# FIFO topic's name). A FIFO topic refuses Publish without MessageGroupId (and, without
# content-based deduplication, MessageDeduplicationId): tfgen's failure notices go to standard
# topics. Step Functions' sns:publish integration calls SNS in the state machine's region, and
# Publish takes topics of that region only: a topic elsewhere is refused at run time, when a
# failure is to be told, so tfgen refuses it here.

SNS_TOPIC_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):sns:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):(?P<name>[A-Za-z0-9_-]{1,256})(?P<fifo>\.fifo)?$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$")


def check_sns_topic_arn(value: str) -> str:
    match = SNS_TOPIC_ARN.match(value)
    if match is None:
        raise Refused(f"'{value[:80]}' is not an SNS topic ARN", "write arn:aws:sns:REGION:ACCOUNT:TOPIC")
    if match["fifo"]:
        raise Refused(
            f"'{value[:80]}' is a FIFO topic: it refuses messages without a message group and deduplication id",
            "send failure notices to a standard topic",
        )
    return value


def sns_topic_region(value: str) -> str | None:
    match = SNS_TOPIC_ARN.match(value)
    return match["region"] if match else None


def check_kms_key_arn(value: str) -> str:
    if KMS_KEY_ARN.match(value):
        return value
    raise Refused(f"'{value[:80]}' is not a KMS key ARN", "write arn:aws:kms:REGION:ACCOUNT:key/KEY-ID: an IAM policy names the key, not an alias")


# --- Step Functions retries (scheduled-job retries) ----------------------------------------------
# Step Functions Developer Guide, "Handling errors in Step Functions workflows", Retriers:
# IntervalSeconds a positive integer (default 1), MaxAttempts a non-negative integer (default 3;
# 0: never retried), BackoffRate at least 1.0 (default 2.0), all at most 99999999; States.TaskFailed
# matches every task error but States.Timeout. tfgen keeps the counts to what a schedule can use:
# at most 10 retries, an interval up to a day, a backoff rate up to 10.

MAX_RETRIES = 10
MAX_RETRY_INTERVAL = 86400
MAX_BACKOFF_RATE = 10.0

# --- secrets -----------------------------------------------------------------------------------
# ECS API reference, Secret.valueFrom (botocore's ecs model): "the full ARN of the Secrets Manager
# secret or the full ARN of the parameter in the SSM Parameter Store". A Secrets Manager ARN may
# end with ECS's `:json-key:version-stage:version-id` selectors (ECS Developer Guide, "Pass
# Secrets Manager secrets through Amazon ECS environment variables").

SECRET_ARN = re.compile(r"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?$")
PARAMETER_ARN = re.compile(r"^arn:[a-z-]+:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9/_.-]+$")
# A bare name is a parameter of the environment's own account and region (ECS accepts the name of
# a parameter in the task's region; the module spells out its ARN for IAM).
PARAMETER_NAME = re.compile(r"^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
# KMS keys by ARN (IAM grants kms:Decrypt on key ARNs, never aliases): single- and multi-Region keys.
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def check_secret_arn(value: str) -> str:
    if SECRET_ARN.match(value) or PARAMETER_ARN.match(value) or PARAMETER_NAME.match(value):
        return value
    service = value.split(":")[2] if value.startswith("arn:") and value.count(":") >= 2 else None
    forms = {"secretsmanager": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME", "ssm": "arn:aws:ssm:REGION:ACCOUNT:parameter/NAME"}
    if service in forms:
        raise Refused(f"'{value[:80]}' is not a well-formed {service} ARN", f"write {forms[service]}")
    raise Refused(f"'{value[:80]}' is not a Secrets Manager secret or an SSM parameter", f"write {forms['secretsmanager']} or {forms['ssm']}")


# --- task role permissions ----------------------------------------------------------------------
# IAM User Guide, "IAM identifiers" (ARN forms: arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME, AWS
# managed policies under the account `aws`), "IAM JSON policy elements: Action" (service prefix,
# a colon, the action name; `*` and `?` match within it), "IAM JSON policy elements: Resource"
# (`*` or an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with wildcards) and "IAM JSON
# policy elements: Condition operators". The partitions are botocore's (data/partitions.json).

MANAGED_POLICY_ARN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>aws|[0-9]{12}):policy/(?P<path>[A-Za-z0-9+=,.@_/-]*/)?(?P<name>[A-Za-z0-9+=,.@_-]{1,128})$"
)
MANAGED_POLICY_FORM = "arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME"
ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
RESOURCE_ARN = re.compile(r"^arn:(?P<partition>[a-z*-]+):(?P<service>[a-z0-9*?-]+):(?P<region>[a-z0-9*?-]*):(?P<account>[0-9*?]*|aws):(?P<resource>.+)$")
RESOURCE_FORM = "arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE (or *)"
CONDITION_OPERATORS = (
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
)  # fmt: skip


# IAM User Guide, "IAM and AWS STS quotas": managed policies attached to a role, 10 by default,
# at most 20 on request; the inline policies of a role, 10,240 characters together, white space
# not counted.
MANAGED_POLICIES_PER_ROLE_MAX = 20
ROLE_INLINE_POLICY_CHARACTERS = 10_240


def policy_characters(document: dict[str, Any]) -> int:
    """The size IAM counts for a policy document: its JSON without white space."""
    return len(re.sub(r"\s", "", json.dumps(document, separators=(",", ":"))))


def known_partitions() -> list[str]:
    """The ARN partitions of botocore's regions (aws, aws-cn, aws-us-gov, ...)."""
    return sorted(set(region_partitions().values()))


def _check_partition(arn: str, partition: str) -> None:
    known = known_partitions()
    if partition not in known:
        close = difflib.get_close_matches(partition, known, n=1)
        hint = f"did you mean 'arn:{close[0]}:...'?" if close else f"AWS partitions are {', '.join(known)}"
        raise Refused(f"'{arn[:80]}' has partition '{partition}', which is not an AWS partition", hint)


def check_managed_policy_arn(arn: str) -> str:
    match = MANAGED_POLICY_ARN.match(arn)
    if match is None:
        service = arn.split(":")[2] if arn.startswith("arn:") and arn.count(":") >= 2 else None
        what = f"an IAM policy ({service})" if service and service != "iam" else "a managed policy ARN"
        raise Refused(f"'{arn[:80]}' is not {what}: permissions take managed policy ARNs and statements", f"write {MANAGED_POLICY_FORM}")
    _check_partition(arn, match["partition"])
    return arn


def check_action(action: str) -> str:
    if action == "*" or ACTION.match(action):
        return action
    hint = "write SERVICE:Action, e.g. s3:GetObject (wildcards * and ? match in the action name)"
    if ":" not in action and re.fullmatch(r"[A-Za-z0-9*?]+", action):
        hint = f"an action names its service: SERVICE:{action}, e.g. s3:GetObject"
    elif re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+", action):
        service, _, name = action.partition(":")
        hint = f"service prefixes are lower case: did you mean '{service.lower()}:{name}'?"
    raise Refused(f"'{action[:80]}' is not an IAM action", hint)


def check_resource(resource: str) -> str:
    if resource == "*":
        return resource
    match = RESOURCE_ARN.match(resource)
    if match is None:
        raise Refused(f"'{resource[:80]}' is not a resource ARN", f"write {RESOURCE_FORM}")
    if "*" not in match["partition"]:
        _check_partition(resource, match["partition"])
    return resource


def check_condition_operator(test: str) -> str:
    operator = test
    for prefix in ("ForAllValues:", "ForAnyValue:"):
        operator = operator.removeprefix(prefix)
    operator = operator.removesuffix("IfExists") if operator != "Null" else operator
    if operator in CONDITION_OPERATORS:
        return test
    close = difflib.get_close_matches(operator, CONDITION_OPERATORS, n=1)
    raise Refused(f"'{test[:80]}' is not an IAM condition operator", f"did you mean '{close[0]}'?" if close else "e.g. StringEquals, ArnLike, Bool")


def arn_partition(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" and "*" not in parts[1] else None


# --- CPU architecture -----------------------------------------------------------------------------
# ECS API reference, RuntimePlatform.cpuArchitecture (X86_64 | ARM64): an ARM64 task runs on
# Fargate (Linux, platform 1.4.0+, Spot included) or on ARM instances. Graviton instance types
# are a1 and the families with a "g" in the letters after the generation (t4g, m7g, c6gn, r8gd,
# is4gen; not g5 or g4dn, which are x86 GPU families): the same rule as modules/ec2-capacity's
# `arm64` local, which picks the arm64 AMI.

GRAVITON_INSTANCE_TYPE = re.compile(r"^(a1|[a-z]+[0-9]+[a-z]*g[a-z]*)\.")


def is_arm64_instance_type(instance_type: str) -> bool:
    return GRAVITON_INSTANCE_TYPE.match(instance_type) is not None


# --- quotas ------------------------------------------------------------------------------------
# Elastic Load Balancing User Guide, "Quotas for your Application Load Balancers": 100 rules per
# load balancer, not counting the listeners' default rules (Service Quotas: "Rules per
# Application Load Balancer"). tfgen gives each web service one listener rule on the one ALB.

ALB_RULES_QUOTA = 100


# Elastic Load Balancing User Guide, "Quotas for your Application Load Balancers", Rules: 5
# condition values, 5 condition wildcards and 5 match evaluations per rule (none adjustable). A
# web service's rule has its path pattern and one value per alias (host header); a host header
# value has at most 128 characters ("Host conditions").
ALB_RULE_CONDITION_VALUES = 5
ALB_RULE_WILDCARDS = 5
ALB_HOST_HEADER_LENGTH = 128


# --- Route 53 ----------------------------------------------------------------------------------
# Route 53 Developer Guide, "DNS domain name format": labels of 1-63 characters, a name of at
# most 255 bytes with the final dot (253 characters without it). tfgen takes the zone as written
# in lowercase letters, digits and hyphens (internationalized names as their xn-- form). A record
# name may start with the wildcard label "*" ("Using an asterisk (*) in the names of hosted zones
# and records"); an asterisk anywhere else is a literal character, not a wildcard, so an ALB host
# header such as api-*.example.com has no record that matches the same names.

HOSTED_ZONE_PATTERN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$"
MAX_DOMAIN_NAME = 253


def check_hosted_zone(name: str) -> str:
    """A Route 53 zone name as AWS takes it; the trailing dot dropped."""
    zone = name.removesuffix(".")
    if not re.fullmatch(HOSTED_ZONE_PATTERN, name) or len(zone) > MAX_DOMAIN_NAME:
        raise Refused(
            f"'{name[:80]}' is not a DNS zone name",
            "write the domain, e.g. example.com: labels of a-z, 0-9 and '-' (1-63 characters) separated by dots",
        )
    return zone


def in_zone(alias: str, zone: str) -> bool:
    """Whether a record named `alias` belongs in the hosted zone `zone` (the zone's apex or below)."""
    return alias == zone or alias.endswith("." + zone)


def record_wildcard_problem(alias: str) -> str | None:
    """Why Route 53 has no record answering the same names as the ALB host header `alias`, or None."""
    labels = alias.split(".")
    if "?" in alias or any("*" in label for label in labels[1:]) or (labels[0] != "*" and "*" in labels[0]):
        return "Route 53 takes a wildcard only as the whole leftmost label (*.example.com); elsewhere '*' and '?' are literal characters"
    return None


# --- names unique per account and region -------------------------------------------------------
# Which AWS names must be unique where: IAM role names per account (IAM User Guide, "IAM object
# names": unique within the account, all regions); the others per account and region (SQS queue
# names, CloudWatch Logs groups, ECS task definition families, ECS clusters, Step Functions state
# machines, EventBridge rules, EventBridge Scheduler schedules (unique per schedule group: tfgen's are
# all in the region's `default` group), ELB load balancers and target groups, ECR repositories), security
# group names per VPC (taken here as per account and region: environments may share a VPC).
# A Scheduler schedule's name has 1-64 characters of [0-9a-zA-Z-_.] (Scheduler API reference,
# CreateSchedule.Name): a job's `<app>-<env>-<job>` stays within that (MAX_SERVICE_RESOURCE_NAME, 54).

NAME_SCOPES: dict[str, str] = {
    "IAM role": "account",
    "SQS queue": "region",
    "log group": "region",
    "task definition family": "region",
    "ECS cluster": "region",
    "state machine": "region",
    "EventBridge rule": "region",
    "Scheduler schedule": "region",
    "load balancer": "region",
    "target group": "region",
    "ECR repository": "region",
    "security group": "region",
    "capacity provider": "region",
    "CloudWatch alarm": "region",
}


def name_scope(kind: str, account: str, region: str) -> tuple[Any, ...]:
    """Where a name of `kind` must be unique: (account,) or (account, region)."""
    return (account,) if NAME_SCOPES.get(kind) == "account" else (account, region)


# --- containers of a task: environment files, sidecars ------------------------------------------
# ECS Developer Guide, "Pass environment variables to an Amazon ECS container" (environmentFiles):
# an S3 object ARN (arn:PARTITION:s3:::BUCKET/KEY) whose key ends in .env; the task execution
# role reads it (s3:GetObject on the object, s3:GetBucketLocation on the bucket).
# ECS API reference, ContainerDependency: COMPLETE and SUCCESS "can't be set on an essential
# container", HEALTHY "requires that the dependent container has health checks configured".
# ContainerDefinition.memory: Docker reserves at least 6 MiB for a container.

ENV_FILE_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):s3:::(?P<bucket>[^/]+)/(?P<key>.+)$")
ENV_FILE_FORM = "arn:aws:s3:::BUCKET/KEY.env"
MIN_CONTAINER_MEMORY = 6


def check_env_file_arn(arn: str) -> str:
    match = ENV_FILE_ARN.match(arn)
    if match is None:
        url = re.fullmatch(r"s3://([^/]+)/(.+)", arn)
        hint = f"did you mean 'arn:aws:s3:::{url[1]}/{url[2]}'?" if url else f"write {ENV_FILE_FORM}"
        raise Refused(f"'{arn[:80]}' is not an S3 object ARN: env_file is an object in S3", hint)
    _check_partition(arn, match["partition"])
    problem = bucket_name_problem(match["bucket"])
    if problem:
        raise Refused(f"'{match['bucket']}' is not an S3 bucket name: it {problem}", f"write {ENV_FILE_FORM}")
    if not match["key"].endswith(".env"):
        message = f"'{match['key'][:80]}' does not end in .env: ECS reads environment files with the .env extension only"
        raise Refused(message, "rename the object, e.g. api.env")
    return arn
