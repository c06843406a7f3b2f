"""Benchmark `tfgen check` against bare checkov on the same plan JSON.

Builds plan JSON of about 100 and 1,000 resources: a generated blueprint (web services sharing one
load balancer, plus backend services) rendered and planned offline with the real Terraform and
tfgen's offline provider. Prints, side by side: bare `checkov -f plan.json --framework
terraform_plan`, `tfgen check --plan-json plan.json` (cache empty) and the same check again (cached).
Targets: tfgen adds < 0.3 s over checkov; the cached check answers in < 0.3 s.

    .venv/bin/python benchmarks/check.py [--sizes 100,1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# resources per service, measured on the offline plans of this generator
PER_WEB = 16
PER_BACKEND = 13
FIXED = 12


def blueprint(services: int) -> str:
    lines = [
        "name: bench",
        "region: eu-west-1",
        "network:",
        "  vpc: {id: vpc-0abc, public_subnets: [subnet-0a, subnet-0b], private_subnets: [subnet-0c, subnet-0d]}",
        "load_balancer:",
        "  certificate: arn:aws:acm:eu-west-1:111111111111:certificate/abc",
        "services:",
    ]
    for index in range(services):
        if index % 2 == 0:
            lines.append(
                f"  web{index}: {{type: web-service, image: public.ecr.aws/docker/library/nginx:stable, port: 8080, count: {{min: 1, max: 4, cpu: 70}}, "
                f"http: {{path: /s{index}/*, healthcheck: /health}}, secrets: {{DB: arn:aws:secretsmanager:eu-west-1:111111111111:secret:db{index}}}}}"
            )
        else:
            lines.append(f"  api{index}: {{type: backend-service, image: public.ecr.aws/docker/library/nginx:stable, port: 8080}}")
    lines += ["environments:", "  prod:", '    account: "111111111111"', "    protected: true", "    state: {bucket: bench-tfstate-prod}"]
    return "\n".join(lines) + "\n"


def offline_plan(work: Path, services: int) -> Path:
    from tfgen.blueprint.loader import load_blueprint
    from tfgen.render import render
    from tfgen.terraform import Terraform

    path = work / f"bench-{services}.yaml"
    path.write_text(blueprint(services))
    cwd = os.getcwd()
    os.chdir(work)
    try:
        loaded = load_blueprint(path)
        out = work / f"build-{services}"
        render(loaded, out)
        data = out / ".tfgen" / "prod"
        terraform = Terraform(out, data, offline=True)
        terraform.init(None)
        terraform.plan(data / "plan.tfplan", [out / "env" / "prod.tfvars.json"], {})
        plan = terraform.show_json(data / "plan.tfplan")
    finally:
        os.chdir(cwd)
    target = work / f"plan-{services}.json"
    target.write_text(json.dumps(plan))
    return target


def resource_count(plan: Path) -> int:
    def walk(module: dict) -> int:
        return len(module.get("resources") or []) + sum(walk(c) for c in module.get("child_modules") or [])

    return walk(json.loads(plan.read_text())["planned_values"]["root_module"])


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, env=env, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000", help="approximate resource counts")
    parser.add_argument("--keep", type=Path, help="keep the plans in this directory")
    args = parser.parse_args()

    from tfgen.policy.checkov import checkov_environment, find_checkov

    checkov = str(find_checkov())
    tfgen = str(Path(sys.executable).parent / "tfgen")
    work = Path(args.keep or tempfile.mkdtemp(prefix="tfgen-bench-check-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            services = max(1, round((size - FIXED) / ((PER_WEB + PER_BACKEND) / 2)))
            print(f"planning ~{size} resources ({services} services) offline...", file=sys.stderr)
            plan = offline_plan(work, services)
            count = resource_count(plan)
            cache = work / f"cache-{size}"
            shutil.rmtree(cache, ignore_errors=True)
            env = {**os.environ, "TFGEN_CACHE_DIR": str(cache), "TFGEN_CHECKOV": checkov}
            bare_env = checkov_environment(protected=False)
            bare, _ = timed([checkov, "-f", str(plan), "--framework", "terraform_plan", "--skip-download"], bare_env)
            first, output = timed([tfgen, "check", "--plan-json", str(plan), "--format", "json"], env)
            inside = json.loads(output)["checkov_duration"]
            second, _ = timed([tfgen, "check", "--plan-json", str(plan), "--format", "json"], env)
            second_table, _ = timed([tfgen, "check", "--plan-json", str(plan)], env)
            rows.append((count, bare, first, inside, second, second_table))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    # checkov's own time varies by seconds between runs on a loaded machine, so tfgen's overhead is
    # measured inside the same run: the tfgen process's wall time minus its checkov subprocess's.
    print(f"{'resources':>9}  {'bare checkov':>12}  {'tfgen check':>11}  {'its checkov':>11}  {'tfgen own':>9}  {'cached json':>11}  {'cached table':>12}")
    for count, bare, first, inside, second, second_table in rows:
        print(f"{count:>9}  {bare:>11.2f}s  {first:>10.2f}s  {inside:>10.2f}s  {first - inside:>8.2f}s  {second:>10.2f}s  {second_table:>11.2f}s")
    print("targets: tfgen own work < 0.30 s over checkov; cached < 0.30 s")


if __name__ == "__main__":
    main()
