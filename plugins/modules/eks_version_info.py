#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_version_info
short_description: Where an EKS Kubernetes version stands in the support calendar
version_added: 0.2.0
description:
  - Asks EKS (C(DescribeClusterVersions)) which Kubernetes versions exist, their support status and
    their end dates, and assesses O(version) against them.
  - Levels are C(ok), C(warn) (standard support ends within O(warn_days) days), C(extended) (in
    extended support, which costs six times as much per cluster-hour, and O(allow_extended_support)
    is false), C(unsupported) and C(unknown) (not an EKS version).
  - With O(cluster_name), it also reads the running cluster's version and says why moving it to
    O(version) is refused (a downgrade, or a jump of more than one minor version).
  - Where the API lacks C(DescribeClusterVersions) (the local AWS emulator), it assesses O(version)
    against a dated built-in copy of AWS's calendar instead, and RV(source) and RV(reason) say so.
  - The module never fails on the assessment; the caller decides, in its own terms. Level C(warn)
    also prints a warning.
author:
  - docc.platform maintainers (@docc-platform)
options:
  version:
    description: Kubernetes minor version to assess, for example C(1.36).
    type: str
    required: true
  allow_extended_support:
    description: Accept a version in extended support (level C(ok) instead of C(extended)).
    type: bool
    default: false
  warn_days:
    description: Days before the end of standard support from which the level is C(warn).
    type: int
    default: 60
  cluster_name:
    description: EKS cluster whose running version O(version) must be reachable from.
    type: str
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check the version before creating the cluster
  docc.platform.eks_version_info:
    version: "1.36"
    cluster_name: docc
  register: __version

- name: Refuse a version in extended support
  ansible.builtin.assert:
    that: __version.level != 'extended'
    fail_msg: "{{ __version.message }}"
"""

RETURN = r"""
checked:
  description: Whether O(version) was assessed against a calendar (the API's, or the built-in copy).
  returned: always
  type: bool
  sample: true
source:
  description: Which calendar was used.
  returned: always
  type: str
  sample: DescribeClusterVersions at https://eks.eu-west-1.amazonaws.com
reason:
  description: Why the API's calendar could not be read (the built-in copy was used).
  returned: when the built-in calendar was used
  type: str
  sample: the EKS API at http://127.0.0.1:5055 does not implement DescribeClusterVersions (404)
level:
  description: C(ok), C(warn), C(extended), C(unsupported) or C(unknown).
  returned: always
  type: str
  sample: ok
message:
  description: The facts about the version in one sentence.
  returned: always
  type: str
  sample: Kubernetes 1.36 is in EKS standard support until 2027-08-01 (248 days left)
days_left:
  description: Days until the end of standard support, when the version is in it.
  returned: always
  type: int
  sample: 248
supported_versions:
  description: Versions EKS offers in standard or extended support, oldest first.
  returned: always
  type: list
  elements: str
  sample: ["1.33", "1.34", "1.35", "1.36"]
versions:
  description: The calendar, one entry per version.
  returned: always
  type: list
  elements: dict
  sample: [{"version": "1.36", "status": "STANDARD_SUPPORT", "default": true, "release_date": "2026-06-10",
            "end_of_standard_support": "2027-08-10", "end_of_extended_support": "2028-08-10"}]
current_version:
  description: Version of the running cluster O(cluster_name); null when it does not exist.
  returned: when O(cluster_name) is set
  type: str
  sample: "1.35"
step_problem:
  description: Why moving the running cluster to O(version) is refused; null when it is allowed.
  returned: when O(cluster_name) is set
  type: str
  sample: "an upgrade from 1.35 to 1.37 skips a minor version: EKS upgrades one minor version at a time (next: 1.36)"
"""

import datetime

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _eks_versions


def run(module):
    p = module.params
    eks = _aws.client(module, "eks")
    result = dict(changed=False)
    if p["cluster_name"]:
        try:
            current = eks.describe_cluster(name=p["cluster_name"], aws_retry=True)["cluster"].get("version")
        except botocore.exceptions.ClientError as exc:
            if _aws.error_code(exc) != "ResourceNotFoundException":
                raise
            current = None
        result.update(current_version=current, step_problem=_eks_versions.step_problem(current, p["version"]))
    versions, reason = _eks_versions.fetch(eks)
    result.update(checked=True, source="DescribeClusterVersions at %s" % _aws.endpoint_of(eks))
    if versions is None:
        versions = _eks_versions.builtin(datetime.date.today())
        result.update(reason=reason, source="the built-in copy of AWS's EKS calendar of %s, because %s" % (
            _eks_versions.BUILTIN_DATE, reason))
    verdict = _eks_versions.assess(p["version"], versions, datetime.date.today(), p["allow_extended_support"],
                                   p["warn_days"])
    result.update(level=verdict["level"], message=verdict["message"], days_left=verdict["days_left"],
                  supported_versions=verdict["supported_versions"], versions=versions)
    if verdict["level"] == "warn":
        _aws.warn(module, verdict["message"] + "; plan the upgrade to the next minor version")
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            version=dict(type="str", required=True),
            allow_extended_support=dict(type="bool", default=False),
            warn_days=dict(type="int", default=60),
            cluster_name=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    try:
        _eks_versions.minor_key(module.params["version"])
    except ValueError:
        module.fail_json(msg="version %r is not a Kubernetes minor version such as 1.36" % module.params["version"])
    try:
        result = run(module)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="Reading the EKS version calendar failed")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
