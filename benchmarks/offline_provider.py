"""Offline provider speed: `validate` + `plan` of a 60-resource ECS configuration (target < 6 s).

Prints provider start-up time, then cold (fresh data dir and schema cache) and warm figures.
Usage: python benchmarks/offline_provider.py [--services N] [--keep DIR]
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

from tfgen.terraform import Terraform

HEADER = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
  default_tags { tags = { app = "bench" } }
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_vpc" "default" { default = true }

resource "aws_ecs_cluster" "main" {
  name = "bench"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_lb" "main" {
  name                       = "bench"
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.lb.id]
  subnets                    = ["subnet-1", "subnet-2"]
  drop_invalid_header_fields = true
}

resource "aws_security_group" "lb" {
  name   = "bench-lb"
  vpc_id = data.aws_vpc.default.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}
"""

SERVICE = """
data "aws_iam_policy_document" "{n}_assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "{n}_execution" {{
  name               = "bench-{n}-execution"
  assume_role_policy = data.aws_iam_policy_document.{n}_assume.json
}}

resource "aws_iam_role" "{n}_task" {{
  name               = "bench-{n}-task"
  assume_role_policy = data.aws_iam_policy_document.{n}_assume.json
}}

resource "aws_iam_role_policy" "{n}_task" {{
  name = "queue"
  role = aws_iam_role.{n}_task.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["sqs:ReceiveMessage"], Resource = aws_sqs_queue.{n}.arn }}]
  }})
}}

resource "aws_cloudwatch_log_group" "{n}" {{
  name              = "/ecs/bench/{n}"
  retention_in_days = 30
}}

resource "aws_sqs_queue" "{n}" {{
  name                    = "bench-{n}"
  sqs_managed_sse_enabled = true
}}

resource "aws_security_group" "{n}" {{
  name   = "bench-{n}"
  vpc_id = data.aws_vpc.default.id
  ingress {{
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.lb.id]
  }}
}}

resource "aws_lb_target_group" "{n}" {{
  name        = "bench-{n}"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = data.aws_vpc.default.id
  health_check {{
    path = "/health"
  }}
}}

resource "aws_ecs_task_definition" "{n}" {{
  family                   = "bench-{n}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.{n}_execution.arn
  task_role_arn            = aws_iam_role.{n}_task.arn
  container_definitions = jsonencode([{{
    name         = "{n}"
    image        = "public.ecr.aws/docker/library/nginx:stable"
    portMappings = [{{ containerPort = 8080 }}]
    logConfiguration = {{
      logDriver = "awslogs"
      options   = {{ "awslogs-group" = aws_cloudwatch_log_group.{n}.name, "awslogs-region" = data.aws_region.current.region }}
    }}
  }}])
}}

resource "aws_ecs_service" "{n}" {{
  name            = "{n}"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.{n}.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  network_configuration {{
    subnets          = ["subnet-1", "subnet-2"]
    security_groups  = [aws_security_group.{n}.id]
    assign_public_ip = false
  }}
  deployment_circuit_breaker {{
    enable   = true
    rollback = true
  }}
  load_balancer {{
    target_group_arn = aws_lb_target_group.{n}.arn
    container_name   = "{n}"
    container_port   = 8080
  }}
}}
"""
RESOURCES_PER_SERVICE = 9
FIXED_RESOURCES = 4


def write_configuration(directory: Path, services: int) -> int:
    """Write the configuration; returns its number of managed resources."""
    directory.mkdir(parents=True, exist_ok=True)
    body = HEADER + "".join(SERVICE.format(n=f"svc{i}") for i in range(services))
    (directory / "main.tf").write_text(body)
    return FIXED_RESOURCES + RESOURCES_PER_SERVICE * services


def timed(label: str, func) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"  {label:<28} {elapsed:6.2f} s")
    return elapsed


def provider_startup(terraform: Terraform) -> float:
    """Time from exec to the go-plugin handshake line."""
    executable = terraform._offline_provider().executable
    env = {**terraform.environment(), "TF_PLUGIN_MAGIC_COOKIE": "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"}
    start = time.perf_counter()
    process = subprocess.Popen([str(executable)], stdout=subprocess.PIPE, env=env, text=True)
    process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.terminate()
    process.wait()
    return elapsed


def run_round(label: str, root: Path, data_dir: Path) -> float:
    print(f"{label}:")
    terraform = Terraform(root, data_dir, offline=True)
    total = timed("init", terraform.init)
    checks = timed("validate", terraform.validate)
    checks += timed("plan", lambda: terraform.plan(data_dir / "plan.tfplan", on_event=lambda event: None))
    print(f"  {'validate + plan':<28} {checks:6.2f} s  (target < 6 s)")
    print(f"  {'init + validate + plan':<28} {total + checks:6.2f} s")
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=(60 - FIXED_RESOURCES) // RESOURCES_PER_SERVICE + 1)
    parser.add_argument("--keep", type=Path, help="write the configuration here and keep it")
    options = parser.parse_args()
    workdir = options.keep or Path(tempfile.mkdtemp(prefix="tfgen-bench-"))
    os.environ["TFGEN_CACHE_DIR"] = str(workdir / "cache")  # a cold schema cache for the first round
    try:
        count = write_configuration(workdir / "root", options.services)
        print(f"{count} resources, {options.services} services, terraform: {' '.join(_terraform())}")
        cold = run_round("cold (fresh data dir, no trimmed-schema cache)", workdir / "root", workdir / "data")
        warm = run_round("warm (initialized)", workdir / "root", workdir / "data")
        startup = provider_startup(Terraform(workdir / "root", workdir / "data", offline=True))
        print(f"provider start-up (exec to handshake): {startup:.3f} s")
        return 0 if max(cold, warm) < 6 else 1
    finally:
        if options.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _terraform() -> list[str]:
    from tfgen.terraform import find_terraform

    return find_terraform()


if __name__ == "__main__":
    sys.exit(main())
