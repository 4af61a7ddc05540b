#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_version_rollback
short_description: Roll an EKS control plane back to the previous minor version, within AWS's 7-day window
version_added: 0.3.0
description:
  - EKS rolls a control plane back with C(UpdateClusterVersion) to the previous minor version (an
    update of type C(VersionRollback)), within 7 days of an in-place upgrade, while etcd data and
    workloads stay (EKS user guide, "Roll back a cluster to a previous Kubernetes version").
  - Before asking, the module refuses, naming the cause - no successful in-place upgrade to the
    running version in the cluster's update history (C(ListUpdates), C(DescribeUpdate)), the 7-day
    window over (its end is returned), a managed node group already on the running version (nodes
    may not be newer than the control plane, and EKS cannot roll a node group back), a
    C(ROLLBACK_READINESS) insight in ERROR that O(accepted_insights) does not name.
  - Then it asks for the rollback and waits until the update is Successful or Failed and the
    cluster ACTIVE again. A cluster already on the previous version is nothing to do.
author:
  - docc.platform maintainers (@docc-platform)
options:
  cluster_name:
    description: The EKS cluster.
    type: str
    required: true
  accepted_insights:
    description: Ids or names of rollback readiness insights in ERROR the user accepts (the rollback is then forced).
    type: list
    elements: str
    default: []
  timeout_minutes:
    description: C(rollbackConfig.timeoutMinutes) - EKS cancels the rollback after this (120 to 10080).
    type: int
    default: 720
  wait_timeout:
    description: Seconds to wait for the rollback to finish.
    type: int
    default: 3600
  previous_version:
    description:
      - The version to return to when the control plane already runs it (a second run); the module then
        reports nothing to do. Without it the previous minor of the running version is the target.
    type: str
extends_documentation_fragment:
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Reads and judges; asks for nothing.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: With O(previous_version), a control plane already on it is left alone.
"""

EXAMPLES = r"""
- name: Roll the control plane back
  docc.platform.eks_version_rollback:
    cluster_name: docc
    previous_version: "1.35"
"""

RETURN = r"""
current_version:
  description: The control plane's version before the module ran.
  returned: always
  type: str
  sample: "1.36"
target_version:
  description: The version rolled back to.
  returned: always
  type: str
  sample: "1.35"
deadline:
  description: When the 7-day rollback window ends (ISO 8601), when an in-place upgrade was found.
  returned: always
  type: str
  sample: "2026-12-11T09:30:00+00:00"
update_id:
  description: The rollback's EKS update id.
  returned: when changed and not in check mode
  type: str
  sample: 9d5f1c2a-0000-4000-8000-000000000000
insights:
  description: The cluster's rollback readiness insights, described.
  returned: always
  type: list
  elements: dict
  sample: []
reason:
  description: On a refusal, C(refused).
  returned: on failure
  type: str
  sample: refused
"""

import datetime

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _eks_upgrade, _waiter


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def wait_for(eks, cluster, update_id, timeout, clock=None):
    """None once the rollback succeeded and the cluster is ACTIVE, else why not (failed, or timed out)."""
    failed = []

    def check():
        update = eks.describe_update(name=cluster, updateId=update_id, aws_retry=True)["update"]
        status = update.get("status")
        if status in ("Failed", "Cancelled"):
            failed.append("; ".join("%s: %s" % (e.get("errorCode"), e.get("errorMessage"))
                                    for e in update.get("errors", [])) or "no error detail")
            return True, status
        state = eks.describe_cluster(name=cluster, aws_retry=True)["cluster"].get("status")
        return (status == "Successful" and state == "ACTIVE"), "update %s %s, cluster %s" % (update_id, status, state)

    done, observed, _polls, elapsed = _waiter.poll(check, timeout, initial=15.0, cap=60.0, clock=clock)
    if failed:
        return "the rollback (update %s) ended %s: %s" % (update_id, observed, failed[0])
    if not done:
        return "the rollback (update %s) did not finish in %d s; last seen: %s" % (update_id, elapsed, observed)
    return None


def run(module, now):
    p = module.params
    eks = _aws.client(module, "eks")
    cluster = eks.describe_cluster(name=p["cluster_name"], aws_retry=True)["cluster"]
    current = cluster["version"]
    result = dict(changed=False, current_version=current, insights=[], deadline=None)
    if p["previous_version"] and _eks_upgrade.minor(current) == _eks_upgrade.minor(p["previous_version"]):
        result["target_version"] = current
        return result
    target = _eks_upgrade.previous_minor(current)
    result["target_version"] = target
    try:
        updates = _eks_upgrade.read_updates(eks, p["cluster_name"])
    except botocore.exceptions.ClientError as exc:
        if not _aws.is_not_implemented(exc):
            raise
        module.fail_json(msg="Cannot roll %s back here: the EKS API at %s does not implement ListUpdates and "
                             "UpdateClusterVersion (%s), so neither the upgrade's date nor a rollback can be asked"
                         % (p["cluster_name"], _aws.endpoint_of(eks), _aws.error_code(exc) or "not implemented"),
                         reason="refused", **result)
    upgrade = _eks_upgrade.last_version_update(updates, current)
    nodegroups = _eks_upgrade.read_nodegroups(eks, p["cluster_name"])
    insights, reason = _eks_upgrade.read_insights(eks, p["cluster_name"], "ROLLBACK_READINESS")
    if insights is None:
        module.fail_json(msg="Cannot judge the rollback of %s: %s, and rollback readiness lives there" % (
            p["cluster_name"], reason), reason="refused", **result)
    result["insights"] = insights
    deadline, problems = _eks_upgrade.rollback_problems(current, upgrade, nodegroups, insights,
                                                        p["accepted_insights"], now)
    result["deadline"] = deadline.isoformat() if deadline else None
    if problems:
        module.fail_json(msg="Refusing to roll %s back from %s to %s: %s" % (
            p["cluster_name"], current, target, "; ".join(problems)), reason="refused", problems=problems, **result)
    result["changed"] = True
    if module.check_mode:
        return result
    forced = any(i["status"] == "ERROR" for i in insights)
    update = eks.update_cluster_version(name=p["cluster_name"], version=target, force=forced,
                                        rollbackConfig={"timeoutMinutes": p["timeout_minutes"]})["update"]
    result["update_id"] = update["id"]
    problem = wait_for(eks, p["cluster_name"], update["id"], p["wait_timeout"])
    if problem:
        module.fail_json(msg=problem, **result)
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster_name=dict(type="str", required=True),
            accepted_insights=dict(type="list", elements="str", default=[]),
            timeout_minutes=dict(type="int", default=720),
            wait_timeout=dict(type="int", default=3600),
            previous_version=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    if not 120 <= module.params["timeout_minutes"] <= 10080:
        module.fail_json(msg="timeout_minutes is %d: EKS takes 120 to 10080 (rollbackConfig.timeoutMinutes)"
                             % module.params["timeout_minutes"])
    try:
        result = run(module, now())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="Rolling back %s failed" % module.params["cluster_name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
