#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_footprint
short_description: Record what a local engine may change on the host, and put it back
version_added: 0.2.0
description:
  - Some engines change their host even when confined to a state directory. A kubelet sets kernel
    sysctls (C(vm.overcommit_memory), C(kernel.panic), C(kernel.panic_on_oops), key limits), makes
    C(/var/lib/kubelet/device-plugins), cgroups, a CNI bridge and mounts.
  - With O(state=present) it records, once, the values of O(sysctls) and which of O(paths) exist,
    in O(record) (mode 0600), and creates the cgroup O(cgroup_parent) in every cgroup v1 hierarchy
    (cpuset inherits its parent's CPUs and memory nodes). A record that exists is kept, so a second
    start cannot forget the original values.
  - With O(state=absent) it puts the host back from the record - it kills every process left in
    O(cgroup_parent) and every process whose command line names one of O(mount_roots) (container
    shims), unmounts everything mounted under O(mount_roots), deletes the network interfaces in
    O(links), removes O(cgroup_parent), restores the sysctls that changed and removes the paths in
    O(paths) that did not exist before - then deletes the record.
author:
  - docc.platform maintainers (@docc-platform)
options:
  record:
    description: File that keeps what the host looked like before.
    type: path
    required: true
  state:
    description: C(present) records; C(absent) restores.
    type: str
    choices: [present, absent]
    default: present
  sysctls:
    description: Kernel parameters to record and restore, for example C(vm.overcommit_memory).
    type: list
    elements: str
    default: []
  paths:
    description: Host paths an engine may create; removed on restore when they did not exist before.
    type: list
    elements: path
    default: []
  mount_roots:
    description: Directories (the engine's state) whose mounts and processes are ours.
    type: list
    elements: path
    default: []
  links:
    description: Network interfaces the engine creates (a CNI bridge), deleted on restore.
    type: list
    elements: str
    default: []
  cgroup_parent:
    description: Cgroup under which the engine puts its workloads (without the hierarchy mount point).
    type: str
  cgroup_root:
    description: Where the cgroup v1 hierarchies are mounted.
    type: path
    default: /sys/fs/cgroup
extends_documentation_fragment:
  - docc.platform.attributes
attributes:
  check_mode:
    support: full
    details: Reports what it would record or restore, and changes nothing.
  diff_mode:
    support: full
    details: The sysctls, paths, interfaces and mounts before and after.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Record the host before the kubelet starts
  docc.platform.host_footprint:
    record: "{{ docc_state_dir }}/kubernetes/host-before.json"
    sysctls: [vm.overcommit_memory, kernel.panic, kernel.panic_on_oops]
    paths: [/var/lib/kubelet]
    cgroup_parent: docc

- name: Put the host back after the node stopped
  docc.platform.host_footprint:
    record: "{{ docc_state_dir }}/kubernetes/host-before.json"
    mount_roots: ["{{ docc_state_dir }}/kubernetes"]
    links: [docc0]
    cgroup_parent: docc
    state: absent
"""

RETURN = r"""
recorded:
  description: What the record holds (sysctl values, which paths existed).
  returned: always
  type: dict
  sample: {"sysctls": {"vm.overcommit_memory": "0"}, "paths": {"/var/lib/kubelet": false}}
restored:
  description: What was put back (sysctls, removed paths, unmounted mounts, deleted links, killed PIDs).
  returned: when O(state=absent)
  type: dict
  sample: {"sysctls": {"vm.overcommit_memory": "1 -> 0"}, "unmounted": ["/var/lib/docc/kubernetes/kubelet"]}
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.docc.platform.plugins.module_utils import _host
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error


def run(module):
    p = module.params
    record = _host.read_record(p["record"])
    result = dict(changed=False, recorded=record or {})
    if p["state"] == "present":
        cgroups = _host.missing_cgroups(p["cgroup_root"], p["cgroup_parent"]) if p["cgroup_parent"] else []
        if record is None or cgroups:
            result["changed"] = True
            if record is None:
                record = _host.snapshot(p["sysctls"], p["paths"])
                result["recorded"] = record
            if not module.check_mode:
                _host.write_record(p["record"], record)
                _host.make_cgroups(p["cgroup_root"], p["cgroup_parent"])
        return result
    plan = _host.restore_plan(record, p["mount_roots"], p["links"], p["cgroup_root"], p["cgroup_parent"])
    result["restored"] = plan
    result["changed"] = any(plan.values()) or record is not None
    if module._diff:
        result["diff"] = {"before": json.dumps(plan, indent=2, sort_keys=True) + "\n", "after": "{}\n"}
    if result["changed"] and not module.check_mode:
        result["restored"] = _host.restore(module.run_command, record, p["mount_roots"], p["links"], p["cgroup_root"],
                                           p["cgroup_parent"])
        if os.path.exists(p["record"]):
            os.unlink(p["record"])
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            record=dict(type="path", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            sysctls=dict(type="list", elements="str", default=[]),
            paths=dict(type="list", elements="path", default=[]),
            mount_roots=dict(type="list", elements="path", default=[]),
            links=dict(type="list", elements="str", default=[]),
            cgroup_parent=dict(type="str"),
            cgroup_root=dict(type="path", default="/sys/fs/cgroup"),
        ),
        supports_check_mode=True,
    )
    if module.params["cgroup_parent"] and not _host.valid_cgroup_name(module.params["cgroup_parent"]):
        module.fail_json(msg="cgroup_parent %r must be a relative cgroup name such as docc"
                             % module.params["cgroup_parent"])
    with fail_on_error(module, "host_footprint"):
        result = run(module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
