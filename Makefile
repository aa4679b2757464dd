# The only entry points: make demo | test | lint | bench | fmt. Each does its own set-up, idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := static/vendor/.built
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: demo test lint bench fmt setup assets clean

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	@$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev]'
	@touch $@

$(ASSETS): package.json package-lock.json scripts/build_assets.sh
	@scripts/build_assets.sh
	@touch $@

setup: $(STAMP) $(ASSETS)

assets: $(ASSETS)

demo: setup
	@mkdir -p var
	@ZHIFA_DEBUG=1 $(PY) manage.py migrate --noinput -v 0
	@ZHIFA_DEBUG=1 $(PY) manage.py seed_demo
	@echo "演示服务：http://127.0.0.1:8000/  （Ctrl-C 停止）"
	@ZHIFA_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: setup
	@$(PY) -m pytest -n $${ZHIFA_TEST_WORKERS:-2} $(ARGS)

lint: setup
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports
	@$(VENV)/bin/mypy zhifa config

fmt: setup
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor var
