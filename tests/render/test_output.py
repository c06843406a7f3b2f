"""Writing a rendering safely: only inside the output folder, all or nothing, one render at a
time, and a one-line error (never a traceback) for any folder that cannot take it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tfgen.cli import cli
from tfgen.errors import InputError, TfgenError
from tfgen.render import output
from tfgen.render.output import MANIFEST, PENDING, write_rendering

FILES = {"main.tf": b"# main\n", "env/dev.tfvars.json": b"{}\n", "modules/x/main.tf": b"# x\n"}
SOURCE = "blueprints/app.yaml"


def render(out: Path, files: dict[str, bytes] = FILES, **options: bool) -> output.RenderResult:
    return write_rendering("app", SOURCE, files, out, **options)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text())


@pytest.mark.parametrize("entry", ["../victim.txt", "/VICTIM", "modules/../../victim.txt", "./main.tf", ""])
@pytest.mark.parametrize("force", [False, True])
def test_a_manifest_entry_outside_the_folder_is_refused_and_nothing_is_touched(tmp_path: Path, entry: str, force: bool):
    out = tmp_path / "out"
    render(out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    entry = entry.replace("/VICTIM", str(victim))
    document = manifest(out)
    document["files"][entry] = output.sha256(b"keep me")
    (out / MANIFEST).write_text(json.dumps(document))
    before = tree(out)
    with pytest.raises(InputError, match=r"lists paths outside .* tfgen only touches files inside its output folder"):
        render(out, {"main.tf": b"# other\n"}, force=force)
    assert victim.read_text() == "keep me" and tree(out) == before


FIX = "(delete it to render afresh; the files it listed will then count as not written by tfgen)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "FILE:1:1: <root>: expected an object, got a list in a tfgen manifest"),
        ('{"files": {"main.tf": 3}}', "FILE:1:1: files.main.tf: expected a string, got 3 in a tfgen manifest"),
        ('{"files": {"main.tf": "abc"}}', 'FILE:1:1: files.main.tf: unexpected value "abc" in a tfgen manifest'),
        ('{"files": {}, "owner": "x"}', "FILE:1:1: owner: not a field tfgen writes in a tfgen manifest"),
        ("{}", "FILE:1:1: files: missing in a tfgen manifest"),
        ("{nope", "FILE:1:2: <root>: a tfgen manifest is not valid JSON: Expecting property name enclosed in double quotes"),
        ("[" * 100_000 + "]" * 100_000, "FILE:1:1: <root>: a tfgen manifest is nested too deeply to be one"),
    ],
    ids=["a-list", "digest-a-number", "digest-not-sha256", "extra-key", "no-files", "not-json", "deep"],
)
def test_a_broken_manifest_is_one_line_saying_what_to_do(tmp_path: Path, content: str, message: str):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text(content)
    with pytest.raises(InputError) as raised:
        render(out)
    assert str(raised.value).replace(str(out / MANIFEST), "FILE") == f"{message} {FIX}"


def test_a_failure_while_staging_changes_nothing(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    render(out)
    before = tree(out)
    real_fsync, calls = os.fsync, []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", failing_fsync)
    with pytest.raises(TfgenError, match=r"cannot write into .*No space left on device"):
        render(out, {name: data + b"# v2\n" for name, data in FILES.items()})
    assert tree(out) == before  # no temporary file left, no file replaced, the manifest as it was


def test_ctrl_c_during_the_swap_waits_until_the_rendering_is_complete(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    new = {name: data + b"# v2\n" for name, data in FILES.items()}
    real_replace, calls = os.replace, []

    def replace_then_interrupt(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            signal.raise_signal(signal.SIGINT)  # the user presses Ctrl-C half-way through the swap
        real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        render(out, new)
    monkeypatch.undo()
    assert {k: v for k, v in tree(out).items() if k != MANIFEST} == new
    assert render(out, new).summary() == f"app: {out} is up to date"


def test_a_render_killed_half_way_is_finished_by_the_next(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"

    class Killed(BaseException):
        pass

    real_replace, calls = os.replace, []

    def killed_on_third(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise Killed
        real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", killed_on_third)
    with pytest.raises(Killed):
        render(out)
    monkeypatch.undo()
    assert (out / PENDING).is_file() and not (out / MANIFEST).exists()  # as a kill -9 would leave it
    result = render(out)
    assert not (out / PENDING).exists() and sorted(manifest(out)["files"]) == sorted(FILES)
    assert tree(out) == {**FILES, MANIFEST: tree(out)[MANIFEST]}
    assert result.written  # no "exists and was not written by tfgen"


def test_another_blueprint_of_the_same_name_does_not_take_the_folder_over(tmp_path: Path):
    out = tmp_path / "out"
    render(out)
    with pytest.raises(TfgenError, match=r"rendered from .*blueprints/app.yaml, not from this blueprint \(render elsewhere with -o\)"):
        write_rendering("app", "elsewhere/app.yaml", FILES, out)
    assert write_rendering("app", "elsewhere/app.yaml", FILES, out, force=True).unchanged


def test_two_renders_at_once_do_not_interleave(tmp_path: Path):
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tfgen.render.output import write_rendering\n"
        "tag = sys.argv[1].encode()\n"
        "files = {f'modules/m{i}/main.tf': b'# ' + tag + b'\\n' * 2000 for i in range(60)}\n"
        "write_rendering('app', 'app.yaml', files, Path(sys.argv[2]))\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", script, tag, str(out)]) for tag in ("a", "a")]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    files = tree(out)
    assert {data[:3] for name, data in files.items() if name != MANIFEST} == {b"# a"}
    assert manifest(out)["files"] == {name: output.sha256(data) for name, data in files.items() if name != MANIFEST}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/dev/null", "exists and is not a folder"),
        ("/proc/self/tfgen", "cannot create the output folder"),
    ],
)
def test_folders_that_cannot_take_a_rendering_are_one_line_errors(tmp_path: Path, target: str, message: str):
    with pytest.raises(TfgenError) as raised:
        render(Path(target))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_folder_where_a_file_goes_is_reported_and_nothing_is_written(tmp_path: Path):
    out = tmp_path / "out"
    (out / "main.tf").mkdir(parents=True)
    with pytest.raises(TfgenError, match=r"main.tf: is a folder or other non-file where tfgen writes a file"):
        render(out)
    assert sorted(p.name for p in out.iterdir()) == ["main.tf"]
    (out / "main.tf").rmdir()
    (out / MANIFEST).mkdir()
    with pytest.raises(InputError, match=r"is a directory, not a tfgen manifest"):
        render(out)


def test_cli_render_to_dev_null_and_an_empty_path(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blueprint = Path(__file__).resolve().parents[2] / "blueprints" / "vote.yaml"
    null = CliRunner().invoke(cli, ["render", str(blueprint), "-o", "/dev/null"])
    assert (null.exit_code, null.output.strip()) == (2, "/dev/null: exists and is not a folder: tfgen renders into a folder of its own")
    empty = CliRunner().invoke(cli, ["render", str(blueprint), "-o", ""])
    assert empty.exit_code == 2 and "Traceback" not in empty.output
    assert empty.output.strip().splitlines()[-1] == "Error: Invalid value for '-o' / '--out': an empty path is not a folder: give one, or leave the option out"
    assert not (tmp_path / "build").exists() and sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_refusal_names_the_command_that_overwrites_and_that_command_works(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my app.yaml").write_text((Path(__file__).parents[2] / "blueprints" / "single-web.yaml").read_text())
    assert CliRunner().invoke(cli, ["render", "my app.yaml"]).exit_code == 0
    edited = Path("build/single-web/main.tf")
    edited.write_text(edited.read_text() + "# mine\n")
    for argv in (["render", "my app.yaml"], ["plan", "my app.yaml", "-e", "dev", "--offline"]):
        refused = CliRunner().invoke(cli, argv)
        assert (refused.exit_code, refused.output) == (
            1,
            "error: refusing to overwrite files (`tfgen render --force 'my app.yaml'` overwrites them):\n"
            "build/single-web/main.tf: edited since tfgen wrote it\n",
        )
    assert CliRunner().invoke(cli, ["render", "--force", "my app.yaml"]).exit_code == 0
    assert not edited.read_text().endswith("# mine\n")
