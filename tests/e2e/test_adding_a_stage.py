# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/adding-a-stage.md, followed once: the smallest stage (a role with a Terraform module and
two includes of the stage lifecycle) applies, exports its outputs, changes nothing the second
time, follows a change, and tears down, on the local engines (its orphan check asks the
emulator)."""

from __future__ import annotations

import json
import os

from tests.playbook_runner import INVENTORY, ansible_playbook, state_dir


def hello(*args):
    # The role sits in roles/ beside the playbook, where Ansible (and ansible-lint) look first.
    return ansible_playbook("tests/e2e/playbooks/hello_stage.yml", "-i", INVENTORY, *args)


def outputs():
    path = os.path.join(state_dir(), "outputs", "hello_stage.json")
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def test_the_smallest_stage_lives_its_whole_lifecycle(engines):
    first = hello()
    assert first.rc == 0 and first.recap["changed"] > 0, first
    assert outputs() == {"hello_stage_greeting": "hello", "hello_stage_length": 5}, outputs()
    again = hello()
    assert again.rc == 0 and again.recap["changed"] == 0, again
    changed = hello("-e", "hello_stage_greeting=bonjour")
    assert changed.rc == 0 and changed.recap["changed"] > 0, changed
    assert outputs()["hello_stage_greeting"] == "bonjour"
    gone = hello("-e", "hello_stage_state=absent")
    assert gone.rc == 0, gone
    assert outputs() is None
    with open(os.path.join(state_dir(), "hello", "terraform.tfstate")) as handle:
        assert json.load(handle)["resources"] == []
