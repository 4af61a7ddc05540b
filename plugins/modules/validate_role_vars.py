#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The work happens on the controller in plugins/action/validate_role_vars.py; this file
# carries the documentation.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: validate_role_vars
short_description: Check the variables of docc.platform roles before anything changes, one line per problem
version_added: 0.2.0
description:
  - Validates the variables set for each role in O(roles) against the role's
    C(meta/argument_specs.yml), strictly. A list must be a list (not a string Ansible would split),
    its elements must have the declared type (no nested lists where strings are expected), a
    dict must be a dict, and an int must be an int or a string of digits.
  - Reports every variable that starts with a role's prefix but that the role neither takes nor
    exports, with the closest known name (C(unknown variable, did you mean ...)).
  - Fails with one line per problem naming the variable, instead of the argument spec dump of
    Ansible's own role argument validation. Run it at the start of a playbook, so bad input in
    any stage fails before the first stage changes anything.
  - Then runs each role's value rules (C(plugins/plugin_utils/role_rules/<role>.py)) - ranges,
    formats, cross-field rules, names derived from other names and their AWS limits - on the values
    the play sees (role defaults included, inside the role). O(phase) chooses which.
  - Runs on the controller; it reads the roles from this collection.
author:
  - docc.platform maintainers (@docc-platform)
options:
  roles:
    description: Names of this collection's roles whose variables to check.
    type: list
    elements: str
    required: true
  phase:
    description:
      - C(names) checks the names and types of the variables set for the run.
      - C(input) adds the rules on what the user wrote (C(site.yml)'s first play then lists the roles in
        C(docc_inputs_checked), so a stage does not check them again).
      - C(stage) runs only the rules that need an earlier stage's outputs; C(all) runs everything.
    type: str
    choices: [names, input, stage, all]
    default: all
extends_documentation_fragment:
  - docc.platform.attributes
attributes:
  check_mode:
    support: full
    details: It only reads.
  diff_mode:
    support: none
  idempotent:
    support: full
  action:
    description: Runs on the controller as an action plugin.
    support: full
"""

EXAMPLES = r"""
- name: Every stage's input, before any stage runs
  docc.platform.validate_role_vars:
    roles: [eks_cluster, container_image, dns_record]
"""

RETURN = r"""
checked:
  description: Variables checked, per role.
  returned: always
  type: dict
  sample: {"eks_cluster": ["eks_cluster_name", "eks_cluster_region"]}
problems:
  description: One line per problem.
  returned: on failure
  type: list
  elements: str
  sample: ["eks_cluster_nodes_min: unknown variable of role eks_cluster; did you mean eks_cluster_node_min_size?"]
"""
