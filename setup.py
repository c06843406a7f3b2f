"""Build hook: ship the Terraform modules (modules/) inside the wheel as tfgen/_modules/, so that a
non-editable `pip install .` renders too. All other configuration is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODULES = Path(__file__).resolve().parent / "modules"


class BuildPyWithModules(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "tfgen" / "_modules"
        shutil.rmtree(target, ignore_errors=True)
        for path in sorted(MODULES.rglob("*")):
            if path.is_file() and path.suffix in (".tf", ".md") and ".terraform" not in path.parts:
                destination = target / path.relative_to(MODULES)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)


setup(cmdclass={"build_py": BuildPyWithModules})
