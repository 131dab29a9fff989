# Two commands on a fresh machine: `make run` and `make test`. Both build .venv from the hash-pinned lock first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit venv lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# --no-deps: the lock is the whole closure (uv pip compile); pip's own resolver stumbles over pinned extras
	# (sqlalchemy[asyncio] with prefect), so it installs exactly the lock and `pip check` proves it complete.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/eventcoder run seeds/articles --warehouse data

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

# Re-pin after editing requirements.in (needs `uv` on the PATH).
lock:
	uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf data .prefect .pytest_cache .mypy_cache .ruff_cache
