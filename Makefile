# VIB — the four commands a newcomer needs: make run · make test · make lint · make bench
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := $(shell scripts/find-python)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
VIB := $(VENV)/bin/vib
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The installed packages are compiled to bytecode once, at install time: every vib command,
# test worker and subprocess would otherwise compile Django and the rest anew on start when
# PYTHONDONTWRITEBYTECODE is set (3.5 s per process here). ADR 0153.
export UV_COMPILE_BYTECODE := 1

HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test test-fast age browser test-browser test-r lint bench install messages demo clean screenshots \
	image test-image stack stack-down k8s-validate

# The suite runs on every processor (pytest-xdist); a test module stays on one worker, so the
# demo and the browser that a module builds once are built once (ADR 0120). Long tests split
# into parts spread over the workers, longest work first (xdist groups, tests/conftest.py,
# ADR 0130).
# The suite may write bytecode caches (gitignored) even where PYTHONDONTWRITEBYTECODE is set:
# each worker and each program a test starts would recompile the project and its tests
# (pytest's assertion rewriting) from source, about 9 s per worker here. ADR 0153.
PYTEST := VIB_ENV=test PYTHONDONTWRITEBYTECODE= $(VENV)/bin/python -m pytest -n $(or $(TEST_WORKERS),auto) \
	--dist loadgroup --no-loadscope-reorder

help:
	@echo "make run    set everything up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   the whole test suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)"
	@echo "make test-fast     the suite without the browser tests and the parity tests against R"
	@echo "make test-browser  only the browser tests (Debian's Chromium)"
	@echo "make demo   (re)build the demo data in the SQLite database"
	@echo "make test-r regenerate the R results of the differential suite and compare (needs R)"
	@echo "make lint   ruff, mypy, makemigrations --check, compilemessages, OpenAPI lint"
	@echo "make bench  the benchmarks of bench/ (results in bench/README.md)"
	@echo "make screenshots  phone and desktop screenshots of the main pages (var/screenshots/)"
	@echo "make image       the OCI image localhost/vib:latest with podman (docs/operations.md)"
	@echo "make test-image  build the image and run it against PostgreSQL/Redis containers (minutes)"
	@echo "make stack       the single-host stack of deploy/compose.yaml with the demo"
	@echo "make k8s-validate  render deploy/k8s overlays and validate them against the schemas"

$(UV):
	@test -n "$(PYTHON)" || exit 1
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

messages: install
	@command -v msgfmt >/dev/null || scripts/apt-install gettext
	cd src/vib && ../../$(VIB) compilemessages --verbosity 0

var:
	mkdir -p var

run: install messages var
	$(VIB) migrate --noinput --verbosity 0
	$(VIB) demo --if-empty
	@echo
	@echo "VIB draait op http://$(HOST):$(PORT)/ met taakverwerker en planner (stoppen: Ctrl-C)"
	$(VIB) serve-demo $(HOST):$(PORT)

test: install messages age browser
	$(PYTEST) $(PYTEST_ARGS)

test-fast: install messages age
	$(PYTEST) -m "not browser and not r_parity" $(PYTEST_ARGS)

# The standard age CLI: tests/operations/test_backup.py decrypts a backup with it (ADR 0136).
age:
	@command -v age >/dev/null || scripts/apt-install age || echo "age could not be installed: its backup test is skipped"

# Debian's Chromium headless shell for the browser tests (ADR 0151), installed before the
# workers start; tests/conftest.py installs it too when a test is run on its own.
CHROMIUM := /usr/lib/chromium/chromium-headless-shell
browser:
	@test -x $(CHROMIUM) || scripts/apt-install chromium-headless-shell || echo "chromium-headless-shell could not be installed: the browser tests will say so"

test-browser: install messages browser
	$(PYTEST) -m browser $(PYTEST_ARGS)

demo: install messages var
	$(VIB) migrate --noinput --verbosity 0
	$(VIB) demo --if-empty

