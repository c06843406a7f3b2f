# tfgen developer and user entry points. Everything runs from the project's own virtualenvs:
# .venv (tfgen and its tests) and .venv-checkov (checkov, kept apart: its hcl2 fork clashes with ours).
PYTHON ?= python3
VENV ?= .venv
CHECKOV_VENV ?= .venv-checkov
BIN := $(VENV)/bin
ENV ?= dev
BLUEPRINT ?= vote
BLUEPRINT_FILE := blueprints/$(BLUEPRINT).yaml
export TFGEN_CHECKOV ?= $(abspath $(CHECKOV_VENV))/bin/checkov
export TFGEN_AWS_SCHEMA ?= $(abspath ../shared/aws-provider-schema/aws-6.47.0.json)

.PHONY: install test render validate plan apply check demo bench clean

install: $(BIN)/tfgen $(TFGEN_CHECKOV)

$(BIN)/tfgen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(TFGEN_CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov

test: install
	$(BIN)/pytest -n 2 -q

render: install
	$(BIN)/tfgen render blueprints/*.yaml
	$(BIN)/tfgen schema > build/blueprint.schema.json

validate: install
	$(BIN)/tfgen validate blueprints/*.yaml

plan: install
	$(BIN)/tfgen plan $(BLUEPRINT_FILE) -e $(ENV) $(if $(OFFLINE),--offline)

apply: install
	$(BIN)/tfgen apply $(BLUEPRINT_FILE) -e $(ENV) $(if $(OFFLINE),--offline)

check: install
	$(BIN)/tfgen check $(BLUEPRINT_FILE) -e $(ENV) $(if $(OFFLINE),--offline)

demo: install
	$(BIN)/tfgen render blueprints/*.yaml
	$(BIN)/tfgen schema > build/blueprint.schema.json
	$(BIN)/tfgen validate blueprints/*.yaml
	@for bp in blueprints/*.yaml; do \
	  for env in $$($(BIN)/python -c "import sys,yaml;print(' '.join(yaml.safe_load(open(sys.argv[1]))['environments']))" $$bp); do \
	    echo "== $$bp -e $$env (offline)"; \
	    $(BIN)/tfgen plan $$bp -e $$env --offline || exit $$?; \
	  done; \
	done

bench: install
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/offline_provider.py
	$(BIN)/python benchmarks/plan.py
	$(BIN)/python benchmarks/check.py

clean:
	rm -rf build
