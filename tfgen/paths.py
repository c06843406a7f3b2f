"""Where tfgen keeps its files: the build layout of a project (rendered code and each environment's
plan artifacts) and the user's cache folder (shared between runs and projects).

    build/<name>/                     the rendered root module (BuildLayout.root)
    build/<name>/env/<env>.*          var file and backend file of an environment
    build/<name>/.tfgen/<env>/        Terraform data, saved plan, plan JSON, policy result, plan meta
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tfgen.errors import TfgenError

CACHE_ENV = "TFGEN_CACHE_DIR"
BUILD_DIR = Path("build")


@dataclass(frozen=True)
class BuildLayout:
    """The build folder of a project (`build/` in the working directory by default)."""

    base: Path

    @classmethod
    def default(cls) -> BuildLayout:
        return cls(BUILD_DIR)

    def root(self, name: str) -> Path:
        return self.base / name

    def environment(self, name: str, env: str) -> EnvironmentPaths:
        return EnvironmentPaths(self.root(name), env)


@dataclass(frozen=True)
class EnvironmentPaths:
    """Where one environment's rendered inputs and plan artifacts live."""

    root: Path
    env: str

    @property
    def data_dir(self) -> Path:
        return self.root / ".tfgen" / self.env

    @property
    def var_file(self) -> Path:
        return self.root / "env" / f"{self.env}.tfvars.json"

    @property
    def backend_file(self) -> Path:
        return self.root / "env" / f"{self.env}.s3.tfbackend"

    @property
    def plan_file(self) -> Path:
        return self.data_dir / "plan.tfplan"

    @property
    def plan_json(self) -> Path:
        return self.data_dir / "plan.json"

    @property
    def policy_json(self) -> Path:
        return self.data_dir / "policy.json"

    @property
    def meta_file(self) -> Path:
        return self.data_dir / "plan-meta.json"


def cache_dir() -> Path:
    """``$TFGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/tfgen``, else ``~/.cache/tfgen``."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base).expanduser() / "tfgen"


def cache_folder(*parts: str) -> Path:
    """The folder `cache_dir() / parts...`, created (0700) if need be; TfgenError when it cannot be."""
    folder = cache_dir().joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise TfgenError(
            f"the cache folder {folder} cannot be created ({error.strerror or error}): "
            f"set {CACHE_ENV} (or XDG_CACHE_HOME) to a folder tfgen may write"
        ) from None
    return folder
