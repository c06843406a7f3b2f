"""tfgen's pre-commit hooks in someone else's repository, run by pre-commit itself.

The repository holds a blueprint, its committed rendering and a `.pre-commit-config.yaml` that
names this project by path and commit. HOME and the cache folder are fresh and no tfgen variable
is set: pre-commit installs tfgen (not editable) from the commit, the hooks use the provider
schema packaged with it, and tfgen-check provisions checkov on first use. Slow (two package
installations), so one test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfgen.blueprint.context import save_default_vpc, vpc_entry

ROOT = Path(__file__).resolve().parents[2]
TFGEN = Path(sys.executable).parent / "tfgen"
CERTIFICATE = "arn:aws:acm:eu-west-1:222222222222:certificate/0f5e6c1a-2222-4a4a-9c9c-000000000002"
SHOP = f"""\
name: shop
region: eu-west-1
network:
  vpc: {{id: vpc-0abc, public_subnets: [subnet-0a, subnet-0b], private_subnets: [subnet-0c, subnet-0d]}}
load_balancer:
  protocol: http
  allowed_source_ips: [203.0.113.0/24]
services:
  web:
    type: web-service
    image: public.ecr.aws/docker/library/nginx:stable
    port: 8080
    writable_paths: [/tmp, /var/cache/nginx, /var/run]
environments:
  dev:
    account: "111111111111"
    state: {{bucket: shop-tfstate-dev}}
  prod:
    account: "222222222222"
    protected: true
    state: {{bucket: shop-tfstate-prod}}
    overrides:
      load_balancer: {{protocol: https, certificate: {CERTIFICATE}}}
"""
# Tasks in the default VPC's public subnets, with public IPs: production must say why.
PUBLIC_TASKS = SHOP.replace(
    "  vpc: {id: vpc-0abc, public_subnets: [subnet-0a, subnet-0b], private_subnets: [subnet-0c, subnet-0d]}",
    "  vpc: default\n  placement: public",
)
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env={**os.environ, **GIT_IDENTITY})
    return result.stdout.strip()


def _snapshot(target: Path) -> tuple[Path, str]:
    """This working tree as one commit of its own (what a tagged release would be): tracked and
    untracked-but-not-ignored files, so the test does not depend on what is committed."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "benchmarks/", "build/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target, _git(target, "rev-parse", "HEAD")


def _isolated_environment(home: Path) -> dict[str, str]:
    """A newcomer's environment: fresh HOME and cache folder, no tfgen variable, no checkov on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TFGEN_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not (Path(p) / "checkov").exists() and Path(p) != Path(sys.executable).parent)
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), PIP_DISABLE_PIP_VERSION_CHECK="1", **GIT_IDENTITY)
    return env


def _render(repo: Path) -> None:
    result = subprocess.run([str(TFGEN), "render", "blueprints/shop.yaml"], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_hooks_in_a_foreign_repository_with_nothing_beside_it(tmp_path: Path):
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit is not None, "pre-commit is a test dependency (pip install -e '.[test]')"
    hooks_repo, commit = _snapshot(tmp_path / "tfgen")
    repo = tmp_path / "shop"
    (repo / "blueprints").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "blueprints" / "shop.yaml").write_text(SHOP)
    public_subnets = [{"id": "subnet-0e", "az": "eu-west-1a"}, {"id": "subnet-0f", "az": "eu-west-1b"}]
    for account in ("111111111111", "222222222222"):
        save_default_vpc(repo / "blueprints" / "shop.yaml", account, "eu-west-1", vpc_entry("vpc-0def", "172.31.0.0/16", public_subnets, []))
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks_repo}\n    rev: {commit}\n    hooks: [{{id: tfgen-render}}, {{id: tfgen-check}}]\n"
    )
    _render(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "shop and its rendering")
    env = _isolated_environment(tmp_path / "home")

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "run", "--all-files"], cwd=repo, capture_output=True, text=True, env=env, timeout=2400)

    good = run()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "tfgen render --check" in good.stdout and "tfgen check" in good.stdout
    assert "Passed" in good.stdout and "Failed" not in good.stdout
    assert (tmp_path / "home" / ".cache" / "tfgen" / "checkov").is_dir()  # provisioned on first use, in the fresh cache
    assert _git(repo, "status", "--porcelain") == ""  # the hooks changed nothing in the repository

    # the blueprint edited without rendering again: tfgen-render names the stale file
    (repo / "blueprints" / "shop.yaml").write_text(SHOP.replace("port: 8080", "port: 8081"))
    stale = run()
    assert stale.returncode != 0
    assert "build/shop/env/dev.tfvars.json: stale" in stale.stdout, stale.stdout

    # rendered again, but the tasks now take public IPs: tfgen-check fails production on it
    (repo / "blueprints" / "shop.yaml").write_text(PUBLIC_TASKS)
    _render(repo)
    public = run()
    assert public.returncode != 0
    render_hook, check_hook = public.stdout.split("tfgen check", 1)
    assert "Passed" in render_hook and "Failed" in check_hook
    assert "CKV_TFG_2" in check_hook and "module.web.module.service.aws_ecs_service.this" in check_hook
