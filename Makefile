# The two commands of README's quick start: `make run` and `make test`.
# Both create .venv when missing and (re)install the project only when pyproject.toml changed.

VENV   := .venv
PYTHON := $(VENV)/bin/python
# Touched after a successful install; newer than pyproject.toml means nothing to do.
STAMP  := $(VENV)/.installed
VAR_DIR ?= var
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint clean-var

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: $(STAMP) ## Start the whole service on 127.0.0.1 (Ctrl-C stops it; data stays in var/)
	$(PYTHON) -m devstack

test: $(STAMP) lint ## Lint, check formatting and types, then run the tests (make test PYTEST_ARGS="-k orders")
	$(PYTHON) -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, ruff format --check and mypy (what `make test` runs before pytest)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

clean-var: ## DELETE all local data of `make run` (orders, staff, Temporal history, emulator payments)
	rm -rf -- "$(VAR_DIR)"

$(PYTHON):
	@py=""; for candidate in python3.11 python3; do \
		if command -v "$$candidate" >/dev/null 2>&1 && \
		   "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
			py="$$candidate"; break; \
		fi; \
	done; \
	if [ -z "$$py" ]; then \
		echo "error: Python 3.11 or newer is needed: install python3.11 (or a python3 >= 3.11) and retry." >&2; \
		exit 1; \
	fi; \
	echo "creating $(VENV) with $$(command -v $$py) ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV) || { \
		echo "error: '$$py -m venv' failed; on Debian/Ubuntu install the python3-venv package." >&2; \
		rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)
