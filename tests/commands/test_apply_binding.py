"""A saved plan is bound to everything that decides what `apply` does and whether the gate let it
through: the rendered files of every kind, the var and backend files, the policy inputs (skips,
declared settings, protection) and its own metadata. Change any of them after `plan` and `apply`
refuses, saying what changed; nothing is applied."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tfgen.blueprint.loader import load_blueprint
from tfgen.errors import TfgenError
from tfgen.workflow import apply_environment, plan_environment

pytestmark = pytest.mark.slow

BLUEPRINT = (Path(__file__).parents[1] / "data" / "workflow" / "shop.yaml").read_text()
TAG = ("services.web.image_tag=v1",)  # web builds its image: a plan names the tag it deploys
SKIP = '\npolicy:\n  skip:\n    CKV_AWS_91: "access logs go to the central account"\n'
REPLAN = "run `tfgen plan BLUEPRINT -e dev` again and review it"


@pytest.fixture
def planned(tmp_path: Path, monkeypatch) -> Path:
    """A project whose dev environment has a saved, checked plan (policy on, offline)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text(BLUEPRINT + SKIP)
    outcome = plan_environment(load_blueprint(tmp_path / "shop.yaml"), "dev", offline=True, settings=TAG)
    assert outcome.meta.policy_passed is True
    return tmp_path


def _apply(project: Path) -> None:
    apply_environment(load_blueprint(project / "shop.yaml"), "dev", offline=True, settings=TAG)


def _refused(project: Path) -> str:
    state = project / "build" / "shop" / ".tfgen" / "dev" / "terraform.tfstate"
    with pytest.raises(TfgenError) as caught:
        _apply(project)
    assert not state.exists(), "a refused apply must not touch the state"
    return str(caught.value)


def test_the_plan_artifacts_are_private(planned: Path):
    data = planned / "build" / "shop" / ".tfgen" / "dev"
    for name in ("plan.tfplan", "plan.json", "policy.json", "plan-meta.json"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    _apply(planned)
    assert stat.S_IMODE((data / "terraform.tfstate").stat().st_mode) == 0o600


def test_a_skip_removed_after_the_plan_was_checked(planned: Path):
    (planned / "shop.yaml").write_text(BLUEPRINT)
    assert _refused(planned) == f"the policy skips or settings of 'dev' changed since its plan was checked: {REPLAN}"


def test_a_skip_whose_reason_changed(planned: Path):
    (planned / "shop.yaml").write_text(BLUEPRINT + SKIP.replace("central account", "other account"))
    assert _refused(planned) == f"the policy skips or settings of 'dev' changed since its plan was checked: {REPLAN}"


def test_protection_turned_on_after_the_plan(planned: Path):
    protected = (BLUEPRINT + SKIP).replace("    state: {bucket: shop-tfstate-dev}", "    protected: true\n    state: {bucket: shop-tfstate-dev}")
    (planned / "shop.yaml").write_text(protected)
    assert _refused(planned) == (  # protection is rendered too (deletion protection): the render is stale first
        "the blueprint changed since it was rendered and planned (shop: rendered code is out of date (run `tfgen render`):\n"
        "build/shop/.tfgen-manifest.json: stale\nbuild/shop/env/dev.tfvars.json: stale): run `tfgen plan` again and review it"
    )


def test_another_state_bucket_after_the_plan(planned: Path):
    from tfgen.render import render

    (planned / "shop.yaml").write_text((BLUEPRINT + SKIP).replace("shop-tfstate-dev", "shop-tfstate-elsewhere"))
    render(load_blueprint(planned / "shop.yaml"))
    backend = Path("build/shop/env/dev.s3.tfbackend")
    assert _refused(planned) == f"{backend} (where the state is) changed since the plan for 'dev' was made: {REPLAN}"


@pytest.mark.parametrize("added", ["override.tf.json", "extra.tf", "modules/alb/zz_extra.tf", "terraform.tfvars"])
def test_a_file_added_to_the_configuration(planned: Path, added: str):
    target = planned / "build" / "shop" / added
    target.write_text(json.dumps({"output": {"x": {"value": 1}}}) if added.endswith(".json") else "# added\n")
    assert _refused(planned) == f"the rendered configuration changed since the plan for 'dev' was made: {REPLAN}"


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{", "FILE:1:2: <root>: the saved plan's metadata is not valid JSON: Expecting property name enclosed in double quotes"),
        ("[]", "FILE:1:1: <root>: expected an object, got a list in the saved plan's metadata"),
        ("DROP:policy_hash", "FILE:1:1: policy_hash: missing in the saved plan's metadata"),
        ("ADD:approved", "FILE:1:1: approved: not a field tfgen writes in the saved plan's metadata"),
        ("SET:policy_passed=yes", 'FILE:1:1: policy_passed: expected true or false, got "yes" in the saved plan\'s metadata'),
    ],
    ids=["not-json", "a-list", "missing-key", "extra-key", "wrong-type"],
)
def test_a_corrupted_plan_meta(planned: Path, content: str, reason: str):
    meta = planned / "build" / "shop" / ".tfgen" / "dev" / "plan-meta.json"
    document = json.loads(meta.read_text())
    if content.startswith("DROP:"):
        del document[content.removeprefix("DROP:")]
        content = json.dumps(document)
    elif content.startswith("ADD:"):
        document[content.removeprefix("ADD:")] = True
        content = json.dumps(document)
    elif content.startswith("SET:"):
        key, value = content.removeprefix("SET:").split("=")
        document[key] = value
        content = json.dumps(document)
    meta.write_text(content)
    expected = f"the saved plan of 'dev' cannot be trusted: {reason} (run `tfgen plan BLUEPRINT -e dev` again)"
    assert _refused(planned).replace("build/shop/.tfgen/dev/plan-meta.json", "FILE") == expected


def test_after_a_new_plan_the_apply_goes_through(planned: Path):
    (planned / "shop.yaml").write_text(BLUEPRINT)
    _refused(planned)
    plan_environment(load_blueprint(planned / "shop.yaml"), "dev", offline=True, settings=TAG)
    _apply(planned)
