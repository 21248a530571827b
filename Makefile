# The two set-up commands from the README. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck clean chromium

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: pyproject.toml $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/egov-rules check examples/quickstart.egr
	$(BIN)/egov-rules score examples/quickstart.egr examples/quickstart-data.yaml
	$(BIN)/egov-rules check methodologies/vn-ict-2016.egr
	$(BIN)/egov-rules score methodologies/vn-ict-2016.egr examples/vn-ict-2016-data.yaml
	$(BIN)/egov-rules score methodologies/vn-ict-2016.egr examples/vn-ict-2016-data.yaml \
		--entity "Tỉnh E (minh hoạ)" --explain

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check egov_rules tests benchmarks

typecheck: $(BIN)/.installed-dev
	$(BIN)/mypy --strict egov_rules

# The HTML report is tested in Debian's headless Chromium; install it once when missing.
chromium:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

test: lint typecheck chromium
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -n auto

# The published annexes (docs/methodologies/*.md), regenerated from the rule files.
.PHONY: docs
docs: $(BIN)/.installed
	mkdir -p docs/methodologies
	for f in methodologies/*.egr; do \
		[ -e "$$f" ] || continue; \
		$(BIN)/egov-rules doc "$$f" --output "docs/methodologies/$$(basename "$$f" .egr).md" || exit 1; \
	done
	$(BIN)/egov-rules doc examples/quickstart.egr --output docs/methodologies/quickstart.md

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
