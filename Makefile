# zhaoshang — the commands the README names. `make run` and `make test` must work on a fresh machine.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
MANAGE := $(PYTHON) manage.py
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/zhaoshang)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/15)

.PHONY: run install env migrate seed serve test test-fast worker lint format messages compilemessages migrations-check check-deploy services-check bench clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	@command -v $(PY) >/dev/null || { echo "需要 Python 3.11（$(PY)）。Python 3.11 is required."; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(BIN)/activate

install: $(BIN)/activate

# A .env with fresh development keys, written once. Never committed (.gitignore).
.env: | install
	@echo "写入开发环境配置 .env（含新生成的开发密钥） / writing .env with fresh development keys"
	@{ echo "DEBUG=True"; $(MANAGE) createkeys; } > .env

env: .env

migrate: .env
	$(MANAGE) migrate --noinput

# GNU gettext's msgfmt when installed (it also checks the catalogues); otherwise a pure-Python
# compiler with the same output, so that `make run` needs nothing but Python 3.11.
compilemessages: install
	@if command -v msgfmt >/dev/null; then DJANGO_SETTINGS_MODULE= $(BIN)/django-admin compilemessages -v 0; \
	else $(PYTHON) scripts/compile_messages.py; fi

seed: migrate
	$(MANAGE) seed_demo

serve:
	$(MANAGE) runserver 127.0.0.1:8000

run: install .env compilemessages migrate seed serve

services-check: install
	@$(PYTHON) scripts/check_services.py "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"

test: install compilemessages services-check
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/pytest $(PYTEST_ARGS)

# The suite without the browser (e2e) and real-worker tests: a quicker check while working.
test-fast: install compilemessages services-check
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/pytest -m "not e2e and not worker" $(PYTEST_ARGS)

worker: .env
	$(BIN)/celery -A zhaoshang worker --beat --loglevel=INFO --concurrency=2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=static/vendor --no-obsolete

migrations-check: install
	ZHAOSHANG_ENV_FILE=/dev/null DEBUG=True $(MANAGE) makemigrations --check --dry-run

check-deploy: install
	ZHAOSHANG_ENV_FILE=/dev/null DEBUG=False SECRET_KEY="$$($(PYTHON) -c 'import secrets;print(secrets.token_urlsafe(50))')" \
	  FIELD_ENCRYPTION_KEYS="k1:$$($(PYTHON) -c 'import base64,os;print(base64.b64encode(os.urandom(32)).decode())')" \
	  BLIND_INDEX_KEY="$$($(PYTHON) -c 'import base64,os;print(base64.b64encode(os.urandom(32)).decode())')" \
	  ALLOWED_HOSTS=zhaoshang.example.cn DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
	  $(MANAGE) check --deploy --fail-level WARNING

# Every benchmark under bench/, one after another, ending with one table (figure, target, result, verdict).
# One alone: $(PYTHON) bench/<name>.py --help; other arguments per benchmark: BENCH_ARGS_<NAME>="…".
bench: install
	DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTHON) bench/run_all.py $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
