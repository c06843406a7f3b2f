"""Which checkov tfgen runs: TFGEN_CHECKOV, then PATH, else one it provisions under the cache
folder, once, safely when two processes start at once (the real pinned checkov, from the package
index: the slow test takes about a minute)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfgen.errors import TfgenError
from tfgen.policy.checkov_install import CHECKOV_VERSION, COMPLETE_MARKER, locate_checkov, provisioned_dir


@pytest.fixture
def real_checkov() -> Path:
    """The session's checkov (conftest pins TFGEN_CHECKOV to what tfgen found or provisioned)."""
    return Path(os.environ["TFGEN_CHECKOV"])


@pytest.fixture
def no_checkov_anywhere(monkeypatch, tmp_path: Path) -> Path:
    """No TFGEN_CHECKOV, no checkov on PATH, an empty cache folder."""
    monkeypatch.delenv("TFGEN_CHECKOV", raising=False)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "checkov").exists()))
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_tfgen_checkov_comes_first_and_a_wrong_value_says_how_to_fix_it(monkeypatch, tmp_path: Path, real_checkov: Path):
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "checkov").symlink_to(real_checkov)
    monkeypatch.setenv("PATH", f"{on_path}{os.pathsep}{os.environ['PATH']}")
    assert locate_checkov() is not None and locate_checkov().found_by == "TFGEN_CHECKOV"
    monkeypatch.delenv("TFGEN_CHECKOV")
    found = locate_checkov()
    assert found is not None and (found.found_by, found.executable) == ("PATH", on_path / "checkov")
    monkeypatch.setenv("TFGEN_CHECKOV", str(tmp_path / "nope"))
    with pytest.raises(TfgenError, match=r"is not an executable checkov: fix the variable, or unset it and tfgen installs checkov"):
        locate_checkov()


def test_an_interrupted_installation_is_not_used(real_checkov: Path, no_checkov_anywhere: Path):
    venv = provisioned_dir()
    assert venv.is_relative_to(no_checkov_anywhere) and venv.name.startswith(f"{CHECKOV_VERSION}-py")
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "checkov").symlink_to(real_checkov)
    assert locate_checkov() is None  # no completion marker: a half-made environment
    (venv / COMPLETE_MARKER).write_text(f"checkov=={CHECKOV_VERSION}\n")
    found = locate_checkov()
    assert found is not None and (found.found_by, found.executable) == ("provisioned", venv / "bin" / "checkov")


@pytest.mark.slow
def test_two_processes_at_once_provision_one_checkov_and_later_runs_reuse_it(no_checkov_anywhere: Path):
    command = [sys.executable, "-m", "tfgen.policy.checkov_install"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=1500) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    executable = provisioned_dir() / "bin" / "checkov"
    assert [stdout.strip() for stdout, _ in outputs] == [str(executable)] * 2
    installing = [stderr for _, stderr in outputs if f"installing checkov {CHECKOV_VERSION} into {provisioned_dir()}" in stderr]
    waiting = [stderr for _, stderr in outputs if "waiting for another tfgen process to finish installing checkov" in stderr]
    assert len(installing) == 1 and len(waiting) == 1, outputs
    assert "ready" in installing[0]
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=300)
    assert version.stdout.strip() == CHECKOV_VERSION
    # checkov lives apart: tfgen's python-hcl2 is not in its environment, nor its hcl2 fork in ours
    assert not list(provisioned_dir().glob("lib/python*/site-packages/python_hcl2-*.dist-info"))
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert (again.returncode, again.stdout.strip(), again.stderr) == (0, str(executable), "")
