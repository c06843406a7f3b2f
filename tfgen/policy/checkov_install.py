"""Which checkov tfgen runs, and provisioning one on first use.

checkov never shares tfgen's environment: its fork of python-hcl2 installs the same ``hcl2``
package name as python-hcl2. So it is found, in this order, through ``TFGEN_CHECKOV``, then
``checkov`` on PATH, else tfgen installs the pinned ``checkov==CHECKOV_VERSION`` into a virtual
environment of its own under the cache folder (``$XDG_CACHE_HOME/tfgen/checkov/<version>-py<X.Y>``)
the first time it is needed, says so once with progress, and reuses it afterwards.

Two tfgen processes starting at once are safe: the installation runs under a file lock, and a
virtual environment counts as installed only once its completion marker is written (an
interrupted installation is removed and redone by the next run).

``python -m tfgen.policy.checkov_install`` provisions now (``make install`` does) and prints the
executable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tfgen.errors import TfgenError
from tfgen.files import PUBLIC, write_file
from tfgen.paths import cache_dir

CHECKOV_VERSION = "3.3.30"
CHECKOV_ENV = "TFGEN_CHECKOV"
COMPLETE_MARKER = ".tfgen-complete"
LOCK_TIMEOUT_SECONDS = 1800.0

Say = Callable[[str], None]


@dataclass(frozen=True)
class CheckovLocation:
    """Where checkov is, and how tfgen found it: "TFGEN_CHECKOV", "PATH" or "provisioned"."""

    executable: Path
    found_by: str


def provisioned_dir() -> Path:
    """The virtual environment tfgen provisions (one per checkov version and Python version)."""
    python = f"py{sys.version_info.major}.{sys.version_info.minor}"
    return cache_dir() / "checkov" / f"{CHECKOV_VERSION}-{python}"


def locate_checkov() -> CheckovLocation | None:
    """The checkov tfgen would run, without installing anything; None when it would provision one.
    TfgenError when TFGEN_CHECKOV names something that is not an executable."""
    configured = os.environ.get(CHECKOV_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return CheckovLocation(path, CHECKOV_ENV)
        found = shutil.which(configured)
        if found:
            return CheckovLocation(Path(found), CHECKOV_ENV)
        raise TfgenError(
            f"{CHECKOV_ENV}={configured} is not an executable checkov: fix the variable, or unset it and tfgen installs checkov {CHECKOV_VERSION} itself"
        )
    found = shutil.which("checkov")
    if found:
        return CheckovLocation(Path(found), "PATH")
    executable = _provisioned_executable()
    return CheckovLocation(executable, "provisioned") if executable is not None else None


def find_checkov(say: Say | None = None) -> Path:
    """The checkov executable, provisioned first when there is none (see the module docstring)."""
    location = locate_checkov()
    if location is not None:
        return location.executable
    return provision(say or _stderr)


def _provisioned_executable() -> Path | None:
    venv = provisioned_dir()
    executable = venv / "bin" / "checkov"
    if (venv / COMPLETE_MARKER).is_file() and executable.is_file():
        return executable
    return None


def provision(say: Say) -> Path:
    """Install the pinned checkov into its own virtual environment under the cache folder, once."""
    from filelock import FileLock, Timeout

    venv = provisioned_dir()
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TfgenError(
            f"cannot create {venv.parent} for checkov ({error.strerror or error}): set TFGEN_CACHE_DIR to a writable folder, or TFGEN_CHECKOV"
        ) from None
    lock = FileLock(str(venv.parent / f"{venv.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"tfgen: waiting for another tfgen process to finish installing checkov into {venv}")
        try:
            lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        except Timeout:
            raise TfgenError(f"gave up after {LOCK_TIMEOUT_SECONDS:.0f}s waiting for the checkov installation in {venv} (lock {lock.lock_file})") from None
    try:
        executable = _provisioned_executable()
        if executable is None:
            executable = _install(venv, say)
        return executable
    finally:
        lock.release()


def _install(venv: Path, say: Say) -> Path:
    say(
        f"tfgen: first use of the policy checks: installing checkov {CHECKOV_VERSION} into {venv} "
        "(its own virtual environment, about 300 MB from the package index, a minute or two; once)"
    )
    if venv.exists():
        shutil.rmtree(venv)  # an interrupted installation
    _run([sys.executable, "-m", "venv", str(venv)], "create the virtual environment", say)
    python = venv / "bin" / "python"
    with _package_progress(say) as collected:
        _run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off", f"checkov=={CHECKOV_VERSION}"],
            f"install checkov {CHECKOV_VERSION}",
            say,
            collected,
        )
    executable = venv / "bin" / "checkov"
    if not executable.is_file():
        raise TfgenError(f"installing checkov into {venv} left no {executable}")
    write_file(venv / COMPLETE_MARKER, f"checkov=={CHECKOV_VERSION}\n", mode=PUBLIC)
    say(f"tfgen: checkov {CHECKOV_VERSION} is ready ({executable})")
    return executable


@contextmanager
def _package_progress(say: Say) -> Iterator[Say]:
    """Reports each package pip collects: a rich status line on a terminal, else numbered lines."""
    count = 0
    if not sys.stderr.isatty():

        def line(package: str) -> None:
            nonlocal count
            count += 1
            say(f"tfgen:   [{count:3d}] {package}")

        yield line
        return
    from rich.console import Console

    with Console(stderr=True).status("installing checkov") as status:

        def update(package: str) -> None:
            nonlocal count
            count += 1
            status.update(f"installing checkov: {count} packages, {package}")

        yield update


def _run(command: list[str], what: str, say: Say, collected: Say | None = None) -> None:
    """Run one installation step; `collected` hears of each package pip collects."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", stdin=subprocess.DEVNULL)
    except OSError as error:
        raise TfgenError(f"cannot {what}: {error.strerror or error}; install checkov yourself and set TFGEN_CHECKOV") from None
    output: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if collected is not None and line.startswith("Collecting "):
            collected(line.removeprefix("Collecting ").split(" (from ")[0].strip())
    if process.wait() != 0:
        tail = "".join(output[-15:]).strip()
        raise TfgenError(f"cannot {what} (exit {process.returncode}):\n{tail}\ninstall checkov yourself and set TFGEN_CHECKOV")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    try:
        executable = find_checkov(_stderr)
    except TfgenError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(executable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
