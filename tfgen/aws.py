"""boto3 sessions and clients for the commands that talk to AWS directly, and the translation of
boto3/botocore errors into one-line ``TfgenError`` messages (exit 1, never a traceback).

Everything boto3 honours natively still applies: ``AWS_PROFILE``, ``AWS_ENDPOINT_URL`` (and the
per-service ``AWS_ENDPOINT_URL_<SERVICE>``), ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
``AWS_SESSION_TOKEN``, SSO and assume-role profiles. The region of every client is the one the
blueprint declares for the environment (``AWS_REGION`` is only the fallback when none is given),
because that is where Terraform will create the resources.

Retries use botocore's ``standard`` mode; ``AWS_MAX_ATTEMPTS`` (botocore's own variable) sets the
total number of attempts, default 3. Connect timeouts are short so that an unreachable endpoint fails
in seconds rather than minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
import botocore.exceptions as bexc
from botocore.config import Config

from tfgen.errors import InputError, TfgenError

if TYPE_CHECKING:
    from tfgen.blueprint.loader import LoadedBlueprint
    from tfgen.blueprint.model import Blueprint

DEFAULT_MAX_ATTEMPTS = 3
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30

EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired", "ExpiredTokenError"}
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "Forbidden",
        "403",
    }
)
BAD_CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AuthFailure",
        "IncompleteSignature",
        "InvalidToken",
    }
)

NO_CREDENTIALS = (
    "no AWS credentials: set AWS_PROFILE (and run `aws sso login` for SSO profiles) or "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
)


class AwsError(TfgenError):
    """An AWS call failed; the message is one line, for people."""


@dataclass(frozen=True)
class Target:
    """Where one environment of a blueprint lives: the merged blueprint, its account and region."""

    blueprint: Blueprint
    environment: str
    account: str
    region: str

    @classmethod
    def of(cls, loaded: LoadedBlueprint, environment: str) -> Target:
        blueprint = loaded.for_environment(environment)
        env = blueprint.environments[environment]
        return cls(blueprint, environment, env.account, env.region or blueprint.region)


def max_attempts() -> int:
    value = os.environ.get("AWS_MAX_ATTEMPTS", "").strip()
    try:
        return max(1, int(value)) if value else DEFAULT_MAX_ATTEMPTS
    except ValueError:
        return DEFAULT_MAX_ATTEMPTS


def client_config() -> Config:
    """botocore configuration shared by every client: standard retries, short connect timeout."""
    return Config(
        # total_max_attempts counts the first try too, as AWS_MAX_ATTEMPTS does (botocore's
        # "max_attempts" key counts retries only).
        retries={"mode": "standard", "total_max_attempts": max_attempts()},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        user_agent_extra="tfgen",
    )


def check_endpoint_settings(environ: Mapping[str, str] = os.environ) -> None:
    """AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> must be http(s) URLs with a host: botocore
    would otherwise fail inside the first client with a bare ValueError."""
    for name, value in sorted(environ.items()):
        endpoint_setting = name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_")
        if endpoint_setting and value.strip() and not _is_endpoint(value.strip()):
            raise InputError(f"{name} is set to {json.dumps(value)}, which is not an http(s) URL with a host (write it like http://127.0.0.1:5000)")


def _is_endpoint(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class Aws:
    """One boto3 session (profile/credentials resolved once) and the clients made from it."""

    def __init__(self, session: boto3.Session | None = None):
        check_endpoint_settings()
        with aws_errors():
            self.session = session or boto3.Session()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._account: str | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        if key not in self._clients:
            with aws_errors():
                self._clients[key] = self.session.client(service, region_name=region, config=client_config())
        return self._clients[key]

    def partition(self, region: str) -> str:
        try:
            return self.session.get_partition_for_region(region)
        except Exception:  # unknown region names: the commercial partition
            return "aws"

    def caller_account(self, region: str | None = None) -> str:
        """The account of the credentials (STS GetCallerIdentity)."""
        if self._account is None:
            with aws_errors():
                self._account = self.client("sts", region).get_caller_identity()["Account"]
        return self._account

    def require_account(self, expected: str, environment: str, region: str | None = None) -> str:
        """Refuse to touch an environment with credentials for another account."""
        actual = self.caller_account(region)
        if actual != expected:
            raise AwsError(f"credentials are for account {actual}, environment '{environment}' is account {expected}")
        return actual


_XML_CODE = re.compile(r"<Code>\s*([^<]+?)\s*</Code>")
_XML_MESSAGE = re.compile(r"<Message>\s*([^<]*?)\s*</Message>")


def error_code(error: bexc.ClientError) -> str:
    """The error code; for an XML error body a JSON-protocol client could not parse, the code inside it."""
    detail = error.response.get("Error", {}) or {}
    code = str(detail.get("Code", "") or "")
    found = _XML_CODE.search(str(detail.get("Message", "") or ""))
    if found and (not code or code.isdigit()):
        return found.group(1)
    return code


def error_message(error: bexc.ClientError) -> str:
    message = str((error.response.get("Error", {}) or {}).get("Message", "") or "").strip()
    found = _XML_MESSAGE.search(message)
    if found:
        return found.group(1)
    return "" if message.startswith("<") else message


def _one_line(text: str) -> str:
    return " ".join(text.split())


def translate(error: BaseException) -> TfgenError:
    """A one-line TfgenError for a boto3/botocore exception (unknown ones keep their text)."""
    if isinstance(error, TfgenError):
        return error
    if isinstance(error, bexc.ClientError):
        code = error_code(error)
        operation = getattr(error, "operation_name", "") or "request"
        message = _one_line(error_message(error))
        detail = f": {message}" if message and message != code else ""
        if code in EXPIRED_CODES:
            return AwsError(
                f"AWS credentials have expired ({code} on {operation}): refresh them "
                "(`aws sso login`, or a new session token) and retry"
            )
        if code in DENIED_CODES:
            return AwsError(f"access denied: {operation} was refused ({code}){detail}")
        if code in BAD_CREDENTIAL_CODES:
            return AwsError(f"AWS rejected the credentials ({code} on {operation}){detail}")
        return AwsError(f"AWS {operation} failed: {code or 'error'}{detail}")
    if isinstance(error, bexc.NoCredentialsError):
        return AwsError(NO_CREDENTIALS)
    if isinstance(error, bexc.PartialCredentialsError):
        return AwsError(f"incomplete AWS credentials: {_one_line(str(error))}")
    if isinstance(error, (bexc.UnauthorizedSSOTokenError, bexc.SSOTokenLoadError, bexc.TokenRetrievalError)):
        return AwsError(f"AWS SSO session expired or missing: run `aws sso login` ({_one_line(str(error))})")
    if isinstance(error, bexc.CredentialRetrievalError):
        return AwsError(f"could not obtain AWS credentials: {_one_line(str(error))}")
    if isinstance(error, bexc.ProfileNotFound):
        return AwsError(f"AWS profile '{error.kwargs.get('profile', '?')}' not found (check AWS_PROFILE and ~/.aws/config)")
    if isinstance(error, bexc.NoRegionError):
        return AwsError("no AWS region: declare `region` in the blueprint or set AWS_REGION")
    if isinstance(error, (bexc.EndpointConnectionError, bexc.ConnectTimeoutError)):
        endpoint = error.kwargs.get("endpoint_url", "?")
        return AwsError(f"AWS endpoint unreachable: {endpoint} (check the network, the region and AWS_ENDPOINT_URL)")
    if isinstance(error, (bexc.ReadTimeoutError, bexc.ConnectionClosedError)):
        endpoint = error.kwargs.get("endpoint_url", "?")
        return AwsError(f"AWS endpoint {endpoint} did not answer in time")
    if isinstance(error, bexc.InvalidRegionError):
        return AwsError(_one_line(str(error)))
    if isinstance(error, bexc.BotoCoreError):
        return AwsError(f"AWS error: {_one_line(str(error))}")
    return AwsError(f"AWS error: {_one_line(str(error))}")


@contextlib.contextmanager
def aws_errors() -> Iterator[None]:
    """Turn boto3/botocore exceptions raised inside the block into one-line TfgenErrors."""
    try:
        yield
    except TfgenError:
        raise
    except (bexc.BotoCoreError, bexc.ClientError) as error:
        raise translate(error) from None
