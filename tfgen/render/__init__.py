"""`tfgen render`: a blueprint becomes one Terraform root module plus a var file and a backend
file per environment (the root module is byte-for-byte the same for every environment).

    render_files(loaded) -> {relative path: bytes}     pure: the model, the root module, the modules
    render(loaded, out=None, check=False, force=False)  writes them (default build/<name>/)

Layout: ``model`` (what each module block gets), ``root_module`` (the files), ``hcl`` (the
emitter, the only way HCL is written), ``modules`` (the Terraform modules copied along),
``output`` (the manifest and the writer).
"""

from __future__ import annotations

from pathlib import Path

from tfgen.blueprint.loader import LoadedBlueprint
from tfgen.paths import BuildLayout
from tfgen.render.model import RenderModel, render_model
from tfgen.render.modules import module_files, modules_dir
from tfgen.render.output import MANIFEST, RenderResult, write_rendering
from tfgen.render.root_module import root_files

__all__ = ["MANIFEST", "RenderModel", "RenderResult", "modules_dir", "render", "render_files", "render_model"]


def render_files(loaded: LoadedBlueprint) -> dict[str, bytes]:
    """Every file of the rendering: relative path -> content. Nothing is written."""
    model = render_model(loaded)
    files = {path: text.encode() for path, text in root_files(model).items()}
    files.update(module_files(model.modules_used()))
    return dict(sorted(files.items()))


def render(loaded: LoadedBlueprint, out: Path | None = None, *, check: bool = False, force: bool = False) -> RenderResult:
    """Render `loaded` into `out` (default build/<name>/)."""
    target = Path(out) if out is not None else BuildLayout.default().root(loaded.name)
    return write_rendering(loaded.name, str(loaded.path), render_files(loaded), target, check=check, force=force)
