"""AWS errors become one-line messages with exit 1, never tracebacks; botocore's standard retries."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner

from tfgen.aws import Aws, AwsError, client_config, translate
from tfgen.cli import cli

COMMANDS = (["bootstrap"], ["discover"], ["status", "--format", "json"])


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def no_credentials(aws_env, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def limited_user(moto_server_iam, monkeypatch):
    """Credentials of a user allowed only sts:GetCallerIdentity, on a moto_server enforcing IAM."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_iam["endpoint"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_server_iam["access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_server_iam["secret_access_key"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_no_credentials(no_credentials, aws_blueprint, command):
    line = one_line_error(run(command[0], str(aws_blueprint), "-e", "dev", *command[1:]))

    assert line == "error: no AWS credentials: set AWS_PROFILE (and run `aws sso login` for SSO profiles) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"


def test_unknown_profile(no_credentials, aws_blueprint, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "nope")

    line = one_line_error(run("bootstrap", str(aws_blueprint), "-e", "dev"))

    assert line == "error: AWS profile 'nope' not found (check AWS_PROFILE and ~/.aws/config)"


def test_aws_profile_is_honoured(no_credentials, aws_blueprint, monkeypatch, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[ci]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "ci")

    result = run("bootstrap", str(aws_blueprint), "-e", "dev")

    assert result.exit_code == 0, result.output
    assert "bootstrapped" in result.stdout


def test_access_denied_names_the_operation(limited_user, aws_blueprint):
    line = one_line_error(run("discover", str(aws_blueprint), "-e", "dev"))

    assert line == (
        "error: access denied: DescribeVpcs was refused (AccessDenied): "
        "User: arn:aws:iam::123456789012:user/limited is not authorized to perform: ec2:DescribeVpcs"
    )


def test_access_denied_from_a_json_protocol_service(limited_user, aws_blueprint):
    """moto answers ECS's JSON protocol with an XML error body: the code and message inside it are used."""
    line = one_line_error(run("status", str(aws_blueprint), "-e", "dev"))

    assert line == (
        "error: access denied: DescribeServices was refused (AccessDenied): "
        "User: arn:aws:iam::123456789012:user/limited is not authorized to perform: ecs:DescribeServices"
    )


def test_credentials_aws_does_not_know(limited_user, aws_blueprint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNUNKNOWN00")

    line = one_line_error(run("bootstrap", str(aws_blueprint), "-e", "dev"))

    assert line.startswith("error: AWS rejected the credentials (InvalidClientTokenId on GetCallerIdentity)")


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_endpoint_unreachable(aws_env, aws_blueprint, monkeypatch, command):
    port = closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")

    started = time.monotonic()
    line = one_line_error(run(command[0], str(aws_blueprint), "-e", "dev", *command[1:]))

    assert time.monotonic() - started < 10  # refused at once; standard retries back off briefly
    assert line == (
        f"error: AWS endpoint unreachable: http://127.0.0.1:{port}/ (check the network, the region and AWS_ENDPOINT_URL)"
    )


def client_error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    """A real botocore ClientError, as botocore builds it from a parsed error response."""
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_expired_token(code):
    """moto does not expire session tokens: the translation is checked on botocore's own error object."""
    error = translate(client_error(code, "The security token included in the request is expired", "GetCallerIdentity"))

    assert isinstance(error, AwsError) and error.exit_code == 1
    assert str(error) == (
        f"AWS credentials have expired ({code} on GetCallerIdentity): refresh them (`aws sso login`, or a new session token) and retry"
    )


class CannedEndpoint:
    """An HTTP endpoint on loopback answering every request with one canned AWS error response
    (for what moto cannot produce): botocore parses a real HTTP error response. Counts requests."""

    def __init__(self, status: int, body: bytes):
        endpoint = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                endpoint.requests += 1
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def sts_error(code: str, message: str) -> bytes:
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>0</RequestId></ErrorResponse>"
    ).encode()


@pytest.fixture
def canned(aws_env, monkeypatch):
    endpoints = []

    def start(status: int, body: bytes) -> CannedEndpoint:
        endpoint = CannedEndpoint(status, body)
        endpoints.append(endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint.url)
        return endpoint

    yield start
    for endpoint in endpoints:
        endpoint.close()


def test_expired_token_through_the_cli(canned, aws_blueprint):
    """moto has no expiring tokens: STS's expired-token answer comes from a canned endpoint."""
    endpoint = canned(403, sts_error("ExpiredToken", "The security token included in the request is expired"))

    line = one_line_error(run("bootstrap", str(aws_blueprint), "-e", "dev"))

    assert line == (
        "error: AWS credentials have expired (ExpiredToken on GetCallerIdentity): "
        "refresh them (`aws sso login`, or a new session token) and retry"
    )
    assert endpoint.requests == 1  # not retried


def test_server_errors_are_retried_in_standard_mode(canned, aws_blueprint):
    endpoint = canned(500, sts_error("InternalFailure", "Something broke"))

    line = one_line_error(run("bootstrap", str(aws_blueprint), "-e", "dev"))

    assert line == "error: AWS GetCallerIdentity failed: InternalFailure: Something broke"
    assert endpoint.requests == 3  # standard mode: 3 attempts in all (legacy mode would make 5)


def test_other_client_errors_keep_code_and_message_on_one_line():
    error = translate(client_error("ThrottlingException", "Rate\nexceeded", "DescribeServices"))

    assert str(error) == "AWS DescribeServices failed: ThrottlingException: Rate exceeded"


def test_clients_use_standard_retries_and_short_timeouts(aws_env, monkeypatch):
    client = Aws().client("s3", "eu-west-1")

    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.meta.config.connect_timeout <= 5
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    assert client_config().retries == {"mode": "standard", "total_max_attempts": 7}


def test_missing_region_and_unknown_endpoint_errors_translate():
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError

    assert str(translate(NoRegionError())) == "no AWS region: declare `region` in the blueprint or set AWS_REGION"
    assert str(translate(EndpointConnectionError(endpoint_url="https://sts.eu-west-1.amazonaws.com/"))) == (
        "AWS endpoint unreachable: https://sts.eu-west-1.amazonaws.com/ (check the network, the region and AWS_ENDPOINT_URL)"
    )
    assert str(translate(NoCredentialsError())).startswith("no AWS credentials: ")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_unknown_environment_is_bad_input(aws_env, aws_blueprint, command):
    result = run(command[0], str(aws_blueprint), "-e", "qa", *command[1:])

    assert result.exit_code == 2
    assert "qa" in result.stderr and "Traceback" not in result.output
