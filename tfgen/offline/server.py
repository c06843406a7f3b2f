"""The offline provider process: a tfplugin6 gRPC server behind the go-plugin handshake.

Terraform starts it (through the executable that ``install`` writes) with the magic cookie in
its environment; it prints the handshake line on stdout and serves until Terraform shuts it down.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any, TypeVar

import grpc
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2 as stdio_pb
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from tfgen.errors import TfgenError
from tfgen.offline import ACCOUNT_ENV, SCHEMA_ENV, TRIMMED_SCHEMA_ENV, certificate
from tfgen.offline.account import AccountRefusal
from tfgen.offline.account_file import AccountStore
from tfgen.offline.datasources import read_data_source
from tfgen.offline.planning import ProviderSettings, plan_change
from tfgen.offline.rehearse import apply_rehearsed
from tfgen.offline.schema import load_provider_schemas, to_pb
from tfgen.offline.values import conform_block, pack, unpack

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def _error(summary: str, detail: str = "") -> pb.Diagnostic:
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)


def _dynamic(value: Any) -> pb.DynamicValue:
    return pb.DynamicValue(msgpack=pack(value))


def _decode(value: pb.DynamicValue) -> Any:
    if value.msgpack:
        return unpack(value.msgpack)
    if value.json:
        return json.loads(value.json)
    return None


_Request = TypeVar("_Request")
_Response = TypeVar("_Response")
_Method = Callable[["OfflineProvider", _Request, grpc.ServicerContext], _Response]


def _diagnosed(method: _Method[_Request, _Response]) -> _Method[_Request, _Response]:
    """Exceptions become error diagnostics in the method's own response type, never a crash."""
    response_type = getattr(pb, method.__name__).Response

    @functools.wraps(method)
    def wrapper(self: OfflineProvider, request: _Request, context: grpc.ServicerContext) -> _Response:
        try:
            return method(self, request, context)
        except TfgenError as error:
            return response_type(diagnostics=[_error(str(error))])
        except Exception as error:  # any failure is reported to Terraform, which shows it
            traceback.print_exc(file=sys.stderr)
            return response_type(diagnostics=[_error(f"offline aws provider: {type(error).__name__}: {error}")])

    return wrapper


