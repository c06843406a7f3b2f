"""AWS Fargate's valid task cpu/memory combinations (cpu units -> allowed memory in MiB)."""

from __future__ import annotations


def _steps(start: int, stop: int, step: int) -> tuple[int, ...]:
    return tuple(range(start, stop + 1, step))


FARGATE_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _steps(1024, 4096, 1024),
    1024: _steps(2048, 8192, 1024),
    2048: _steps(4096, 16384, 1024),
    4096: _steps(8192, 30720, 1024),
    8192: _steps(16384, 61440, 4096),
    16384: _steps(32768, 122880, 8192),
}


def fargate_problem(cpu: int, memory: int) -> str | None:
    """Why cpu/memory is not a Fargate size, or None when it is."""
    allowed = FARGATE_MEMORY_BY_CPU.get(cpu)
    if allowed is None:
        sizes = ", ".join(str(c) for c in FARGATE_MEMORY_BY_CPU)
        return f"cpu {cpu} is not a Fargate size (one of {sizes})"
    if memory not in allowed:
        return f"memory {memory} does not fit cpu {cpu} on Fargate (allowed: {_describe(allowed)} MiB)"
    return None


def _describe(values: tuple[int, ...]) -> str:
    if len(values) <= 3:
        return ", ".join(str(v) for v in values)
    return f"{values[0]}-{values[-1]} in steps of {values[1] - values[0]}"
