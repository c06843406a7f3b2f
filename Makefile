# tfgen developer and user entry points. Everything runs from the project's virtualenv .venv
# (tfgen and its tests). checkov is not installed into it (its hcl2 fork clashes with
# python-hcl2): tfgen provisions a pinned checkov in a virtualenv of its own under the cache
# folder (~/.cache/tfgen/checkov/) on first use; `make install` does it up front.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ENV ?= dev
BLUEPRINT ?= vote
BLUEPRINT_FILE := blueprints/$(BLUEPRINT).yaml

.PHONY: install lint test render validate plan apply check demo bench schema clean

install: $(BIN)/tfgen
	$(BIN)/python -m tfgen.policy.checkov_install

$(BIN)/tfgen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# ruff (lint rules only; the code base is not run through a formatter) and mypy, both
# configured in pyproject.toml. `make test` runs them first, so CI (.ci/run) does too.
lint: $(BIN)/tfgen
	$(BIN)/ruff check tfgen tests benchmarks
	$(BIN)/mypy

test: lint install
	$(BIN)/pytest -n 2 -q

render: install
	$(BIN)/tfgen render blueprints/*.yaml
	$(BIN)/tfgen schema > build/blueprint.schema.json

validate: install
	$(BIN)/tfgen validate blueprints/*.yaml

plan: install
	$(BIN)/tfgen plan $(BLUEPRINT_FILE) -e $(ENV) $(if $(OFFLINE),--offline) $(foreach setting,$(SET),--set $(setting))

apply: install
	$(BIN)/tfgen apply $(BLUEPRINT_FILE) -e $(ENV) $(if $(OFFLINE),--offline) $(foreach setting,$(SET),--set $(setting))

check: install
	$(BIN)/tfgen check $(BLUEPRINT_FILE) -e $(ENV) $(if $(OFFLINE),--offline)

demo: install
	$(BIN)/tfgen render blueprints/*.yaml
	$(BIN)/tfgen schema > build/blueprint.schema.json
	$(BIN)/tfgen validate blueprints/*.yaml
	@for bp in blueprints/*.yaml; do \
	  for env in $$($(BIN)/python -c "import sys,yaml;print(' '.join(yaml.safe_load(open(sys.argv[1]))['environments']))" $$bp); do \
	    echo "== $$bp -e $$env (offline)"; \
	    $(BIN)/tfgen plan $$bp -e $$env --offline $$($(BIN)/python -c "import sys,yaml;print(' '.join(f'--set services.{n}.image_tag=demo' for n,s in yaml.safe_load(open(sys.argv[1]))['services'].items() if isinstance(s.get('image'),dict)))" $$bp) || exit $$?; \
	  done; \
	done

bench: install
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/offline_provider.py
	$(BIN)/python benchmarks/plan.py
	$(BIN)/python benchmarks/check.py

# Refresh the provider schema tfgen ships from a `terraform providers schema -json` output:
#   make schema SCHEMA=path/to/aws-6.47.0.json
schema: $(BIN)/tfgen
	$(BIN)/python -m tfgen.offline.pack $(SCHEMA) -o tfgen/offline/data/$(notdir $(basename $(SCHEMA))).json.gz

clean:
	rm -rf build
