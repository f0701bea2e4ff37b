# Two commands are all a newcomer needs:  `make serve`  and  `make test`.
# Every target installs what it needs first, into .venv, from the pinned requirements files.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SITE   := site

export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The test runs keep compiled Python (and pytest's rewritten test modules) in .venv/pycache,
# also where the environment says PYTHONDONTWRITEBYTECODE: otherwise every pytest worker and
# every `python -m kbsite` or `mkdocs` a test starts compiles the project's code again (seconds
# per run). Nothing is written next to the sources, so `make serve`'s watcher sees no change.
PYTEST := PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache PYTHONDONTWRITEBYTECODE= \
	$(BIN)/python -m pytest

.PHONY: install system-deps serve build check test test-fast lint validate schema release benchmark lighthouse \
	screenshots clean

# Debian packages the tests use: LaTeX and BibTeX compile the exported bibliography; Chromium's
# headless shell runs the browser tests (Playwright cannot download its own browser here), and
# Chromium itself the screenshots and Lighthouse; Java runs the W3C HTML checker.
SYSTEM_TOOLS := pdflatex:texlive-latex-base bibtex:texlive-binaries chromium:chromium \
	chromium-headless-shell:chromium-headless-shell java:default-jre-headless

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@# kbsite itself, in editable mode: `.venv/bin/python -m kbsite` runs the code in scripts/.
	$(BIN)/pip install --quiet --no-deps --editable .
	@touch $@

install: $(STAMP)  ## create .venv and install the pinned dependencies

PORT ?= 8000

# A port in use is reported in one line before MkDocs starts; problems in kb/ are shown in
# the browser, and changes to kb/, docs/ and scripts/kbsite/ rebuild with the new code.
serve: install  ## build the site and serve it on http://127.0.0.1:$(PORT) (make serve PORT=8001), rebuilding on every change
	@$(BIN)/python -m kbsite check-port $(PORT)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

# The build hook builds into a staging folder and swaps it in only when the build succeeded
# (strict warnings included), so a failed build leaves the previous site whole. No --quiet:
# it hides warnings from MkDocs' counter too, and --strict then lets them pass.
build: install  ## build the site into site/ (strict)
	$(BIN)/mkdocs build --strict --site-dir $(SITE)

validate: install  ## check every knowledge-base entry and report all problems
	$(BIN)/python -m kbsite validate

schema: install  ## regenerate kb/schema/*.schema.json and the field reference from scripts/kbsite/model.py
	$(BIN)/python -m kbsite schema

# A release: pyproject.toml's version and date (the one place they are declared) are set,
# CITATION.cff and the about page's record are regenerated, committed, and tagged vX.Y.Z
# (annotated, listing the changes to kb/). Nothing is pushed. The current version: tag it.
release: install  ## make release VERSION=x.y.z [DATE=YYYY-MM-DD]: set the version, commit, tag vX.Y.Z (no push)
	@test -n "$(VERSION)" || { echo "error: expected VERSION=x.y.z, e.g. make release VERSION=0.2.0" >&2; exit 2; }
	$(BIN)/python -m kbsite release $(VERSION) $(if $(DATE),--date $(DATE))

lint: install  ## ruff check, ruff format --check, and mypy --strict on the kbsite package
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/mypy

# Installs missing Debian packages when run as root (as CI is), saying first in one line what
# it installs; elsewhere it says in one line what to install.
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages the tests use (LaTeX, Chromium, Java):$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing >/dev/null; \
	  else echo "note: install$$missing to run every test (tests that need them are skipped)"; \
	  fi; fi

# Lint runs while the tests run (its first, uncached mypy run takes seconds of one core): the
# tests' output comes live, lint's whole once both are done, and either failing fails the target.
LINT_LOG := $(VENV)/lint.log
lint_beside = echo '$(BIN)/python -m pytest $(1)   (with `make lint` beside it)'; \
	$(MAKE) --no-print-directory lint >$(LINT_LOG) 2>&1 & linting=$$!; \
	$(PYTEST) $(1); tested=$$?; wait $$linting; linted=$$?; cat $(LINT_LOG); \
	[ $$linted = 0 ] || echo "make lint failed (see above)"; [ $$tested = 0 ] && [ $$linted = 0 ]

# The fast loop while editing: no browser, no full site build, no outside checker. Validation
# comes first (it is what a contributor needs to see); lint runs beside the tests.
check: validate  ## validate, lint and run the fast tests (seconds; no browser)
	@$(call lint_beside,-q -n auto --dist loadgroup -m "not browser and not build")

test-fast: install  ## only the fast tests (what `make check` runs after validate and lint)
	$(PYTEST) -q -n auto --dist loadgroup -m "not browser and not build"

# One pytest worker per core (pytest-xdist): the browser and site-build tests wait on
# Chromium, MkDocs and Java, and two cores finish them in little more than half the time.
# worksteal: an idle worker takes tests queued for the other (conftest runs the slow first).
# On a fresh machine the Python and the Debian packages download at the same time.
test:  ## install everything and run every test
	@$(MAKE) --no-print-directory -j2 --output-sync=line install system-deps
	@$(call lint_beside,-n auto --dist worksteal)

benchmark: install  ## print build-time figures for synthetic knowledge bases
	$(BIN)/python scripts/benchmark.py

node_modules/.package-lock.json: package.json package-lock.json
	npm install --no-audit --no-fund  # not `npm ci`: a lighthouse dependency asks for "latest"

lighthouse: build node_modules/.package-lock.json  ## print Lighthouse scores of the main page types
	$(BIN)/python scripts/lighthouse.py

# The pages photographed are listed at the top of scripts/screenshots.py.
screenshots: build system-deps  ## refresh the README's screenshots (docs/assets/screenshots) from the real build
	$(BIN)/python scripts/screenshots.py --site $(SITE)

clean:
	rm -rf $(SITE) .$(SITE).kbsite-new .$(SITE).kbsite-old $(VENV)