class OfflineProvider(rpc.ProviderServicer):
    """A schema-driven stand-in for hashicorp/aws."""

    def __init__(self, schema_path: str | None) -> None:
        self._schema_path = schema_path
        self._schemas: dict[str, Any] | None = None
        self._schema_response: pb.GetProviderSchema.Response | None = None
        self._lock = threading.Lock()
        self.settings = ProviderSettings()
        account_file = os.environ.get(ACCOUNT_ENV, "").strip()
        self.account = AccountStore(Path(account_file) if account_file else None)

    @property
    def schemas(self) -> dict[str, Any]:
        with self._lock:
            if self._schemas is None:
                self._schemas = load_provider_schemas(self._schema_path or "")
            return self._schemas

    def _resource_block(self, type_name: str) -> dict[str, Any]:
        schema = self.schemas["resource_schemas"].get(type_name)
        if schema is None:
            raise TfgenError(f"offline aws provider: resource type {type_name} is not in the provider schema")
        return schema["block"]

    def _data_block(self, type_name: str) -> dict[str, Any]:
        schema = self.schemas["data_source_schemas"].get(type_name)
        if schema is None:
            raise TfgenError(f"offline aws provider: data source {type_name} is not in the provider schema")
        return schema["block"]

    # --- schema and configuration ---

    @_diagnosed
    def GetMetadata(self, request: pb.GetMetadata.Request, context: grpc.ServicerContext) -> pb.GetMetadata.Response:
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in self.schemas["resource_schemas"]],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in self.schemas["data_source_schemas"]],
        )

    @_diagnosed
    def GetProviderSchema(self, request: pb.GetProviderSchema.Request, context: grpc.ServicerContext) -> pb.GetProviderSchema.Response:
        if self._schema_response is None:
            schemas = self.schemas
            self._schema_response = pb.GetProviderSchema.Response(
                provider=to_pb(schemas["provider"]),
                provider_meta=pb.Schema(block=pb.Schema.Block()),
                resource_schemas={n: to_pb(s) for n, s in schemas["resource_schemas"].items()},
                data_source_schemas={n: to_pb(s) for n, s in schemas["data_source_schemas"].items()},
                server_capabilities=pb.ServerCapabilities(plan_destroy=True, get_provider_schema_optional=True),
            )
        return self._schema_response

    @_diagnosed
    def ValidateProviderConfig(self, request: pb.ValidateProviderConfig.Request, context: grpc.ServicerContext) -> pb.ValidateProviderConfig.Response:
        return pb.ValidateProviderConfig.Response()

    @_diagnosed
    def ValidateResourceConfig(self, request: pb.ValidateResourceConfig.Request, context: grpc.ServicerContext) -> pb.ValidateResourceConfig.Response:
        return pb.ValidateResourceConfig.Response()

    @_diagnosed
    def ValidateDataResourceConfig(
        self, request: pb.ValidateDataResourceConfig.Request, context: grpc.ServicerContext
    ) -> pb.ValidateDataResourceConfig.Response:
        return pb.ValidateDataResourceConfig.Response()

    @_diagnosed
    def ConfigureProvider(self, request: pb.ConfigureProvider.Request, context: grpc.ServicerContext) -> pb.ConfigureProvider.Response:
        self.settings = ProviderSettings.from_config(_decode(request.config))
        return pb.ConfigureProvider.Response()

    @_diagnosed
    def GetFunctions(self, request: pb.GetFunctions.Request, context: grpc.ServicerContext) -> pb.GetFunctions.Response:
        return pb.GetFunctions.Response()

    @_diagnosed
    def StopProvider(self, request: pb.StopProvider.Request, context: grpc.ServicerContext) -> pb.StopProvider.Response:
        return pb.StopProvider.Response()

    # --- managed resources ---

    @_diagnosed
    def UpgradeResourceState(self, request: pb.UpgradeResourceState.Request, context: grpc.ServicerContext) -> pb.UpgradeResourceState.Response:
        block = self._resource_block(request.type_name)
        if not request.raw_state.json:
            raise TfgenError(f"offline aws provider: {request.type_name} state is in the legacy flatmap format")
        state = conform_block(block, json.loads(request.raw_state.json))
        return pb.UpgradeResourceState.Response(upgraded_state=_dynamic(state))

    @_diagnosed
    def ReadResource(self, request: pb.ReadResource.Request, context: grpc.ServicerContext) -> pb.ReadResource.Response:
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    @_diagnosed
    def PlanResourceChange(self, request: pb.PlanResourceChange.Request, context: grpc.ServicerContext) -> pb.PlanResourceChange.Response:
        proposed = _decode(request.proposed_new_state)
        if proposed is None:
            return pb.PlanResourceChange.Response(planned_state=_dynamic(None))
        block = self._resource_block(request.type_name)
        prior = _decode(request.prior_state)
        planned, replace = plan_change(request.type_name, block, prior, proposed, self.settings)
        return pb.PlanResourceChange.Response(
            planned_state=_dynamic(planned),
            requires_replace=[pb.AttributePath(steps=[pb.AttributePath.Step(attribute_name=n)]) for n in replace],
            planned_private=request.prior_private,
        )

    @_diagnosed
    def ApplyResourceChange(self, request: pb.ApplyResourceChange.Request, context: grpc.ServicerContext) -> pb.ApplyResourceChange.Response:
        planned = _decode(request.planned_state)
        prior = _decode(request.prior_state)
        block = self._resource_block(request.type_name) if planned is not None else {}
        try:
            new_state = apply_rehearsed(self.account, request.type_name, block, prior, planned, self.settings)
        except AccountRefusal as refusal:
            # As the real provider does: a refused update or delete leaves the object as it was.
            return pb.ApplyResourceChange.Response(
                new_state=_dynamic(prior), private=request.planned_private, diagnostics=[_error(str(refusal))]
            )
        return pb.ApplyResourceChange.Response(new_state=_dynamic(new_state), private=request.planned_private)

    @_diagnosed
    def ImportResourceState(self, request: pb.ImportResourceState.Request, context: grpc.ServicerContext) -> pb.ImportResourceState.Response:
        raise TfgenError(f"the offline aws provider cannot import {request.type_name} (id {request.id!r}): it has no AWS account to read from")

    @_diagnosed
    def MoveResourceState(self, request: pb.MoveResourceState.Request, context: grpc.ServicerContext) -> pb.MoveResourceState.Response:
        raise TfgenError("the offline aws provider does not support moving state between resource types")

    # --- data sources ---

    @_diagnosed
    def ReadDataSource(self, request: pb.ReadDataSource.Request, context: grpc.ServicerContext) -> pb.ReadDataSource.Response:
        block = self._data_block(request.type_name)
        state = read_data_source(request.type_name, block, _decode(request.config), self.settings)
        return pb.ReadDataSource.Response(state=_dynamic(state))


class _Controller(controller_rpc.GRPCControllerServicer):
    def __init__(self, stopped: threading.Event) -> None:
        self._stopped = stopped

    def Shutdown(self, request: controller_pb.Empty, context: grpc.ServicerContext) -> controller_pb.Empty:
        self._stopped.set()
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):
    def StreamStdio(self, request: object, context: grpc.ServicerContext) -> Iterator[stdio_pb.StdioData]:
        return iter([])


def serve(schema_path: str | None) -> None:
    """Serve until Terraform shuts us down; prints the go-plugin handshake line first."""
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    rpc.add_ProviderServicer_to_server(OfflineProvider(schema_path), server)
    controller_rpc.add_GRPCControllerServicer_to_server(_Controller(stopped), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    key_pem, cert_pem, cert_der_b64 = certificate.load_or_create()
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)])
    with tempfile.TemporaryDirectory(prefix="tfgen-aws-") as tmp:
        socket_path = str(Path(tmp) / "plugin.sock")
        server.add_secure_port(f"unix://{socket_path}", credentials)
        server.start()
        sys.stdout.write(f"1|6|unix|{socket_path}|grpc|{cert_der_b64}\n")
        sys.stdout.flush()
        while not stopped.wait(0.02):
            pass
        # Let the Shutdown reply go out; Terraform waits for our exit, so do not linger.
        server.stop(grace=0.05).wait(0.1)


def main() -> int:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write(
            "This is tfgen's offline stand-in for the hashicorp/aws Terraform provider.\n"
            "Terraform starts it; run `tfgen tf --offline DIR -- plan` instead of executing it directly.\n"
        )
        return 1
    # go-plugin servers ignore Ctrl-C: Terraform (same process group) handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(os.environ.get(TRIMMED_SCHEMA_ENV) or os.environ.get(SCHEMA_ENV))
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown (joining gRPC's worker threads costs ~0.1 s per provider start).
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
