"""`--format markdown` of `tfgen plan` and `tfgen check`: the pull-request comment.

The plan part is made from a real plan (offline Terraform) that deletes, replaces, updates and
creates; the policy part from a result with failures, skips and passes. The document is parsed with
markdown-it (GFM tables; it comes with rich, a tfgen dependency) so that the assertions are about
the tables and headings a reader sees, cell by cell, not about substrings.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from tfgen.blueprint.loader import load_blueprint
from tfgen.cli import cli
from tfgen.policy.results import FAILED, PASSED, SKIPPED, CheckRecord, PolicyResult
from tfgen.report_markdown import code_cell, escape_markdown, render_markdown
from tfgen.summary import summarize_plan
from tfgen.workflow import apply_environment, plan_environment

DATA = Path(__file__).parents[1] / "data"
SHOP = (DATA / "workflow" / "shop.yaml").read_text()
PLANS = DATA / "plans"

# shop.yaml after an edit: service `web` removed (its module and its repository are deleted),
# service `admin` added (created; its group sorts before api's by name, and after it because api's
# has a replacement), the api port changed (target group replaced, its successor created first;
# the service updated; task definition replaced).
EDITED = SHOP.replace(
    "  web:\n    type: backend-service\n    image: {build: ./web}\n    port: 3000\n",
    "  admin:\n    type: backend-service\n    image: public.ecr.aws/nginx/nginx:stable\n    port: 3000\n",
).replace("port: 8080", "port: 8081")

API_SERVICE = "module.api.module.service.aws_ecs_service.this"
WORKER_SERVICE = "module.worker.module.service.aws_ecs_service.this"


# --- reading the document back ----------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable("table")


def _text(inline) -> str:
    """What a reader sees in an inline token: text and code as written, <br> as a newline."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif (child.type == "html_inline" and child.content == "<br>") or child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "html_inline":
            parts.append(child.content)
    return "".join(parts)


def blocks(markdown: str) -> list[tuple[str, object]]:
    """The document as ("h2"|"h3", text), ("p", text), ("table", rows incl. header), ("html", raw)."""
    tokens = _MD.parse(markdown)
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            out.append((token.tag, _text(tokens[i + 1])))
            i += 3
        elif token.type == "paragraph_open":
            out.append(("p", _text(tokens[i + 1])))
            i += 3
        elif token.type == "table_open":
            rows: list[list[str]] = []
            i += 1
            while tokens[i].type != "table_close":
                if tokens[i].type == "tr_open":
                    rows.append([])
                elif tokens[i].type == "inline":
                    rows[-1].append(_text(tokens[i]))
                i += 1
            out.append(("table", rows))
            i += 1
        elif token.type == "html_block":
            out.append(("html", token.content.strip()))
            i += 1
        elif token.type == "bullet_list_open":
            items = []
            while tokens[i].type != "bullet_list_close":
                if tokens[i].type == "inline":
                    items.append(_text(tokens[i]))
                i += 1
            out.append(("list", items))
            i += 1
        else:
            i += 1
    return out


def section(document: list[tuple[str, object]], heading_prefix: str) -> list[tuple[str, object]]:
    """The blocks after the heading starting with `heading_prefix`, up to the next heading."""
    start = next(i for i, (kind, text) in enumerate(document) if kind in ("h2", "h3") and str(text).startswith(heading_prefix))
    end = next((i for i in range(start + 1, len(document)) if document[i][0] in ("h2", "h3")), len(document))
    return document[start + 1 : end]


# --- the inputs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edited_plan(tmp_path_factory) -> dict:
    """A real plan JSON (offline Terraform) of shop's dev after apply and an edit."""
    project = tmp_path_factory.mktemp("shop")
    blueprint = project / "shop.yaml"
    blueprint.write_text(SHOP)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        tag = ("services.web.image_tag=v1",)
        plan_environment(load_blueprint(blueprint), "dev", offline=True, run_policy_checks=False, settings=tag)
        apply_environment(load_blueprint(blueprint), "dev", offline=True, settings=tag)
        blueprint.write_text(EDITED)
        outcome = plan_environment(load_blueprint(blueprint), "dev", offline=True, run_policy_checks=False)
        return json.loads(outcome.paths.plan_json.read_text())


