"""`tfgen bootstrap`: the S3 bucket that holds an environment's Terraform state.

The bucket is created in the state region (``state.region``, else the environment's region, else
the blueprint's) when it is missing, and then every setting is checked and, only when it is not
already right, put in place:

- versioning enabled (state history, recovery from a bad apply);
- default encryption (SSE-S3 ``AES256``; an existing ``aws:kms``/``aws:kms:dsse`` default is kept);
- all four public access block settings true;
- a bucket policy statement denying any request with ``aws:SecureTransport = false`` (added to an
  existing policy, whose other statements are kept).

Running it again changes nothing and says so. It refuses to act when the credentials belong to
another account than the environment's, when the bucket exists in another region, or when it
exists but is not the environment account's (HeadBucket with ExpectedBucketOwner answers 403).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from tfgen.aws import Aws, AwsError, Target, aws_errors, error_code
from tfgen.blueprint.loader import LoadedBlueprint

ENCRYPTION_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
TLS_STATEMENT_SID = "DenyInsecureTransport"


@dataclass
class Step:
    """One setting of the bucket: what was found and whether bootstrap changed it."""

    name: str
    changed: bool
    detail: str


@dataclass
class BootstrapResult:
    bucket: str
    region: str
    account: str
    steps: list[Step] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(step.changed for step in self.steps)

    def lines(self) -> list[str]:
        if self.changed:
            head = f"state bucket {self.bucket} ({self.region}, account {self.account}): bootstrapped"
        else:
            head = f"state bucket {self.bucket} ({self.region}, account {self.account}): already bootstrapped, nothing changed"
        width = max(len(step.name) for step in self.steps)
        body = [f"  {'changed' if step.changed else 'ok':8} {step.name:{width}}  {step.detail}" for step in self.steps]
        return [head, *body]


def state_region(target: Target) -> str:
    env = target.blueprint.environments[target.environment]
    return env.state.region or target.region


def bootstrap(loaded: LoadedBlueprint, environment: str, aws: Aws | None = None) -> BootstrapResult:
    target = Target.of(loaded, environment)
    env = target.blueprint.environments[environment]
    bucket, region = env.state.bucket, state_region(target)
    aws = aws or Aws()
    account = aws.require_account(target.account, environment, region)
    s3 = aws.client("s3", region)
    result = BootstrapResult(bucket, region, account)
    with aws_errors():
        result.steps.append(_ensure_bucket(s3, bucket, region, account, environment))
        result.steps.append(_ensure_versioning(s3, bucket, account))
        result.steps.append(_ensure_encryption(s3, bucket, account))
        result.steps.append(_ensure_public_access_block(s3, bucket, account))
        result.steps.append(_ensure_tls_policy(s3, bucket, account, aws.partition(region)))
    return result


# --- the bucket itself -------------------------------------------------------------------------


def bucket_region(s3: Any, bucket: str) -> str:
    """GetBucketLocation, normalised: None means us-east-1 and the legacy 'EU' means eu-west-1."""
    location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)


def _ensure_bucket(s3: Any, bucket: str, region: str, account: str, environment: str) -> Step:
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
    except ClientError as error:
        code = error_code(error)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return _create_bucket(s3, bucket, region, account)
        if code in ("403", "AccessDenied", "Forbidden"):
            raise _not_ours(bucket, account, environment) from None
        if code in ("301", "PermanentRedirect", "400"):
            # Real S3 answers HeadBucket in another region's endpoint with a redirect: say where it is.
            found = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
            raise _other_region(bucket, found or "another region", region, environment) from None
        raise
    found = bucket_region(s3, bucket)
    if found != region:
        raise _other_region(bucket, found, region, environment)
    return Step("bucket", False, f"exists in {region}, owned by {account}")


def _create_bucket(s3: Any, bucket: str, region: str, account: str) -> Step:
    arguments: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**arguments)
    except ClientError as error:
        if error_code(error) == "BucketAlreadyExists":
            raise AwsError(f"bucket {bucket} already exists and belongs to another account: choose another state.bucket") from None
        if error_code(error) != "BucketAlreadyOwnedByYou":
            raise
        return Step("bucket", False, f"exists in {region}, owned by {account}")
    s3.get_waiter("bucket_exists").wait(Bucket=bucket, ExpectedBucketOwner=account, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return Step("bucket", True, f"created in {region}")


def _not_ours(bucket: str, account: str, environment: str) -> AwsError:
    return AwsError(
        f"bucket {bucket} exists but is not owned by account {account} of environment '{environment}' "
        "(HeadBucket with ExpectedBucketOwner was refused: another account owns it, or these credentials "
        "may not read it): choose another state.bucket or fix the credentials"
    )


def _other_region(bucket: str, found: str, region: str, environment: str) -> AwsError:
    return AwsError(
        f"bucket {bucket} exists in {found}, environment '{environment}' keeps its state in {region}: "
        "set state.region to the bucket's region or choose another state.bucket"
    )


# --- settings ----------------------------------------------------------------------------------


def _ensure_versioning(s3: Any, bucket: str, account: str) -> Step:
    status = s3.get_bucket_versioning(Bucket=bucket, ExpectedBucketOwner=account).get("Status")
    if status == "Enabled":
        return Step("versioning", False, "Enabled")
    s3.put_bucket_versioning(Bucket=bucket, ExpectedBucketOwner=account, VersioningConfiguration={"Status": "Enabled"})
    return Step("versioning", True, f"Enabled (was {status or 'never enabled'})")


def _ensure_encryption(s3: Any, bucket: str, account: str) -> Step:
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket, ExpectedBucketOwner=account)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        if error_code(error) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    algorithms = [rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules]
    kept = next((a for a in algorithms if a in ENCRYPTION_ALGORITHMS), None)
    if kept:
        return Step("encryption", False, f"default encryption {kept}")
    s3.put_bucket_encryption(
        Bucket=bucket,
        ExpectedBucketOwner=account,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    return Step("encryption", True, "default encryption AES256 (SSE-S3)")


def _ensure_public_access_block(s3: Any, bucket: str, account: str) -> Step:
    try:
        current = s3.get_public_access_block(Bucket=bucket, ExpectedBucketOwner=account)["PublicAccessBlockConfiguration"]
    except ClientError as error:
        if error_code(error) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = {}
    if all(current.get(name) is True for name in PUBLIC_ACCESS_BLOCK):
        return Step("public access", False, "all four public access block settings on")
    s3.put_public_access_block(Bucket=bucket, ExpectedBucketOwner=account, PublicAccessBlockConfiguration=dict(PUBLIC_ACCESS_BLOCK))
    off = [name for name in PUBLIC_ACCESS_BLOCK if current.get(name) is not True]
    return Step("public access", True, f"blocked ({', '.join(off)} turned on)")


def tls_statement(bucket: str, partition: str = "aws") -> dict[str, Any]:
    return {
        "Sid": TLS_STATEMENT_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def denies_insecure_transport(policy: dict[str, Any]) -> bool:
    """Whether a bucket policy has a Deny-everything statement for aws:SecureTransport=false."""
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if statement.get("Effect") != "Deny" or statement.get("Principal") not in ("*", {"AWS": "*"}):
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if "s3:*" not in actions and "*" not in actions:
            continue
        condition = statement.get("Condition", {}).get("Bool", {})
        value = condition.get("aws:SecureTransport")
        values = value if isinstance(value, list) else [value]
        if any(str(v).lower() == "false" for v in values):
            return True
    return False


def _ensure_tls_policy(s3: Any, bucket: str, account: str, partition: str) -> Step:
    try:
        text = s3.get_bucket_policy(Bucket=bucket, ExpectedBucketOwner=account)["Policy"]
        policy = json.loads(text)
    except ClientError as error:
        if error_code(error) != "NoSuchBucketPolicy":
            raise
        policy = None
    except json.JSONDecodeError as error:
        raise AwsError(f"bucket {bucket} has a bucket policy that is not JSON ({error})") from None
    if policy is not None and denies_insecure_transport(policy):
        return Step("TLS-only policy", False, "bucket policy denies aws:SecureTransport=false")
    if policy is None:
        policy = {"Version": "2012-10-17", "Statement": []}
        detail = "bucket policy denying aws:SecureTransport=false created"
    else:
        detail = "statement denying aws:SecureTransport=false added to the bucket policy"
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else list(statements)
    statements = [s for s in statements if s.get("Sid") != TLS_STATEMENT_SID]
    policy["Statement"] = [*statements, tls_statement(bucket, partition)]
    s3.put_bucket_policy(Bucket=bucket, ExpectedBucketOwner=account, Policy=json.dumps(policy))
    return Step("TLS-only policy", True, detail)
