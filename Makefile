# docc.platform: one entry point for set-up, tests and the local demo.
#   make setup     install everything (idempotent; apt via sudo when not root)
#   make test      setup, then every test tier (static, unit, role, e2e, cluster)
#   make demo      setup, start the local engines, run playbooks/site.yml against them
#   make env-up / make env-down    start / stop the local engines
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/.venv/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export TF_CLI_CONFIG_FILE := $(CURDIR)/.cache/terraform.rc
export GOTOOLCHAIN := local
export DOCC_STATE_DIR ?= $(CURDIR)/.cache/docc
export PYTHONDONTWRITEBYTECODE := 1

INVENTORY ?= inventories/local/hosts.yml
TIERS ?= static unit role e2e cluster

.PHONY: help setup test test-static test-unit test-role test-e2e test-cluster demo env-up env-down build clean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

setup:
	@bash tools/setup.sh

test: setup
	@bash tools/test.sh $(TIERS)

test-static test-unit test-role test-e2e test-cluster: setup
	@bash tools/test.sh $(@:test-%=%)

env-up: setup
	ansible-playbook playbooks/local_env.yml -i $(INVENTORY)

env-down:
	ansible-playbook playbooks/local_env.yml -i $(INVENTORY) -e local_env_state=absent

demo: env-up
	ansible-playbook playbooks/site.yml -i $(INVENTORY)
	@echo "demo: site.yml converged on the local engines; 'make env-down' stops them."

build: setup
	ansible-galaxy collection build --force --output-path build/

clean: env-down
	rm -rf build .cache/ansible-tmp tests/output
