"""Every command that reads a blueprint or a plan, given hostile files: no traceback, no hang, exit
0, 1 or 2, and a message that names the file. The files are made here: pipes, devices, folders,
a symlink loop, binary and non-UTF-8 bytes, a file too large to read, nesting too deep, a YAML
alias bomb, JSON of the wrong shapes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.cli import cli

# Thirteen levels of anchors, each four aliases of the last: 9 * 4**12 values if expanded.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(12)
)


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _loop(path: Path) -> Path:
    os.symlink(path, path)
    return path


def _sparse(path: Path) -> Path:
    with open(path, "wb") as stream:
        stream.truncate(600 * 1024 * 1024)
    return path


def _write(content: str | bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return make


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "fifo": _fifo,
    "dev-zero": lambda path: Path("/dev/zero"),
    "folder": lambda path: (path.mkdir(), path)[1],
    "symlink-loop": _loop,
    "missing": lambda path: path,
    "empty": _write(""),
    "binary": _write(bytes(range(256)) * 4),
    "not-utf8": _write(b"name: \xff\xfe\n"),
    "too-large": _sparse,
    "deep-yaml": _write("[" * 3_000 + "]" * 3_000),
    "deep-json": _write('{"a": ' * 20_000 + "1" + "}" * 20_000),
    "alias-bomb": _write(BOMB),
    "a-list": _write("[1, 2, 3]\n"),
    "plan-shaped-wrong": _write(json.dumps({"format_version": "1.2", "terraform_version": "1.9", "planned_values": [1], "resource_changes": "x"})),
    "nul-bytes": _write(b"name: a\x00b\n"),
}

USAGE_ERROR = re.compile(r"Error: Invalid value for '(BLUEPRINTS\.\.\.|BLUEPRINT|--plan-json)': File '.+' is a directory\.")
COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "render": lambda file: ["render", file],
    "validate": lambda file: ["validate", file],
    "plan": lambda file: ["plan", file, "-e", "dev", "--offline"],
    "apply": lambda file: ["apply", file, "-e", "dev", "--offline"],
    "tf": lambda file: ["tf", "-e", "dev", file, "--", "version"],
    "parity": lambda file: ["parity", file],
    "status": lambda file: ["status", file, "-e", "dev"],
    "discover": lambda file: ["discover", file, "-e", "dev"],
    "bootstrap": lambda file: ["bootstrap", file, "-e", "dev"],
    "check": lambda file: ["check", "--plan-json", file],
    "destroy": lambda file: ["destroy", file, "-e", "dev", "--offline", "--yes"],
    "logs": lambda file: ["logs", file, "web", "-e", "dev"],
    "run": lambda file: ["run", file, "nightly", "-e", "dev"],
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_command_refuses_a_hostile_file_in_one_message(tmp_path: Path, monkeypatch, kind: str):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing may reach AWS
    path = HOSTILE[kind](tmp_path / f"hostile-{kind}.yaml")
    for command, argv in COMMANDS.items():
        result = CliRunner().invoke(cli, argv(str(path)))
        where = f"{command} on {kind}: {result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), where
        assert "Traceback" not in result.output, where
        if command == "tf" and kind == "folder":
            assert result.exit_code == 0, where  # a folder is a Terraform directory to `tf`: terraform version ran
            continue
        assert result.exit_code == 2, where
        # one line, or one located problem per line (a blueprint of the wrong shape lists them all)
        lines = [line for line in result.output.splitlines() if line.strip()]
        usage_error = kind == "folder" and bool(USAGE_ERROR.fullmatch(lines[-1])) and lines[-1].endswith(f"File '{path}' is a directory.")
        assert usage_error or (lines and all(line.startswith(f"{path}:") for line in lines)), where


def test_a_full_or_closed_stdout_is_one_line_on_stderr(tmp_path: Path):
    tfgen = [sys.executable, "-m", "tfgen.cli"]
    with open("/dev/full", "w") as full:
        written = subprocess.run([*tfgen, "schema"], stdout=full, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert (written.returncode, written.stderr) == (1, "error: cannot write the output: No space left on device\n")
    piped = subprocess.Popen([*tfgen, "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert piped.stdout is not None and piped.stderr is not None
    piped.stdout.close()  # the reader went away, as `tfgen schema | head -c 0` does
    assert piped.wait(timeout=60) in (0, 1)
    assert piped.stderr.read() == ""
