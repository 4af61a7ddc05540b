#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: git_revision_info
short_description: Report the last commit that touched a directory, its time, and local changes
version_added: 0.1.0
description:
  - Reads the last commit that changed O(path) (C(git log -1 -- PATH)), its commit time as
    a Unix epoch (a reproducible C(SOURCE_DATE_EPOCH)) and whether the directory has
    uncommitted changes.
  - Outside a git work tree, or without git, it reports C(found=false) and does not fail.
    An installed collection has no git metadata.
author:
  - docc.platform maintainers (@docc-platform)
options:
  path:
    description: Directory inside a git work tree.
    type: path
    required: true
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
"""

EXAMPLES = r"""
- name: Which commit are the sample's sources at?
  docc.platform.git_revision_info:
    path: "{{ playbook_dir }}/../sample"
  register: __src
"""

RETURN = r"""
found:
  description: Whether O(path) is in a git work tree with at least one commit touching it.
  returned: always
  type: bool
  sample: true
revision:
  description: Full commit id. It is C(unknown) when RV(found) is false.
  returned: always
  type: str
  sample: 2842716d0c6bd6a1e3b8f1bb9c6a2f0f4b8b1e2a
commit_epoch:
  description: Commit time, seconds since the epoch. It is C(0) when RV(found) is false.
  returned: always
  type: int
  sample: 1795650000
dirty:
  description: Whether O(path) has uncommitted changes (tracked or untracked).
  returned: always
  type: bool
  sample: false
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type="path", required=True)), supports_check_mode=True)
    path = module.params["path"]
    result = dict(changed=False, found=False, revision="unknown", commit_epoch=0, dirty=False)
    git = module.get_bin_path("git")
    if git is None:
        module.exit_json(**result)
    rc, out, dummy = module.run_command([git, "-C", path, "log", "-1", "--format=%H %ct", "--", "."])
    fields = out.split()
    if rc != 0 or len(fields) != 2:
        module.exit_json(**result)
    rc, status, err = module.run_command([git, "-C", path, "status", "--porcelain", "--", "."])
    if rc != 0:
        module.fail_json(msg="git status in %s failed: %s. Is the work tree readable?" % (path, err.strip()))
    result.update(found=True, revision=fields[0], commit_epoch=int(fields[1]), dirty=bool(status.strip()))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
