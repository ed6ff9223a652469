# The two commands a new user needs: `make dev` starts everything, `make test` checks everything.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: setup dev test lint typecheck pytest seed bench bench-scale translations clean system-packages-dev \
	system-packages-test

# Bytecode is compiled once here, as the image does (deploy/Dockerfile): where Python may not
# write it (PYTHONDONTWRITEBYTECODE, read-only trees), every process started would otherwise
# compile each module it imports, some 3 s of CPU for a service (docs/operations.md).
setup:  ## install uv if missing, then the locked workspace, its bytecode compiled
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run python -m compileall -q -j 0 shared/src devtools/src services/*/src > /dev/null

# What Debian must provide (fonts, chromium): installed when run as root, else the exact
# apt-get line, before anything long runs. .ci/run calls the same script with `ci`.
system-packages-dev system-packages-test:
	@devtools/system-packages.sh $(@:system-packages-%=%)

dev: system-packages-dev setup  ## broker, mail catcher, four APIs (identity too), relays and consumers; Ctrl-C stops all
	@$(UV) run kakehashi dev

seed: setup  ## demo organisations and users at identity, then the demo market, into a running system
	$(UV) run kakehashi seed

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports

# Test folders repeat module names (conftest, test_api), so mypy checks each one on its own.
TYPED_TESTS := shared/tests devtools/tests tests services/candidates/tests services/employers/tests services/matching/tests services/identity/tests
typecheck: setup
	$(UV) run mypy
	@for folder in $(TYPED_TESTS); do echo "mypy $$folder"; $(UV) run mypy $$folder || exit 1; done

pytest: setup
	$(UV) run pytest

test: system-packages-test lint typecheck pytest  ## ruff, mypy, then unit, integration and end-to-end tests

bench: setup  ## registration -> match list latency through the broker; the matching engine at scale
	$(UV) run python bench/slice_latency.py
	$(UV) run python bench/matching_engine.py
	$(UV) run python bench/allocation.py
	$(UV) run python bench/matching_service.py
	$(UV) run python bench/console_pages.py
	$(UV) run python bench/matching_quality.py
	$(UV) run python bench/write_load.py --duration 15

bench-scale: setup  ## issue 17's scale table in one run (about 20 minutes on 2 cores): each figure beside its target
	$(UV) run python bench/scale.py

CONSOLE_LOCALES := src/kakehashi/matching/entrypoints/console/locales
IDENTITY_LOCALES := src/kakehashi/identity/entrypoints/pages/locales
EMPLOYER_PORTAL_LOCALES := src/kakehashi/employers/entrypoints/portal/locales
PORTAL_LOCALES := src/kakehashi/candidates/entrypoints/portal/locales
KIT_LOCALES := src/kakehashi/shared/ui/locales
translations: setup  ## re-extract the pages' messages (console, both portals, identity, UI kit) into their vi and ja catalogs
	cd services/matching && $(UV) run pybabel extract -F babel.cfg -k N_ -k Reason -k CountedReason:1,2 \
		--no-location --omit-header -o messages.pot . \
		&& $(UV) run pybabel update -i messages.pot -d $(CONSOLE_LOCALES) \
		--ignore-obsolete && rm messages.pot
	cd services/candidates && $(UV) run pybabel extract -F babel.cfg -k N_ \
		--no-location --omit-header -o messages.pot . \
		&& $(UV) run pybabel update -i messages.pot -d $(PORTAL_LOCALES) \
		--ignore-obsolete && rm messages.pot
	cd services/identity && $(UV) run pybabel extract -F babel.cfg -k N_ \
		--no-location --omit-header -o messages.pot . \
		&& $(UV) run pybabel update -i messages.pot -d $(IDENTITY_LOCALES) \
		--ignore-obsolete && rm messages.pot
	cd services/employers && $(UV) run pybabel extract -F babel.cfg -k N_ \
		--no-location --omit-header -o messages.pot . \
		&& $(UV) run pybabel update -i messages.pot -d $(EMPLOYER_PORTAL_LOCALES) \
		--ignore-obsolete && rm messages.pot
	cd shared && $(UV) run pybabel extract -F babel.cfg -k N_ \
		--no-location --omit-header -o messages.pot . \
		&& $(UV) run pybabel update -i messages.pot -d $(KIT_LOCALES) \
		--ignore-obsolete && rm messages.pot

clean:
	rm -rf var test-artifacts .pytest_cache .mypy_cache .ruff_cache
