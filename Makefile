# SPDX-License-Identifier: GPL-3.0-or-later
# docc.platform: one entry point for set-up, tests and the local demo.
#   make setup       install everything (idempotent; apt via sudo when not root)
#   make test        setup, then every test tier (static, unit, compat, conformance, role, e2e, cluster)
#   make chart-cache fetch the real pinned charts the conformance tier renders through (internet)
#   make demo        setup, start the local engines, run playbooks/site.yml against them
#   make demo-down   tear the demo's platform down, then stop the local engines
#   make site        playbooks/site.yml (TAGS=dns for one stage, ARGS='--check --diff')
#   make teardown    playbooks/teardown.yml (TAGS=... ARGS=...)
#   make env-up / make env-down    start / stop the local engines
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/.venv/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export GOTOOLCHAIN := local
export PYTHONDONTWRITEBYTECODE := 1

INVENTORY ?= inventories/local/hosts.yml
TIERS ?= static unit compat conformance role e2e cluster
TAGS ?=
ARGS ?=
PLAYBOOK_ARGS = -i $(INVENTORY) $(if $(TAGS),--tags $(TAGS)) $(ARGS)

.PHONY: help setup test test-static test-unit test-compat test-conformance test-role test-e2e test-cluster chart-cache demo demo-down site teardown \
        env-up env-down build clean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

setup:
	@bash tools/setup.sh

test: setup
	@bash tools/test.sh $(TIERS)

test-static test-unit test-compat test-conformance test-role test-e2e test-cluster: setup
	@bash tools/test.sh $(@:test-%=%)

chart-cache: setup
	python tools/chart_cache.py

env-up: setup
	ansible-playbook playbooks/local_env.yml -i $(INVENTORY)

env-down:
	ansible-playbook playbooks/local_env.yml -i $(INVENTORY) -e local_env_state=absent

site: setup
	ansible-playbook playbooks/site.yml $(PLAYBOOK_ARGS)

teardown: setup
	ansible-playbook playbooks/teardown.yml $(PLAYBOOK_ARGS)

demo: env-up
	ansible-playbook playbooks/site.yml -i $(INVENTORY)
	@echo "demo: the summary above is also in .cache/docc/summary.json; 'make demo-down' removes everything."

demo-down: setup
	ansible-playbook playbooks/teardown.yml -i $(INVENTORY)
	ansible-playbook playbooks/local_env.yml -i $(INVENTORY) -e local_env_state=absent

build: setup
	ansible-galaxy collection build --force --output-path build/

clean: env-down
	rm -rf build .cache/ansible-tmp tests/output