def record(check_id: str, result: str, resource: str, name: str = "a check", **extra) -> CheckRecord:
    return CheckRecord(check_id=check_id, name=name, result=result, resource=resource, file="plan.json", **extra)


POLICY = PolicyResult(
    plan="build/shop/.tfgen/dev/plan.json",
    checkov_version="3.3.30",
    records=[
        record("CKV_AWS_2", PASSED, "module.alb.aws_lb_listener.https"),
        record("CKV_TFG_3", PASSED, API_SERVICE),
        record("CKV_TFG_3", PASSED, WORKER_SERVICE),
        record("CKV_AWS_91", FAILED, "module.alb.aws_lb.this", name="Ensure the ELBv2 (Application/Network) has access logging enabled"),
        record(
            "CKV_TFG_2", FAILED, API_SERVICE, name="ECS tasks get no public IP",
            details="assign_public_ip = true | subnets: public", guideline="https://github.com/tfgen/tfgen#policy-checks",
        ),
        record("CKV_TFG_1", SKIPPED, WORKER_SERVICE, skip_reason="rollback | handled by `deploy` <script>", skip_source="blueprint"),
        record("CKV_TFG_1", SKIPPED, API_SERVICE, skip_reason="rollback | handled by `deploy` <script>", skip_source="blueprint"),
        record("CKV_AWS_150", SKIPPED, "module.alb.aws_lb.this", skip_reason="deletion protection is on in protected environments", skip_source="default"),
    ],
    unused_skips={"CKV_AWS_999": "an old_reason"},
)


def terraform_counts(plan: dict) -> tuple[int, int, int, list[str], list[str]]:
    """Terraform's own arithmetic: a replacement is one add and one destroy."""
    add = change = destroy = 0
    deleted, replaced = [], []
    for resource in plan["resource_changes"]:
        actions = resource["change"]["actions"]
        if resource["mode"] == "data":
            continue
        add += "create" in actions
        change += actions == ["update"]
        destroy += "delete" in actions
        if "delete" in actions:
            (replaced if "create" in actions else deleted).append(resource["address"])
    return add, change, destroy, sorted(deleted), sorted(replaced)


# --- the plan and the policy, together --------------------------------------------------------


@pytest.mark.slow
def test_plan_comment_lists_destroys_and_replacements_first(edited_plan):
    summary = summarize_plan(edited_plan, {"api": "api", "admin": "admin"})
    text = render_markdown(summary, POLICY, blueprint="shop.yaml", environment="dev")
    document = blocks(text)
    add, change, destroy, deleted, replaced = terraform_counts(edited_plan)
    assert (len(deleted), len(replaced)) == (14, 2), (
        "the edit deletes web's 12 resources (its Cloud Map service among them) and its repository's 2, replaces api's group and task definition"
    )

    headings = [(kind, title) for kind, title in document if kind in ("h2", "h3")]
    assert headings == [
        ("h2", "tfgen plan: shop.yaml · dev: ❌ failed"),
        ("h3", "⚠️ Destroys and replacements: 14 deleted, 2 replaced"),
        ("h3", "Changes by service and module"),
        ("h3", "Policy checks: 2 failed, 3 skipped, 3 passed"),
    ]
    assert text.startswith("## tfgen plan: shop.yaml · dev: ❌ failed\n")
    assert document[1] == ("p", f"Plan: {add} to add, {change} to change, {destroy} to destroy.")
    assert (add, change, destroy) == (14, 4, 16)

    # destroys and replacements: one table, every destructive change, deletes before replacements
    # within a group, groups in name order
    [(kind, destructive)] = section(document, "⚠️ Destroys")
    assert kind == "table"
    assert destructive[0] == ["action", "service / module", "resource"]
    assert destructive[1:] == (
        [["🗑️ delete", "module web", address] for address in deleted if address.startswith("module.web.")]
        + [["🗑️ delete", "module web_repository", address] for address in deleted if address.startswith("module.web_repository[0].")]
        + [["🔁 replace", "service api", address] for address in ("module.api.aws_lb_target_group.this", "module.api.module.task.aws_ecs_task_definition.this")]
    )
    assert "**delete**" in text and "**replace**" in text  # bold in the source, plain text once parsed

    # per service and module: groups with destroys first (marked), the counts, the totals
    changes = section(document, "Changes by service")
    groups = changes[0]
    assert groups == ("table", [
        ["service / module", "create", "update", "replace", "delete"],
        ["⚠️ module web", "", "", "", "12"],
        ["⚠️ module web_repository", "", "", "", "2"],
        ["⚠️ service api", "", "4", "2", ""],
        ["service admin", "12", "", "", ""],
        ["total", "12", "4", "2", "14"],
    ])
    # every change, folded: same group order, destructive changes first within a group
    assert changes[1] == ("html", "<details><summary>Every change (32)</summary>")
    kind, every = changes[2]
    assert kind == "table" and len(every) == 1 + 32
    assert every[1:17] == destructive[1:]
    assert [row[0] for row in every[17:]] == ["update"] * 4 + ["create"] * 12
    assert {row[1] for row in every[17:21]} == {"service api"} and {row[1] for row in every[21:]} == {"service admin"}
    assert changes[3] == ("html", "</details>")


