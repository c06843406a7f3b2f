"""The Terraform modules a rendering copies: `tfgen/_modules/` in an installed wheel (see
setup.py), else the source tree's `modules/` (editable install, checkout)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tfgen.errors import TfgenError


def modules_dir() -> Path:
    packaged = Path(str(resources.files("tfgen"))) / "_modules"
    if (packaged / "ecs-cluster" / "main.tf").is_file():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "modules"
    if (repo / "ecs-cluster" / "main.tf").is_file():
        return repo
    raise TfgenError("tfgen's Terraform modules are missing from this installation (reinstall tfgen)")


def module_files(names: list[str]) -> dict[str, bytes]:
    """`modules/<name>/<file>.tf` -> content, for every module named."""
    source = modules_dir()
    files: dict[str, bytes] = {}
    for name in names:
        directory = source / name
        if not directory.is_dir():
            raise TfgenError(f"module {name} is missing from {source}")
        for path in sorted(directory.rglob("*.tf")):
            if path.is_file() and ".terraform" not in path.parts:
                files[f"modules/{name}/{path.relative_to(directory).as_posix()}"] = path.read_bytes()
    return files
