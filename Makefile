# The only entry points: make demo | test | lint | bench | fmt. Each does its own set-up, idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := static/vendor/.built
export DJANGO_SETTINGS_MODULE := config.settings
DEMO_ENV := ZHIFA_DEBUG=1
# The demo's server runs as production does (its users get the site's Chinese 404 and 500 pages, not Django's English
# debug pages); --insecure lets runserver serve static files without DEBUG; demo administrators need no TOTP.
DEMO_SERVE_ENV := ZHIFA_OTP_REQUIRED=0

.PHONY: demo test lint bench fmt setup assets clean cluster-test cluster-test-fast reliability reliability-fast

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

# The demo: sample organisation, sample regulations, the national laws the samples cite (../shared/data's 63 laws when
# present, else the public texts in zhifa/laws/samples/national/), question bank, course, scenarios. Every seed is
# idempotent. var/env (git-ignored) holds this checkout's generated keys, read by config/settings.py.
demo: setup
	@mkdir -p var
	@$(PY) scripts/local_env.py var/env
	@$(DEMO_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(DEMO_ENV) $(PY) manage.py seed_demo > var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_laws --with-national | tee -a var/seed.log | grep '^全国性法律法规'
	@$(DEMO_ENV) $(PY) manage.py seed_questions >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_exams >> var/seed.log 2>&1
	@$(DEMO_ENV) $(PY) manage.py seed_courses >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_cases >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_records >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_notices >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_assistant >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_classes >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_surveys | tee -a var/seed.log | grep 海报链接
	@$(DEMO_ENV) $(PY) manage.py seed_plans >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_certificates >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_evaluation >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py generate_practice_items --publish 江北市行政执法人员培训管理办法 江北市行政执法证件管理规定 >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py seed_practice >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py compute_mastery >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py compute_rollups >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py purge_heartbeats >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py purge_review_logs >> var/seed.log
	@$(DEMO_ENV) $(PY) manage.py sync_search_index --wait 60 >> var/seed.log
	@echo "示例数据已就绪（详情见 var/seed.log）。"
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
	  echo "注意：本机未安装 ffmpeg/ffprobe，示例课程没有视频课时，也无法处理上传的视频。安装：sudo apt-get install ffmpeg，再运行 make demo 即可补上。"
	@$(DEMO_ENV) $(PY) manage.py seed_demo | sed -n '/演示账号/,$$p'
	@echo "演示服务：http://127.0.0.1:8000/  （Ctrl-C 停止；后台任务由同时启动的 db_worker 执行）"
	@$(DEMO_ENV) $(PY) manage.py db_worker > var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(DEMO_SERVE_ENV) $(PY) manage.py runserver --insecure 127.0.0.1:8000

test: setup
	@$(PY) -m pytest -n $${ZHIFA_TEST_WORKERS:-2} $(ARGS)

lint: setup
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports
	@$(PY) scripts/unreferenced.py
	@ZHIFA_DEBUG=1 $(VENV)/bin/mypy zhifa config

fmt: setup
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

# The production path on the loopback (docs/operations.md): nginx, two app servers (granian), PostgreSQL primary +
# streaming replica, Redis, an S3 server, started in a private folder and stopped at the end. cluster-test-fast
# (CI) is all but the fault run.
cluster-test: setup
	@ZHIFA_CLUSTER=1 $(PY) -m pytest -p no:xdist -q zhifa/common/tests/test_production_cluster.py $(ARGS)

cluster-test-fast: setup
	@ZHIFA_CLUSTER=1 $(PY) -m pytest -p no:xdist -q -m "not slow" zhifa/common/tests/test_production_cluster.py $(ARGS)

# The reliability suite (docs/operations.md; issue 19): bounded, loopback only, prints its figures, fails on a miss.
# reliability-fast (CI, ~2 min): importer fuzzing (a few seconds each) and the API schema fuzzed as every role.
# reliability: the same at full length (60 s per importer), the faults on a cluster of its own (PostgreSQL restart,
# Redis down, media volume full), the cluster test's SIGKILL and backup → restore drill, and the load thresholds
# of the benchmarks' quick modes (autosave, heartbeats, search, survey intake, check-in burst) and the start burst's
# target run (5,000 examinees, ≈ 1 min: in the quick run's 1,000 the first wave on fresh threads is the p95).
# The law search measures loaded databases, made the first time by its --prepare (≈ 25 min), or point it at loaded ones,
# e.g. make reliability SEARCH_BENCH_ARGS="--sqlite-url sqlite:////srv/corpus.sqlite3 --postgres-url postgres://…".
SEARCH_BENCH_ARGS ?=
RELIABILITY_LOAD := bench_exams_autosave bench_exams_start bench_courses_heartbeat bench_laws_search \
	bench_surveys_intake bench_checkin

reliability-fast: setup
	@ZHIFA_RELIABILITY=1 ZHIFA_RELIABILITY_FAST=1 $(PY) -m pytest -p no:xdist -q -m "not cluster" tests/reliability $(ARGS)

reliability: setup
	@ZHIFA_RELIABILITY=1 ZHIFA_CLUSTER=1 $(PY) -m pytest -p no:xdist -q tests/reliability $(ARGS)
	@ZHIFA_CLUSTER=1 $(PY) -m pytest -p no:xdist -q -m slow zhifa/common/tests/test_production_cluster.py
	@for b in $(RELIABILITY_LOAD); do echo "== $$b"; args=""; [ $$b = bench_laws_search ] && args="--prepare $(SEARCH_BENCH_ARGS)"; \
	  [ $$b = bench_exams_start ] && args="--full"; \
	  $(PY) benchmarks/$$b.py $$args || exit 1; done

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor var
