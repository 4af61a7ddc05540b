#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: stage_outputs
short_description: The stage contract - a stage's outputs, kept for later runs
version_added: 0.2.0
description:
  - Every docc.platform stage exports its results the same way, as flat variables named
    C(<role>_<output>) (for example C(ingress_controller_load_balancer_hostname)), through this
    module. It returns them as RV(outputs) and keeps them in O(path)/C(<stage>.json) (mode
    0600), so a later run of one stage alone (C(--tags dns)) finds the outputs of the stages it
    builds on.
  - The module returns no C(ansible_facts), because ansible-core 2.21 deprecates using facts a module
    returns as top-level variables (removed in 2.24). The stage lifecycle role sets them as
    variables of the play instead (C(docc.platform.stage), C(tasks_from) C(export) and C(load)).
  - O(state=query) reads every stage's saved outputs (run it at the start of a playbook);
    O(state=absent) forgets a stage's outputs (its teardown).
  - Outputs are never named like a role input, so a saved output cannot override what the
    inventory sets.
author:
  - docc.platform maintainers (@docc-platform)
options:
  path:
    description: Directory of the saved outputs.
    type: path
    required: true
  stage:
    description: Role whose outputs these are (its name prefixes every output).
    type: str
  outputs:
    description: The outputs, each named C(<stage>_<output>).
    type: dict
    default: {}
  state:
    description: C(present) saves and sets O(outputs); C(absent) forgets O(stage)'s; C(query) loads all.
    type: str
    choices: [present, absent, query]
    default: present
extends_documentation_fragment:
  - docc.platform.attributes
attributes:
  check_mode:
    support: full
    details: Returns the outputs and writes nothing.
  diff_mode:
    support: full
    details: The saved outputs before and after.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Export the edge for later stages
  docc.platform.stage_outputs:
    path: "{{ docc_state_dir }}/outputs"
    stage: ingress_controller
    outputs:
      ingress_controller_load_balancer_hostname: "{{ __edge.outputs.load_balancer_dns_name }}"

- name: Outputs of earlier runs
  docc.platform.stage_outputs:
    path: "{{ docc_state_dir }}/outputs"
    state: query
"""

RETURN = r"""
outputs:
  description: The stage's outputs (all stages' for O(state=query)).
  returned: always
  type: dict
  sample: {"ingress_controller_load_balancer_hostname": "docc-edge-123.elb.eu-west-1.amazonaws.com"}
stages:
  description: Stages whose saved outputs were found (O(state=query)).
  returned: always
  type: list
  elements: str
  sample: [eks_cluster, container_image]
"""

import json
import os
import re

from ansible.module_utils.basic import AnsibleModule

_STAGE = re.compile(r"^[a-z][a-z0-9_]*$")


def _file(path, stage):
    return os.path.join(path, stage + ".json")


def _read(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            stage=dict(type="str"),
            outputs=dict(type="dict", default={}),
            state=dict(type="str", choices=["present", "absent", "query"], default="present"),
        ),
        required_if=[("state", "present", ["stage"]), ("state", "absent", ["stage"])],
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False, outputs={}, stages=[])
    if p["state"] == "query":
        names = sorted(n[:-5] for n in os.listdir(p["path"]) if n.endswith(".json")) if os.path.isdir(p["path"]) else []
        for stage in names:
            saved = _read(_file(p["path"], stage)) or {}
            result["outputs"].update(saved)
            result["stages"].append(stage)
        module.exit_json(**result)
    stage = p["stage"]
    if not _STAGE.match(stage):
        module.fail_json(msg="stage %r must be a role name (lowercase letters, digits and _)" % stage)
    wrong = sorted(k for k in p["outputs"] if not k.startswith(stage + "_"))
    if wrong:
        module.fail_json(msg="outputs %s do not start with the stage prefix %s_; the stage contract names every "
                             "output <stage>_<output>" % (wrong, stage))
    path = _file(p["path"], stage)
    before = _read(path)
    after = dict(p["outputs"]) if p["state"] == "present" else None
    result["changed"] = before != after
    result["stages"] = [stage]
    if module._diff:
        result["diff"] = {"before": json.dumps(before, indent=2, sort_keys=True) + "\n" if before else "",
                          "after": json.dumps(after, indent=2, sort_keys=True) + "\n" if after else ""}
    if result["changed"] and not module.check_mode:
        if after is None:
            os.unlink(path)
        else:
            os.makedirs(p["path"], mode=0o700, exist_ok=True)
            tmp = path + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(after, handle, indent=2, sort_keys=True)
            os.replace(tmp, path)
    result["outputs"] = after or {}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