# --- the policy part --------------------------------------------------------------------------


def test_policy_part_failures_folded_skips_counted_passes():
    text = render_markdown(policy=POLICY, blueprint="shop.yaml", environment="dev")
    document = blocks(text)
    assert document[0] == ("h2", "tfgen check: shop.yaml · dev: ❌ failed")
    assert document[1] == ("h3", "Policy checks: 2 failed, 3 skipped, 3 passed")
    assert document[2:] == [
        # failures: one row per check and resource, in check order; `|` in the details stays in its cell
        ("table", [
            ["check", "resource", "name", "details"],
            ["CKV_AWS_91", "module.alb.aws_lb.this", "Ensure the ELBv2 (Application/Network) has access logging enabled", ""],
            ["CKV_TFG_2", API_SERVICE, "ECS tasks get no public IP", "assign_public_ip = true | subnets: public"],
        ]),
        # skips: folded, one row per check and reason with the resources it covers and who skipped it
        ("html", "<details><summary>Skipped checks (3), with their reasons</summary>"),
        ("table", [
            ["check", "resources", "skipped by", "reason"],
            ["CKV_AWS_150", "module.alb.aws_lb.this", "tfgen default", "deletion protection is on in protected environments"],
            ["CKV_TFG_1", f"{API_SERVICE}\n{WORKER_SERVICE}", "blueprint", "rollback | handled by `deploy` <script>"],
        ]),
        ("html", "</details>"),
        ("p", "Skips that matched no result:"),
        ("list", ["CKV_AWS_999: an old_reason"]),
        ("p", "<sub>checkov 3.3.30 · plan JSON build/shop/.tfgen/dev/plan.json</sub>"),
    ]
    # passes are only counted; the failure links to its guideline; no HTML from a value survives
    assert "CKV_TFG_3" not in text
    assert "[`CKV_TFG_2`](https://github.com/tfgen/tfgen#policy-checks)" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "| rollback \\| handled by \\`deploy\\` &lt;script&gt; |" in text


def test_policy_part_without_failures_or_skips_says_so():
    passing = PolicyResult(plan="plan.json", records=[record("CKV_TFG_3", PASSED, API_SERVICE)], checkov_version="3.3.30", cached=True, protected=True)
    assert blocks(render_markdown(policy=passing)) == [
        ("h2", "tfgen check: plan.json: ✅ passed"),
        ("h3", "Policy checks: 0 failed, 0 skipped, 1 passed"),
        ("p", "No check failed."),
        ("p", "<sub>checkov 3.3.30 (cached) · protected environment · plan JSON plan.json</sub>"),
    ]


def test_long_lists_are_cut_with_a_count():
    many = PolicyResult(plan="plan.json", records=[record("CKV_TFG_2", FAILED, f"module.s{i:03d}.aws_ecs_service.this") for i in range(7)])
    document = blocks(render_markdown(policy=many, limit=5))
    [table] = [rows for kind, rows in document if kind == "table"]
    assert [row[1] for row in table[1:]] == [f"module.s{i:03d}.aws_ecs_service.this" for i in range(5)]
    assert ("p", "… and 2 more failures.") in document


def test_empty_plan_says_no_changes():
    plan = json.loads((PLANS / "empty.json").read_text())
    document = blocks(render_markdown(summarize_plan(plan), None, blueprint="shop.yaml", environment="prod"))
    assert document == [
        ("h2", "tfgen plan: shop.yaml · prod: planned, policy not checked"),
        ("p", "Plan: no changes. The infrastructure matches the configuration."),
    ]


