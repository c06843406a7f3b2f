"""Wrapper overhead of `tfgen plan`: the whole `tfgen plan --offline` process against the bare
commands it runs on the same configuration (terraform plan -out, terraform show -json, checkov),
wired the same way (same data dir, CLI config and offline provider). Target: overhead < 0.5 s.

tfgen starts checkov while terraform plans (its imports take ~3 s), so `tfgen plan` can beat the
bare commands run one after the other; the sequential figure (TFGEN_CHECKOV_PRESTART=0) is tfgen's
own work on top of them.

Usage: python benchmarks/plan.py [--blueprint blueprints/vote.yaml] [--env dev] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tfgen.policy.checkov import checkov_command, checkov_environment, find_checkov
from tfgen.terraform import Terraform, find_terraform

PROJECT = Path(__file__).resolve().parent.parent


def timed(argv: list[str], *, cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        sys.exit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def tfgen_plan(workdir: Path, blueprint: str, env: str, *, prestart: bool = True) -> float:
    tfgen = Path(sys.executable).with_name("tfgen")
    environment = {**os.environ, "TFGEN_CHECKOV_PRESTART": "1" if prestart else "0"}
    # exit 1: the policy checks failed, still a complete run
    return timed([str(tfgen), "plan", blueprint, "-e", env, "--offline", "--no-progress"], cwd=workdir, env=environment, ok=(0, 1))


def bare_commands(workdir: Path, name: str, env: str) -> dict[str, float]:
    """The terraform and checkov commands tfgen runs, timed on their own."""
    root = workdir / "build" / name
    terraform = Terraform(root, root / ".tfgen" / env, offline=True)
    terraform.prepare()
    tf_env = terraform.environment()
    plan_file = terraform.data_dir / "bench.tfplan"
    plan_json = terraform.data_dir / "bench.json"
    var_file = root / "env" / f"{env}.tfvars.json"
    figures = {
        "terraform plan": timed(
            [*find_terraform(), "plan", "-input=false", "-lock=false", f"-out={plan_file}", f"-var-file={var_file}"],
            cwd=terraform.workdir,
            env=tf_env,
        )
    }
    started = time.perf_counter()
    shown = subprocess.run([*find_terraform(), "show", "-json", str(plan_file)], cwd=terraform.workdir, env=tf_env, capture_output=True, check=True)
    figures["terraform show -json"] = time.perf_counter() - started
    plan_json.write_bytes(shown.stdout)
    figures["checkov"] = timed(checkov_command(find_checkov(), plan_json), cwd=workdir, env=checkov_environment(False), ok=(0, 1))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blueprint", default=str(PROJECT / "blueprints" / "vote.yaml"))
    parser.add_argument("--env", default="dev")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tfgen-bench-plan-") as tmp:
        workdir = Path(tmp)
        blueprint = Path(args.blueprint)
        shutil.copy(blueprint, workdir / blueprint.name)
        os.environ.setdefault("TFGEN_CACHE_DIR", str(workdir / "cache"))  # cold policy cache: no cache hits
        name = blueprint.stem
        tfgen_plan(workdir, blueprint.name, args.env)  # warm-up: render, init, schema cache

        tfgen_runs, sequential_runs, bare_runs = [], [], []
        for _ in range(args.runs):
            tfgen_runs.append(tfgen_plan(workdir, blueprint.name, args.env))
            sequential_runs.append(tfgen_plan(workdir, blueprint.name, args.env, prestart=False))
            bare_runs.append(bare_commands(workdir, name, args.env))

    tfgen_median = statistics.median(tfgen_runs)
    sequential_median = statistics.median(sequential_runs)
    bare_total = statistics.median(sum(run.values()) for run in bare_runs)
    print(f"blueprint {blueprint.name} -e {args.env} (offline), median of {args.runs} runs")
    for command in bare_runs[0]:
        print(f"  {command:<34} {statistics.median(run[command] for run in bare_runs):6.2f} s")
    print(f"  {'bare commands total':<34} {bare_total:6.2f} s")
    print(f"  {'tfgen plan (checkov prestarted)':<34} {tfgen_median:6.2f} s   overhead {tfgen_median - bare_total:+.2f} s (target < 0.5 s)")
    print(f"  {'tfgen plan (sequential)':<34} {sequential_median:6.2f} s   overhead {sequential_median - bare_total:+.2f} s")


if __name__ == "__main__":
    main()