# The differential suite against R (docs/statistics.md): regenerate the cases and R's
# results with R + survey (apt: r-base-core r-cran-survey r-cran-jsonlite), then compare.
ORACLE := tests/stats/r_oracle
test-r: install
	@Rscript -e 'library(survey); library(jsonlite)' >/dev/null 2>&1 || scripts/apt-install r-base-core r-cran-survey r-cran-jsonlite
	@Rscript -e 'library(survey); library(jsonlite)' >/dev/null 2>&1 || { echo "test-r needs R with the survey and jsonlite packages (Debian: r-cran-survey, r-cran-jsonlite)"; exit 2; }
	mkdir -p $(ORACLE)/data
	Rscript $(ORACLE)/bootdata.R tests/stats/data $(ORACLE)/data
	$(VENV)/bin/python $(ORACLE)/generate.py
	Rscript $(ORACLE)/oracle.R $(ORACLE)/cases.json tests/stats/data $(ORACLE)/results.json
	VIB_ENV=test $(VENV)/bin/python -m pytest -q tests/stats/test_r_oracle.py tests/stats/test_r_defects.py

# Python scripts without the .py suffix (ruff and mypy take them when named).
DEPLOY_PY := deploy/image/check-imports

# The checks of the lint are independent of each other, so they run side by side, the longest
# first (mypy from a clean clone ~25 s, the OpenAPI lint ~17 s): 42 s -> 33 s from a clean clone
# on two processors. Each check's output is printed in one piece when it ends.
LINTS := lint-types lint-openapi lint-ruff lint-migrations
.PHONY: $(LINTS)

lint: install messages
	@$(MAKE) --no-print-directory -j $(shell nproc) --output-sync=target $(LINTS)

lint-types:
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy deploy/test_image.py deploy/image/sbom.py deploy/image/bytecode.py
	$(VENV)/bin/mypy $(DEPLOY_PY)

lint-openapi:
	scripts/lint-openapi

lint-ruff:
	$(VENV)/bin/ruff check src tests bench deploy $(DEPLOY_PY)
	$(VENV)/bin/ruff format --check src tests bench deploy $(DEPLOY_PY)

lint-migrations:
	$(VIB) makemigrations --check --dry-run

bench: install
	$(UV) sync --frozen --python $(PYTHON) --group bench
	@command -v wrk >/dev/null || scripts/apt-install wrk
	$(VENV)/bin/python bench/run.py
	$(UV) sync --frozen --python $(PYTHON)

clean:
	rm -rf $(VENV) .tools var build

# Phone (390 px) and desktop (1280 px) screenshots of each module's main pages, for review.
screenshots: install messages browser
	VIB_ENV=test $(VENV)/bin/python -m pytest tests/browser/screenshots.py -q -p no:cacheprovider -s
	@echo "Screenshots in var/screenshots/"

# --- containers (docs/operations.md; ADR 0123) --------------------------------------------
# podman's settings for these hosts live in deploy/containers.conf, not in people's heads.
export CONTAINERS_CONF := $(CURDIR)/deploy/containers.conf
export BUILDAH_ISOLATION := chroot
IMAGE ?= localhost/vib:latest

image: install messages
	@command -v podman >/dev/null || scripts/apt-install podman mmdebstrap runc uidmap slirp4netns fuse-overlayfs
	nice deploy/image/build-base
	nice deploy/image/prepare-context
	nice podman build --format docker -f Containerfile -t $(IMAGE) .
	@podman image inspect $(IMAGE) --format 'image {{.Id}}: {{.Size}} bytes'

# Not part of `make test`: 10–15 minutes from nothing here (the Debian bases, the image), ~2 after.
# Four ports from TEST_IMAGE_PORT on (web, PostgreSQL, Redis, SMTP).
TEST_IMAGE_PORT ?= 8190
test-image: image
	$(VENV)/bin/python deploy/test_image.py --image $(IMAGE) --port $(TEST_IMAGE_PORT)

# podman 4 with CNI networks (Debian bookworm) resolves the services' names (db, redis, …)
# only with the dnsname plugin; podman 5's netavark has it built in.
stack: image
	@[ "$$(podman info --format '{{.Host.NetworkBackend}}')" != cni ] || [ -x /usr/lib/cni/dnsname ] \
		|| scripts/apt-install golang-github-containernetworking-plugin-dnsname
	deploy/stack up

stack-down:
	deploy/stack down

k8s-validate: install
	$(UV) run --frozen --no-project --with kubernetes-validate==1.37.0 deploy/k8s/validate
