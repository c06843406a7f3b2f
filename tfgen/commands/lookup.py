"""Looking up a service of a blueprint by the name given on the command line (logs, run)."""

from __future__ import annotations

from collections.abc import Iterable

from tfgen.blueprint.findings import suggest
from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.errors import InputError


def known_service(loaded: LoadedBlueprint, environment: str, service: str, *, kind: str = "service", types: Iterable[str] | None = None) -> str:
    """`service` when the environment has it (and, with `types`, is one of them); InputError with a
    did-you-mean otherwise."""
    services = loaded.for_environment(environment).services
    allowed = [name for name, s in services.items() if types is None or s.type in set(types)]
    if service in allowed:
        return service
    if service in services:
        raise InputError(f"{loaded.path}: {service} is a {services[service].type}, not a {kind} ({kind}s: {', '.join(allowed) or 'none'})")
    hint = suggest(service, allowed)
    listed = f"{kind}s: {', '.join(allowed) or 'none'}"
    raise InputError(f"{loaded.path}: no {kind} '{service}' in environment '{environment}' ({hint + ' ' if hint else ''}{listed})")
