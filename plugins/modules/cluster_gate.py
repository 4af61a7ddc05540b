#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cluster_gate
short_description: Wait until a Kubernetes (EKS) cluster is really usable, stage by stage
version_added: 0.1.0
description:
  - Checks readiness in stages. It stops at the first stage that does not become ready
    and names that stage with what it observed, what it expected and a hint.
  - The EKS stages are C(control_plane) (ACTIVE, no health issues), C(version_support) (where
    the running version stands in the EKS support calendar; it reports, and warns when the
    version is in extended support or leaves standard support within 60 days), C(nodegroups)
    (every managed node group ACTIVE with no issues) and C(authorized) (an access entry exists
    for the caller; a role session counts as its IAM role, whatever the role's path).
  - The Kubernetes stages are C(readyz) (C(/readyz) answers 200), C(nodes) (at least
    O(min_nodes) Ready) and C(system_workloads) (kube-system Deployments and DaemonSets
    available).
  - Waits use capped exponential backoff with jitter inside one total O(timeout). An API that
    does not answer yet is polled again until the deadline; the failure names the stage.
  - A stage that cannot apply here is reported as skipped with its reason, never as
    passed. Examples are an API that lacks access entries, or no reachable Kubernetes API
    (O(kubernetes.mode=skip)).
  - The EKS bearer token is minted in-process from the caller's AWS credentials for each
    run. The module needs no aws CLI and no exec plugin, and the token is never returned.
  - Non-EKS clusters work too. Omit O(cluster_name) and connect through a kubeconfig or
    a host and token.
author:
  - docc.platform maintainers (@docc-platform)
options:
  cluster_name:
    description:
      - EKS cluster name. It enables the EKS stages and is the default O(kubernetes.cluster_name) for
        the in-process EKS token.
    type: str
  min_nodes:
    description: Ready nodes the C(nodes) stage needs.
    type: int
    default: 1
  system_namespace:
    description: Namespace of the system workloads.
    type: str
    default: kube-system
  system_workloads:
    description: Workloads that must be available.
    type: list
    elements: dict
    default:
      - {kind: Deployment, name: coredns}
      - {kind: DaemonSet, name: kube-proxy}
      - {kind: DaemonSet, name: aws-node}
  timeout:
    description: Total seconds for all stages together.
    type: int
    default: 900
extends_documentation_fragment:
  - docc.platform.kubernetes
  - docc.platform.polling
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait until the EKS cluster is usable
  docc.platform.cluster_gate:
    cluster_name: docc
    min_nodes: 2
    timeout: 1200

- name: Gate a non-EKS cluster through a kubeconfig
  docc.platform.cluster_gate:
    kubernetes:
      mode: kubeconfig
      kubeconfig: ~/.kube/config
    min_nodes: 0
    system_workloads: []
"""

RETURN = r"""
stages:
  description: One record per stage, in order, up to the first one that failed.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Stage name.
      type: str
    ok:
      description: Whether the stage became ready.
      type: bool
    skipped:
      description: Whether the stage could not apply (see observed for the reason).
      type: bool
    observed:
      description: What the last poll saw.
      type: str
    expected:
      description: What the stage waits for.
      type: str
    hint:
      description: What to do when the stage fails.
      type: str
    elapsed_s:
      description: Seconds spent in the stage.
      type: float
  sample: [{"name": "control_plane", "ok": true, "skipped": false, "observed": "status ACTIVE, 0 health issue(s)",
            "expected": "status ACTIVE with no health issues", "hint": "...", "elapsed_s": 0.04, "polls": 1}]
caller_arn:
  description: The AWS caller the token was minted for.
  returned: when O(cluster_name) is set
  type: str
  sample: arn:aws:sts::123456789012:assumed-role/Admin/alice
authentication_mode:
  description: The EKS cluster's authentication mode (API, API_AND_CONFIG_MAP, CONFIG_MAP), when the API reports one.
  returned: when O(cluster_name) is set and the EKS stages passed
  type: str
  sample: API
api_calls:
  description: Kubernetes API requests made.
  returned: always
  type: int
  sample: 4
"""

import datetime

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _cluster_gate, _k8s
from ansible_collections.docc.platform.plugins.module_utils._arn import role_arn_without_path
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate, failure_message, polling_argument_spec

_K8S_STAGES = ("readyz", "nodes", "system_workloads")


def _eks_stages(module, gate, result):
    """The AWS-side stages; returns the failed record or None."""
    p = module.params
    name = p["cluster_name"]
    eks = _aws.client(module, "eks")
    sts = _aws.client(module, "sts")
    caller = sts.get_caller_identity(aws_retry=True)["Arn"]
    result["caller_arn"] = caller
    checks = [
        ("control_plane", _cluster_gate.control_plane(eks, name), "status ACTIVE with no health issues",
         "Look at the cluster's health issues in the EKS console or DescribeCluster; Terraform may still be "
         "creating it."),
        ("version_support", _cluster_gate.version_support(eks, name, datetime.date.today(), result),
         "the running version in EKS standard support",
         "Upgrade one minor version at a time before standard support ends."),
        ("nodegroups", _cluster_gate.nodegroups(eks, name), "every managed node group ACTIVE with no issues",
         "Node groups that never join usually lack a route to the API (NAT), the node role policies, or "
         "capacity; the issue code above names which."),
        ("authorized", _cluster_gate.authorized(eks, name, caller),
         "an access entry for %s (any IAM path)" % role_arn_without_path(caller),
         "Add an access entry and an access policy for the caller (the eks_cluster role's "
         "eks_cluster_admin_principal_arn)."),
    ]
    for stage_name, check, expected, hint in checks:
        record = gate.stage(stage_name, check, expected, hint)
        if not (record["ok"] or record["skipped"]):
            return record
    if result.get("version_warning"):
        _aws.warn(module, result["version_warning"])
    mode = eks.describe_cluster(name=name, aws_retry=True)["cluster"].get("accessConfig", {}).get("authenticationMode")
    result["authentication_mode"] = mode
    return None


def _kubernetes_stages(module, gate, result):
    p = module.params
    expected = {
        "readyz": "GET /readyz answers 200",
        "nodes": "at least %d Ready node(s)" % p["min_nodes"],
        "system_workloads": "available: " + ", ".join("%s/%s" % (w["kind"], w["name"]) for w in p["system_workloads"]),
    }
    hints = {
        "readyz": "The API endpoint is not reachable from here (private endpoint, allowlist) or still starting.",
        "nodes": "Nodes that register but stay NotReady usually wait for the CNI (aws-node) or lack IP addresses.",
        "system_workloads": "Look at the kube-system pods' events; add-ons may still be installing.",
    }
    k = p["kubernetes"] or {}
    if _k8s.mode_of(k, p["cluster_name"]) == "skip":
        for name in _K8S_STAGES:
            gate.skip(name, expected[name], _k8s.skip_reason(k))
        return None
    cleanup = []
    try:
        try:
            api = _k8s.connect(k, cleanup, lambda service: _aws.client(module, service), p["cluster_name"])
        except _k8s.K8sError as exc:
            record = dict(name="readyz", ok=False, skipped=False, observed=exc.msg, expected=expected["readyz"],
                          hint="Fix the kubernetes connection options.", elapsed_s=0.0, polls=0)
            gate.stages.append(record)
            return record
        checks = {
            "readyz": _cluster_gate.readyz(api),
            "nodes": _cluster_gate.nodes(api, p["min_nodes"]),
            "system_workloads": _cluster_gate.workloads(api, p["system_namespace"], p["system_workloads"]),
        }
        for name in _K8S_STAGES:
            record = gate.stage(name, checks[name], expected[name], hints[name])
            if record.get("stop_reason") == "unauthorized":
                mode = result.get("authentication_mode") or "not EKS (%s credentials)" % _k8s.mode_of(
                    k, p["cluster_name"])
                record["hint"] = _cluster_gate.unauthorized_hint(result.get("caller_arn", "the caller"), mode)
            if not (record["ok"] or record["skipped"]):
                result["api_calls"] = api.requests
                return record
        result["api_calls"] = api.requests
    finally:
        _k8s.remove_files(cleanup)
    return None


def run(module):
    p = module.params
    gate = Gate(p["timeout"], p["initial_interval"], p["max_interval"])
    result = dict(changed=False, stages=gate.stages, api_calls=0)
    failed = _eks_stages(module, gate, result) if p["cluster_name"] else None
    if failed is None:
        failed = _kubernetes_stages(module, gate, result)
    result.pop("version_warning", None)
    return result, failed


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster_name=dict(type="str"),
            kubernetes=_k8s.CONNECTION_SPEC,
            min_nodes=dict(type="int", default=1),
            system_namespace=dict(type="str", default="kube-system"),
            system_workloads=dict(type="list", elements="dict", default=[
                {"kind": "Deployment", "name": "coredns"},
                {"kind": "DaemonSet", "name": "kube-proxy"},
                {"kind": "DaemonSet", "name": "aws-node"},
            ]),
            timeout=dict(type="int", default=900),
            **polling_argument_spec(),
        ),
        supports_check_mode=True,
    )
    for item in module.params["system_workloads"]:
        if item.get("kind") not in ("Deployment", "DaemonSet") or not item.get("name"):
            module.fail_json(msg="system_workloads entries need kind Deployment or DaemonSet and a name; got %r" % item)
    with fail_on_error(module, "cluster gate"):
        try:
            result, failed = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="cluster gate: an AWS call failed")
    if failed:
        module.fail_json(msg=failure_message("cluster gate", failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