# --- escaping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, escaped",
    [
        ("a | b", "a \\| b"),
        ("`x` *y* _z_ [l](u) ~s~ #h", "\\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\~s\\~ \\#h"),
        ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines\r\nthree", "two<br>lines<br>three"),
    ],
)
def test_escape_markdown(value, escaped):
    assert escape_markdown(value) == escaped
    # and a reader sees the value itself (line breaks as breaks), also inside a table cell
    cell = blocks(f"| h |\n|--|\n| {escaped} |\n")[0][1][1][0]
    assert cell == value.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "value, code",
    [
        ('module.a.aws_x.this["a|b"]', '`module.a.aws_x.this["a\\|b"]`'),
        ("x`y", "``x`y``"),
        ("`x", "`` `x ``"),
        ("a ``b``", "``` a ``b`` ```"),
    ],
)
def test_code_cell(value, code):
    assert code_cell(value) == code
    cell = blocks(f"| h |\n|--|\n| {code} |\n")[0][1][1][0]
    assert cell == value


# --- the command line -------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_plan_markdown_prints_only_the_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text(SHOP)
    tag = ["--set", "services.web.image_tag=v1"]
    result = CliRunner().invoke(cli, ["plan", "shop.yaml", "-e", "dev", "--offline", "--format", "markdown", "--no-progress", *tag])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("## tfgen plan: shop.yaml · dev: ✅ passed\n\n**Plan:** 37 to add, 0 to change, 0 to destroy.\n")
    document = blocks(result.stdout)
    counts = json.loads((tmp_path / "build" / "shop" / ".tfgen" / "dev" / "policy.json").read_text())["summary"]
    assert [title for kind, title in document if kind in ("h2", "h3")] == [
        "tfgen plan: shop.yaml · dev: ✅ passed",
        "Changes by service and module",
        f"Policy checks: 0 failed, {counts['skipped']} skipped, {counts['passed']} passed",
    ]
    assert ("p", "No check failed.") in document
    assert "saved plan:" in result.stderr and "saved plan:" not in result.stdout
    assert result.stdout.rstrip().endswith("plan JSON build/shop/.tfgen/dev/plan.json</sub>")


def test_cli_check_plan_json_markdown(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGEN_CACHE_DIR", str(tmp_path / "cache"))  # the first check runs checkov, the second is cached
    plan = str(PLANS / "checks" / "ckv_tfg_1_fail.json")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--plan-json", plan, "--format", "markdown"])
    assert result.exit_code == 1, result.output
    document = blocks(result.stdout)
    assert document[0] == ("h2", f"tfgen check: {plan}: ❌ failed")
    assert document[1][0] == "h3" and document[1][1].startswith("Policy checks: 1 failed, 0 skipped, "), result.stdout
    assert document[2] == ("table", [
        ["check", "resource", "name", "details"],
        ["CKV_TFG_1", API_SERVICE, "ECS service has the deployment circuit breaker enabled with rollback", ""],
    ])
    # -o FILE: the document in the file, the verdict line on stderr, nothing on stdout
    out = tmp_path / "comment.md"
    written = runner.invoke(cli, ["check", "--plan-json", plan, "--format", "markdown", "-o", str(out)])
    assert written.exit_code == 1
    assert written.stdout == ""
    assert " (cached)" not in result.stdout
    assert out.read_text() == result.stdout.replace(" · plan JSON", " (cached) · plan JSON")
    assert written.stderr.startswith("FAILED ")


def test_cli_check_blueprint_markdown_names_blueprint_and_environment(tmp_path, monkeypatch):
    (tmp_path / "shop.yaml").write_text(SHOP)
    data_dir = tmp_path / "build" / "shop" / ".tfgen" / "dev"
    data_dir.mkdir(parents=True)
    shutil.copy(PLANS / "checks" / "ckv_tfg_1_fail.json", data_dir / "plan.json")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "shop.yaml", "-e", "dev", "--format", "markdown"])
    assert result.exit_code == 1
    assert result.stdout.startswith("## tfgen check: shop.yaml · dev: ❌ failed\n"), result.output
