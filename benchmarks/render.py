"""Whole-process render time for generated blueprints of 1, 10, 100 and 500 services.

Each blueprint mixes the four service types (web services with paths and hosts, backends,
workers, scheduled jobs) and has two environments with overrides. The time measured is a fresh
`tfgen render` process (interpreter start, imports, loading, rendering, writing), the best of a
few runs, into an empty output directory. Targets: 500 services in under 2 s; one service 20 times
faster than `cdk synth` of the same application (about 4.5 s measured here: about 0.225 s).

    python benchmarks/render.py [--runs N] [--sizes 1,10,100,500]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

TARGET_SECONDS = {1: 0.225, 500: 2.0}

MAX_WEB_SERVICES = 100  # listener rules per Application Load Balancer (ELB quota)

def blueprint(services: int) -> dict:
    document: dict = {
        "name": f"bench{services}",
        "region": "eu-west-1",
        "tags": {"team": "bench"},
        "network": {"vpc": {"cidr": "10.0.0.0/16", "azs": 3, "nat": "per-az"}},
        "cluster": {"capacity": {"fargate": {"base": 1, "weight": 1}, "fargate_spot": {"weight": 3}}},
        "load_balancer": {"certificate": "arn:aws:acm:eu-west-1:111111111111:certificate/bench"},
        "services": {},
        "environments": {
            "dev": {"account": "111111111111", "state": {"bucket": "bench-tfstate-dev"}, "overrides": {"services": {}}},
            "prod": {
                "account": "222222222222",
                "protected": True,
                "state": {"bucket": "bench-tfstate-prod"},
                # ACM certificates belong to the load balancer's own account
                "overrides": {"services": {}, "load_balancer": {"certificate": "arn:aws:acm:eu-west-1:222222222222:certificate/bench"}},
            },
        },
    }
    for index in range(services):
        name = f"svc-{index:03d}"
        kind = ("web-service", "backend-service", "worker-service", "scheduled-job")[index % 4]
        if kind == "web-service" and index >= 4 * MAX_WEB_SERVICES:
            kind = "backend-service"  # one load balancer holds 100 listener rules (the blueprint rules refuse more)
        service: dict = {"type": kind, "image": f"public.ecr.aws/docker/library/nginx:1.{index}", "cpu": 256, "memory": 512}
        if kind == "web-service":
            service.update(port=8080, count={"min": 1, "max": 4}, http={"path": f"/{name}/*", "healthcheck": "/health"})
            if index % 8 == 0:
                service["http"]["alias"] = f"{name}.example.com"
                service["image"] = {"build": f"./{name}"}
            document["environments"]["prod"]["overrides"]["services"][name] = {"count": {"min": 2, "max": 10, "cpu": 60}}
        elif kind == "backend-service":
            service.update(port=9000, count=2, variables={"LOG_LEVEL": "info"})
        elif kind == "worker-service":
            service.update(queue={"visibility_timeout": 60}, count={"min": 0, "max": 5})
        else:
            service.update(schedule="@hourly", timeout=600)
        document["services"][name] = service
        document["environments"]["dev"]["overrides"]["services"].setdefault(name, {})["logging"] = {"retention": 7}
    return document


def tfgen_command() -> list[str]:
    beside = Path(sys.executable).parent / "tfgen"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "tfgen.cli"]


def measure(path: Path, out: Path, runs: int) -> float:
    """Best of `runs` after one warm-up run; bytecode may be cached, as it is for an installed tfgen
    (PYTHONDONTWRITEBYTECODE, set in some sandboxes, would make every run compile every module)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    best = float("inf")
    for run in range(runs + 1):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        result = subprocess.run([*tfgen_command(), "render", str(path), "-o", str(out)], capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"tfgen render failed for {path}:\n{result.stdout}{result.stderr}")
        if run:
            best = min(best, elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100,500")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="tfgen-bench-") as temporary:
        work = Path(temporary)
        print(f"{'services':>8}  {'render (s)':>10}  {'files':>5}  target")
        for size in (int(s) for s in args.sizes.split(",")):
            path = work / f"bench{size}.yaml"
            path.write_text(yaml.safe_dump(blueprint(size), sort_keys=False))
            out = work / f"out{size}"
            seconds = measure(path, out, args.runs)
            files = sum(1 for p in out.rglob("*") if p.is_file())
            target = TARGET_SECONDS.get(size)
            verdict = "" if target is None else (f"< {target:g} s ok" if seconds < target else f"< {target:g} s MISSED")
            failed |= target is not None and seconds >= target
            print(f"{size:>8}  {seconds:>10.3f}  {files:>5}  {verdict}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
