#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_upgrade_info
short_description: What upgrading an EKS cluster by one minor version needs, and what stands in its way
version_added: 0.3.0
description:
  - Reads the running cluster (C(DescribeCluster)), its managed node groups and EKS add-ons, the
    upgrade insights EKS keeps for O(target_version) (C(ListInsights) with category
    C(UPGRADE_READINESS), then C(DescribeInsight)), and which add-on versions EKS lists as valid for
    both the running and the target minor (C(DescribeAddonVersions)).
  - Returns the problems that refuse the upgrade, each naming its cause - a jump of more than one
    minor version or a downgrade, a node group not on the control plane's version (EKS's
    UpdateClusterVersion rule), an insight that is not PASSING and not accepted in
    O(accepted_insights), an add-on without a version valid for both minors - and the add-on
    versions to run during the upgrade.
  - EKS itself no longer blocks an upgrade on insights, so this gate is the caller's. Where the API
    lacks insights or add-ons (the local AWS emulator), RV(not_checked) says so and nothing is assumed.
  - Reads only; the module never fails on a problem (the caller decides, in its own terms).
author:
  - docc.platform maintainers (@docc-platform)
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  target_version:
    description: The Kubernetes minor version to upgrade to, for example C(1.36).
    type: str
    required: true
  accepted_insights:
    description: Ids or names of insights the user accepts although they are not PASSING.
    type: list
    elements: str
    default: []
  check_addons:
    description: Read the add-ons and their versions (false where the cluster has no EKS add-ons API).
    type: bool
    default: true
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read what the upgrade needs
  docc.platform.eks_upgrade_info:
    cluster_name: docc
    target_version: "1.36"
    accepted_insights: []
  register: __upgrade

- name: Refuse, naming each cause
  ansible.builtin.assert:
    that: __upgrade.problems | length == 0
    fail_msg: "{{ __upgrade.problems | join('; ') }}"
"""

RETURN = r"""
current_version:
  description: The running control plane's Kubernetes version (null when the cluster does not exist).
  returned: always
  type: str
  sample: "1.35"
target_version:
  description: O(target_version).
  returned: always
  type: str
  sample: "1.36"
nodegroups:
  description: Managed node group name to its Kubernetes version.
  returned: always
  type: dict
  sample: {"docc-default": "1.35"}
addons:
  description: EKS add-on name to its running version.
  returned: always
  type: dict
  sample: {"vpc-cni": "v1.19.2-eksbuild.1"}
addon_plan:
  description: Add-on name to the version to run during the upgrade (valid for both minors).
  returned: always
  type: dict
  sample: {"vpc-cni": "v1.20.1-eksbuild.1"}
insights:
  description: The target version's upgrade insights, described.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "a1b2", "name": "Kubelet version skew", "category": "UPGRADE_READINESS", "status": "PASSING",
            "reason": "Node kubelet versions match the cluster control plane version.", "recommendation": "",
            "kubernetes_version": "1.36"}]
problems:
  description: Why the upgrade is refused, one sentence each; empty when it may go ahead.
  returned: always
  type: list
  elements: str
  sample: ["add-on coredns (running v1.11.4-eksbuild.2) has no version that EKS lists as valid for both ..."]
not_checked:
  description: Checks the API could not make here, with the reason.
  returned: always
  type: dict
  sample: {"insights": "the EKS API at http://127.0.0.1:5000 does not implement ListInsights",
           "updates": "the EKS API at http://127.0.0.1:5000 does not implement UpdateClusterVersion and ListUpdates"}
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _eks_upgrade


def _not_implemented(eks, exc, what):
    if _aws.is_not_implemented(exc):
        return "the EKS API at %s does not implement %s (%s)" % (_aws.endpoint_of(eks), what,
                                                                 _aws.error_code(exc) or "not implemented")
    raise exc


def run(module):
    p = module.params
    eks = _aws.client(module, "eks")
    target = p["target_version"]
    result = dict(changed=False, target_version=target, nodegroups={}, addons={}, addon_plan={}, insights=[],
                  problems=[], not_checked={})
    try:
        cluster = eks.describe_cluster(name=p["cluster_name"], aws_retry=True)["cluster"]
    except botocore.exceptions.ClientError as exc:
        if _aws.error_code(exc) != "ResourceNotFoundException":
            raise
        result.update(current_version=None, problems=["cluster %s does not exist: there is nothing to upgrade; "
                                                      "site.yml creates it at the version asked" % p["cluster_name"]])
        return result
    current = cluster.get("version")
    result["current_version"] = current
    try:
        _aws.paginate(eks, "list_updates", name=p["cluster_name"])
    except botocore.exceptions.ClientError as exc:
        result["not_checked"]["updates"] = _not_implemented(eks, exc, "UpdateClusterVersion and ListUpdates")
    problem = _eks_upgrade.jump_problem(current, target)
    if problem:
        result["problems"].append(problem)
    result["nodegroups"] = _eks_upgrade.read_nodegroups(eks, p["cluster_name"])
    result["problems"] += _eks_upgrade.nodegroup_problems(result["nodegroups"], current)
    if _eks_upgrade.minor(current) == _eks_upgrade.minor(target):
        return result  # nothing to upgrade: the caller's steps converge what follows the cluster
    insights, reason = _eks_upgrade.read_insights(eks, p["cluster_name"], "UPGRADE_READINESS", target)
    if insights is None:
        result["not_checked"]["insights"] = reason
    else:
        result["insights"] = insights
        result["problems"] += _eks_upgrade.insight_problems(insights, p["accepted_insights"])
    if p["check_addons"]:
        try:
            result["addons"] = _eks_upgrade.read_addons(eks, p["cluster_name"])
            catalog = _eks_upgrade.read_addon_catalog(eks, sorted(result["addons"]), target)
        except botocore.exceptions.ClientError as exc:
            result["not_checked"]["addons"] = _not_implemented(eks, exc, "the add-on APIs")
        else:
            result["addon_plan"], found = _eks_upgrade.addon_plan(result["addons"], catalog, current, target)
            result["problems"] += found
    else:
        result["not_checked"]["addons"] = "check_addons is false (the cluster has no EKS add-ons)"
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster_name=dict(type="str", required=True),
            target_version=dict(type="str", required=True),
            accepted_insights=dict(type="list", elements="str", default=[]),
            check_addons=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    try:
        _eks_upgrade.minor(module.params["target_version"])
    except ValueError:
        module.fail_json(msg="target_version %r is not a Kubernetes minor version such as 1.36"
                             % module.params["target_version"])
    try:
        result = run(module)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="Reading what the upgrade of %s needs failed" % module.params["cluster_name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
