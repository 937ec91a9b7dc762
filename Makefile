# Developer commands for the after_sales_service Odoo 19.0 add-on.
# Scripts live in tools/; everything local (databases state, logs, odoo.conf,
# private PostgreSQL) goes to .local/, the virtualenv to .venv/.

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

# Overridable: make run DB=mydb HTTP_PORT=8070, or as environment variables.
# Empty means the default of tools/lib.sh:
#   ODOO_SRC   ~/.cache/odoo/19.0         VENV     <repo>/.venv
#   MODULE_DIR <repo>/after_sales_service PG_MODE  auto (or private, pgserver)
DB         ?= after_sales_demo
HTTP_PORT  ?= 8069
ODOO_SRC   ?=
VENV       ?=
MODULE_DIR ?=
PG_MODE    ?=

export DB HTTP_PORT ODOO_SRC VENV MODULE_DIR PG_MODE

TOOLS := $(ROOT)/tools

.DEFAULT_GOAL := help
.PHONY: help setup run test upgrade-test odoo-tests lint fix bench loadtest i18n pg-stop clean-db clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' "$(ROOT)/Makefile" | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'
	@echo "  variables: DB=$(DB) HTTP_PORT=$(HTTP_PORT) ODOO_SRC=... VENV=... ODOO_ARGS=... (run)"
	@echo "             PYTEST_ARGS=... (test) KEEP_DB=1 PGHOST/PGPORT/PGUSER PG_MODE=private"

setup: ## venv, Odoo tree, chromium, PostgreSQL, .local/odoo.conf
	@bash "$(TOOLS)/setup.sh"

run: ## set up, install/upgrade the module in DB (with demo data), serve on 127.0.0.1:HTTP_PORT
	@bash "$(TOOLS)/run.sh"

test: ## whole test suite (incl. HttpCase tours) in a throwaway database
	@bash "$(TOOLS)/test.sh"

upgrade-test: ## install the previous release with demo data, upgrade, check every record kept
	@bash "$(TOOLS)/upgrade_test.sh"

odoo-tests: ## Odoo's post-install tests of the apps we extend, with and without our modules
	@bash "$(TOOLS)/odoo_tests.sh"

lint: ## ruff check, ruff format --check, pylint-odoo
	@bash "$(TOOLS)/lint.sh"

fix: ## apply ruff's fixes and formatting
	@bash "$(TOOLS)/lint.sh" --fix

i18n: ## export i18n/<module>.pot, merge into nl.po, count untranslated terms
	@bash "$(TOOLS)/i18n.sh"

bench: ## tools/bench.py against a throwaway database
	@bash "$(TOOLS)/bench.sh"

loadtest: ## 20 users for 60 s over JSON-RPC against a server with 2 workers
	@bash "$(TOOLS)/loadtest.sh"

pg-stop: ## stop the private PostgreSQL under .local/ (if one was started)
	@bash "$(TOOLS)/pg-stop.sh"

clean-db: ## drop DB and forget its state (next make run reinstalls)
	@bash "$(TOOLS)/pg-stop.sh" --drop-db

clean: ## remove caches (keeps .venv and .local)
	find "$(ROOT)" -path "$(ROOT)/.venv" -prune -o -path "$(ROOT)/.local" -prune -o \
	  \( -name __pycache__ -o -name .pytest_cache -o -name .ruff_cache \) -type d -print0 | \
	  xargs -0 -r rm -rf
