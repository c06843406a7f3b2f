"""The pre-commit hooks, run by pre-commit itself (`pre-commit try-repo`) in a temporary git repo.

try-repo installs tfgen from this working tree into pre-commit's own environment (pip, PyPI):
slow, so one test, marked slow; PRE_COMMIT_HOME is shared by the session's tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = """\
name: good
region: eu-west-1
network:
  vpc: {id: vpc-0abc, public_subnets: [subnet-0a, subnet-0b], private_subnets: [subnet-0c, subnet-0d]}
load_balancer: {protocol: http}
services:
  api: {type: web-service, image: public.ecr.aws/docker/library/nginx:stable, port: 80}
environments:
  dev:
    account: "111111111111"
    state: {bucket: good-tfstate-dev}
"""
BAD = GOOD.replace("name: good", "name: bad").replace("good-tfstate", "bad-tfstate").replace("port: 80}", "port: 80, helthcheck: /}")


def _snapshot(target: Path) -> Path:
    """This working tree as one commit of its own (what pre-commit installs from a tagged release):
    tracked and untracked-but-not-ignored files, so the test does not depend on what is committed."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "benchmarks/", "build/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"})


@pytest.mark.slow
def test_tfgen_render_hook_with_pre_commit_try_repo(tmp_path_factory):
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    home = Path(os.environ.get("TFGEN_TEST_PRE_COMMIT_HOME") or tmp_path_factory.getbasetemp().parent / "pre-commit-home")
    repo = tmp_path_factory.mktemp("hooked")
    _git(repo, "init", "-q")
    (repo / "blueprints").mkdir()
    (repo / "blueprints" / "good.yaml").write_text(GOOD)
    tfgen = Path(sys.executable).parent / "tfgen"
    subprocess.run([str(tfgen), "render", "blueprints/good.yaml"], cwd=repo, check=True, capture_output=True)
    (repo / "blueprints" / "bad.yaml").write_text(BAD)
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    hooks_repo = _snapshot(tmp_path_factory.mktemp("tfgen-repo"))

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", str(hooks_repo), "tfgen-render", "--files", *files], cwd=repo, capture_output=True, text=True, env=env, timeout=1800)

    good = run("blueprints/good.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run("blueprints/bad.yaml")
    assert bad.returncode != 0
    assert "helthcheck" in bad.stdout  # the located problem, with its hint
    # a rendered file edited after rendering makes the committed rendering stale
    (repo / "blueprints" / "good.yaml").write_text(GOOD.replace("port: 80", "port: 8080"))
    stale = run("blueprints/good.yaml")
    assert stale.returncode != 0, stale.stdout
