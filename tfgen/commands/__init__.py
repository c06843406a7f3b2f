"""Command bodies that combine the layers below them (blueprint, render, terraform, policy):
`validate`, `check` and the `tfgen-check` pre-commit hook. The CLI calls these; nothing below
imports them."""
