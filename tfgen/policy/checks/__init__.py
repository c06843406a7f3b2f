"""tfgen's policy pack: checkov custom checks (IDs ``CKV_TFG_<n>``) for the ``terraform_plan`` framework.

This directory is passed to checkov as ``--external-checks-dir``: checkov imports every ``.py``
file here by file location (this ``__init__.py`` must exist or checkov silently loads nothing).
The modules run inside checkov's own Python environment, never tfgen's, so they import only
checkov and the standard library, and helpers are imported by plain module name
(``tfgen_check_helpers``: checkov puts this directory on ``sys.path``).

Cross-resource promises (CKV_TFG_3 service ingress, CKV_TFG_4 HTTP->HTTPS redirect) and the
lifecycle rules on what the plan does (CKV_TFG_10 replacements, CKV_TFG_11 listener rule
priorities, CKV_TFG_12 data in protected environments) need the whole plan, which a checkov
resource check never sees: they are evaluated by ``tfgen.policy.plan_checks`` on the plan JSON
and merged into the same results.
"""
