"""Write the golden renderings of the example blueprints (tests/test_golden.py compares against
them). Run it after a deliberate change of the rendered root module, and review the diff:

    .venv/bin/python tests/data/golden/update.py && git diff tests/data/golden
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tfgen.blueprint.loader import load_blueprint
from tfgen.render import render_files

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[2] / "blueprints"


def golden_files(name: str) -> dict[str, bytes]:
    """The files of the example's rendering that tfgen writes itself (the modules are copies)."""
    return {path: data for path, data in render_files(load_blueprint(EXAMPLES / f"{name}.yaml")).items() if not path.startswith("modules/")}


def main() -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        target = HERE / example.stem
        shutil.rmtree(target, ignore_errors=True)
        for path, data in golden_files(example.stem).items():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(data)
        print(f"{target}: {len(list(target.rglob('*.*')))} files")


if __name__ == "__main__":
    main()
