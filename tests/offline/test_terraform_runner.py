"""The terraform runner: finding Terraform, the embedded Terraform, wiring, errors through `tfgen tf`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.errors import TfgenError
from tfgen.terraform import Terraform, TerraformError, embedded_terraform, find_terraform

FIXTURES = Path(__file__).parents[1] / "fixtures" / "terraform"
BLUEPRINTS = Path(__file__).parents[2] / "blueprints"
VENV_BIN = Path(sys.executable).parent
EMBEDDED = VENV_BIN / "tfgen-terraform"
TFGEN = VENV_BIN / "tfgen"


def copy_fixture(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / name, target)
    return target


def tfgen(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TFGEN), *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=120
    )


# --- finding terraform ---


def test_tfgen_terraform_setting_wins(monkeypatch):
    monkeypatch.setenv("TFGEN_TERRAFORM", str(EMBEDDED))
    assert find_terraform() == [str(EMBEDDED)]


def test_a_missing_tfgen_terraform_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("TFGEN_TERRAFORM", "/nonexistent/terraform")
    with pytest.raises(TfgenError, match=r"TFGEN_TERRAFORM='/nonexistent/terraform': no such executable"):
        find_terraform()


def test_without_terraform_on_path_the_embedded_one_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("TFGEN_TERRAFORM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_terraform() == [str(EMBEDDED)] == embedded_terraform()


def test_embedded_terraform_forwards_argv_output_and_exit_code(tmp_path):
    version = subprocess.run([str(EMBEDDED), "version", "-json"], capture_output=True, text=True, cwd=tmp_path)
    assert version.returncode == 0
    assert json.loads(version.stdout)["terraform_version"].startswith("1.15")
    unknown = subprocess.run([str(EMBEDDED), "no-such-command"], capture_output=True, text=True, cwd=tmp_path)
    assert unknown.returncode != 0
    assert "no-such-command" in unknown.stderr + unknown.stdout


# --- the embedded terraform with the offline provider ---


def test_embedded_terraform_inits_validates_and_plans_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_TERRAFORM", str(EMBEDDED))
    root = copy_fixture("stack", tmp_path)
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    terraform.validate()
    plan = terraform.data_dir / "plan.tfplan"
    terraform.plan(plan, on_event=lambda event: None)
    plan_json = terraform.show_json(plan)
    assert plan_json["terraform_version"].startswith("1.15")
    assert "aws_ecs_service.service" in {c["address"] for c in plan_json["resource_changes"]}


# --- wiring ---


def test_runs_are_wired_per_environment(tmp_path):
    root = copy_fixture("stack", tmp_path)
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    env = terraform.environment()
    assert env["TF_IN_AUTOMATION"] == "1" and env["TF_INPUT"] == "0"
    assert env["TF_DATA_DIR"] == str(root / ".tfgen" / "dev" / "terraform-offline")
    assert Path(env["TF_CLI_CONFIG_FILE"]).is_file()
    result = terraform.run(["providers"], capture=True)
    assert "Unable to open CLI configuration file" not in result.stdout + result.stderr
    assert not (root / ".terraform").exists() and not (root / ".terraform.lock.hcl").exists()
    lock = (terraform.workdir / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock


def test_init_is_skipped_when_nothing_changed(tmp_path):
    root = copy_fixture("stack", tmp_path)
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    stamp = terraform.data_dir / "init-offline.stamp"
    first = stamp.stat().st_mtime_ns
    terraform.init()
    assert stamp.stat().st_mtime_ns == first
    (root / "extra.tf").write_text('resource "aws_sqs_queue" "more" {}\n')
    terraform.init()
    assert stamp.stat().st_mtime_ns != first
    assert (terraform.workdir / "extra.tf").is_symlink()


def test_a_failing_command_raises_terraform_error_with_diagnostics(tmp_path):
    root = copy_fixture("stack", tmp_path)
    terraform = Terraform(root, root / ".tfgen" / "dev", offline=True)
    terraform.init()
    with pytest.raises(TerraformError) as caught:
        terraform.plan(terraform.data_dir / "p.tfplan", variables={"no_such_variable": "x"}, on_event=lambda e: None)
    assert caught.value.returncode == 1
    assert "terraform plan failed (exit 1)" in str(caught.value)
    assert caught.value.diagnostics and "no_such_variable" in str(caught.value)


# --- `tfgen tf` ---


def test_tfgen_tf_runs_terraform_offline_with_its_exit_code(tmp_path):
    root = copy_fixture("stack", tmp_path)
    result = tfgen("tf", "--offline", "-e", "dev", str(root), "--", "validate", "-no-color")
    assert result.returncode == 0, result.stderr
    assert "The configuration is valid." in result.stdout
    assert "Unable to open CLI configuration file" not in result.stdout + result.stderr
    detailed = tfgen("tf", "--offline", "-e", "dev", str(root), "--", "plan", "-detailed-exitcode", "-no-color")
    assert detailed.returncode == 2, detailed.stderr  # terraform's own "changes present" code


def test_tfgen_tf_passes_the_environments_var_file(tmp_path):
    root = copy_fixture("stack", tmp_path)
    (root / "env").mkdir()
    (root / "env" / "dev.tfvars.json").write_text(json.dumps({"queue_name": "from-dev-var-file"}))
    result = tfgen("tf", "--offline", "-e", "dev", str(root), "--", "plan", "-no-color")
    assert result.returncode == 0, result.stderr
    assert '"from-dev-var-file"' in result.stdout
    other = tfgen("tf", "--offline", "-e", "prod", str(root), "--", "plan", "-no-color")
    assert '"fixture-jobs"' in other.stdout and (root / ".tfgen" / "prod").is_dir()


def test_tfgen_tf_failing_command_exit_code_and_no_traceback(tmp_path):
    root = copy_fixture("invalid", tmp_path)
    result = tfgen("tf", "--offline", str(root), "--", "validate", "-no-color")
    assert result.returncode == 1
    assert 'Did you mean "name"?' in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_tfgen_tf_missing_executable(tmp_path):
    root = copy_fixture("stack", tmp_path)
    result = tfgen("tf", "--offline", str(root), "--", "plan", env={"TFGEN_TERRAFORM": "/nonexistent/terraform"})
    assert result.returncode == 1
    assert "error: TFGEN_TERRAFORM='/nonexistent/terraform': no such executable" in result.stderr
    assert "Traceback" not in result.stderr


def test_tfgen_tf_bad_schema_path(tmp_path):
    root = copy_fixture("stack", tmp_path)
    result = tfgen("tf", "--offline", str(root), "--", "plan", env={"TFGEN_AWS_SCHEMA": str(tmp_path / "nope.json")})
    assert result.returncode == 1
    assert f"AWS provider schema not found at {tmp_path / 'nope.json'}" in result.stderr
    assert "terraform providers schema -json > aws.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_tfgen_tf_through_click_runner(tmp_path):
    root = copy_fixture("invalid", tmp_path)
    result = CliRunner().invoke(cli, ["tf", "--offline", str(root), "--", "validate", "-no-color"])
    assert result.exit_code == 1
    assert 'Did you mean "name"?' in result.output
    missing = CliRunner().invoke(cli, ["tf", str(tmp_path / "nowhere"), "--", "plan"])
    assert missing.exit_code == 2
    assert "no such directory or blueprint" in missing.output


def test_tfgen_tf_options_after_the_target_are_tfgens_not_terraforms(tmp_path):
    root = copy_fixture("stack", tmp_path)
    result = CliRunner().invoke(cli, ["tf", str(root), "--offline", "-e", "dev", "--", "validate", "-no-color"])
    assert result.exit_code == 0, result.output
    assert (root / ".tfgen" / "dev").is_dir()
    stray = CliRunner().invoke(cli, ["tf", str(root), "-x", "--", "validate"])
    assert (stray.exit_code, stray.output) == (2, "tf: -x before -- is not an option of tfgen tf (-e ENV, --offline); terraform's arguments go after --\n")


def test_tfgen_tf_environment_is_checked_like_plan_and_never_leaves_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(BLUEPRINTS / "single-web.yaml", tmp_path / "app.yaml")
    assert CliRunner().invoke(cli, ["render", "app.yaml"]).exit_code == 0
    for environment, message in (
        ("prdo", "app.yaml:33:1: environments: no environment 'prdo' in the blueprint (known: dev, prod) (did you mean 'prod'?)\n"),
        ("../x", "app.yaml:33:1: environments: no environment '../x' in the blueprint (known: dev, prod)\n"),
    ):
        for argv in (["tf", "-e", environment, "app.yaml", "--", "plan"], ["tf", "app.yaml", "-e", environment, "--", "plan"]):
            result = CliRunner().invoke(cli, argv)
            assert (result.exit_code, result.output) == (2, message)
    directory = CliRunner().invoke(cli, ["tf", "-e", "../x", "build/single-web", "--", "plan"])
    assert (directory.exit_code, directory.output) == (2, "-e ../x: an environment name is 1-16 characters: a-z, 0-9 and '-', starting with a letter\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.yaml", "build"]


# --- a real, non-editable install ---


@pytest.mark.slow
def test_pip_install_gives_a_working_offline_tfgen_tf(tmp_path):
    """`pip install .` (not editable) into a fresh venv; its tfgen plans offline with the
    embedded Terraform (no terraform on PATH) and the provider shipped in the package."""
    project = Path(__file__).resolve().parents[2]
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (project / name).is_file():
            shutil.copy(project / name, source / name)
    shutil.copytree(project / "tfgen", source / "tfgen", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, capture_output=True, timeout=300)
    subprocess.run([*pip, str(source)], check=True, capture_output=True, timeout=600)
    root = copy_fixture("stack", tmp_path)
    env = {key: value for key, value in os.environ.items() if not key.startswith("TFGEN_TERRAFORM")}
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    result = subprocess.run(
        [str(venv / "bin" / "tfgen"), "tf", "--offline", str(root), "--", "plan", "-no-color"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Plan: 10 to add, 0 to change, 0 to destroy." in result.stdout
    script = next((root / ".tfgen" / "default" / "plugins").rglob("terraform-provider-aws_v*"))
    assert str(venv / "bin" / "python") in script.read_text()
