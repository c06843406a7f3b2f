"""The example blueprints render to exactly the bytes in tests/data/golden/: a change of the root
module tfgen writes is deliberate or it is a bug. After a deliberate one, refresh them with
`python tests/data/golden/update.py` and review the diff."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parents[1] / "data" / "golden"
sys.path.insert(0, str(GOLDEN))
from update import EXAMPLES, golden_files  # noqa: E402


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_example_renders_its_golden_bytes(name: str) -> None:
    expected = {p.relative_to(GOLDEN / name).as_posix(): p.read_bytes() for p in sorted((GOLDEN / name).rglob("*")) if p.is_file()}
    actual = golden_files(name)
    assert sorted(actual) == sorted(expected)
    changed = [path for path in actual if actual[path] != expected[path]]
    assert changed == [], f"{name}: {changed} differ from tests/data/golden (deliberate? run tests/data/golden/update.py)"
