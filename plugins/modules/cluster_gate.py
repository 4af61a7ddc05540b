#!/usr/bin/python
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
  - The EKS stages are C(control_plane) (ACTIVE, no health issues), C(nodegroups) (every
    managed node group ACTIVE with no issues) and C(authorized) (an access entry exists
    for the caller; assumed-role ARNs count as their role).
  - The Kubernetes stages are C(readyz) (C(/readyz) answers 200), C(nodes) (at least
    O(min_nodes) Ready) and C(system_workloads) (kube-system Deployments and DaemonSets
    available).
  - Waits use capped exponential backoff with jitter inside one total O(timeout).
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
    description: EKS cluster name. It enables the EKS stages and the in-process EKS token.
    type: str
  kubernetes:
    description: How to reach the Kubernetes API.
    type: dict
    default: {}
    suboptions:
      mode:
        description:
          - C(eks_token) uses the endpoint and CA from DescribeCluster and a minted token.
          - C(kubeconfig) uses O(kubernetes.kubeconfig), and C(token) uses O(kubernetes.host)
            and O(kubernetes.api_key).
          - C(skip) reports the Kubernetes stages as skipped with O(kubernetes.skip_reason).
          - The default is C(eks_token) with O(cluster_name), otherwise C(kubeconfig).
        type: str
        choices: [eks_token, kubeconfig, token, skip]
      kubeconfig:
        description: Path of a kubeconfig (client certificates or tokens; exec plugins are not run).
        type: path
      context:
        description: kubeconfig context; the current context by default.
        type: str
      host:
        description: API server URL for O(kubernetes.mode=token).
        type: str
      api_key:
        description: Bearer token for O(kubernetes.mode=token).
        type: str
      ca_cert:
        description: CA bundle file for O(kubernetes.mode=token).
        type: path
      skip_reason:
        description: Why the Kubernetes stages cannot run here (O(kubernetes.mode=skip)).
        type: str
        default: no reachable Kubernetes API in this environment
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
  initial_interval:
    description: First wait between polls, in seconds. Later waits double, with jitter, up to O(max_interval).
    type: float
    default: 2.0
  max_interval:
    description: Longest wait between polls, in seconds.
    type: float
    default: 30.0
extends_documentation_fragment:
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
api_calls:
  description: Kubernetes API requests made.
  returned: always
  type: int
  sample: 4
"""

import base64
import os

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _cluster_gate, _eks_auth, _k8s
from ansible_collections.docc.platform.plugins.module_utils._arn import principal_arn
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate, failure_message


def _kubernetes_client(params, eks, sts, cleanup):
    k = params["kubernetes"]
    mode = k.get("mode") or ("eks_token" if params["cluster_name"] else "kubeconfig")
    if mode == "skip":
        return None, mode
    if mode == "eks_token":
        cluster = eks.describe_cluster(name=params["cluster_name"])["cluster"]
        ca = base64.b64decode(cluster["certificateAuthority"]["data"]).decode("utf-8", "replace")
        return _k8s.Client(cluster["endpoint"], ca_data=ca, cleanup=cleanup,
                           token_source=lambda: _eks_auth.mint_token(sts, params["cluster_name"])), mode
    # token (host + api_key) or kubeconfig
    return _k8s.from_options(k if mode == "token" else dict(k, host=None), cleanup), mode


def run(module):
    p = module.params
    gate = Gate(p["timeout"], p["initial_interval"], p["max_interval"])
    result = dict(changed=False, stages=gate.stages, api_calls=0)
    eks = sts = None
    mode_name = None
    if p["cluster_name"]:
        eks = _aws.client(module, "eks")
        sts = _aws.client(module, "sts")
        caller = sts.get_caller_identity()["Arn"]
        result["caller_arn"] = caller
        name = p["cluster_name"]
        checks = [
            ("control_plane", _cluster_gate.control_plane(eks, name), "status ACTIVE with no health issues",
             "Look at the cluster's health issues in the EKS console or DescribeCluster; Terraform may still be "
             "creating it."),
            ("nodegroups", _cluster_gate.nodegroups(eks, name), "every managed node group ACTIVE with no issues",
             "Node groups that never join usually lack a route to the API (NAT), the node role policies, or "
             "capacity; the issue code above names which."),
            ("authorized", _cluster_gate.authorized(eks, name, principal_arn(caller)),
             "an access entry for %s" % principal_arn(caller),
             "Add an access entry and an access policy for the caller (eks_cluster_admin_principal_arn)."),
        ]
        for stage_name, check, expected, hint in checks:
            record = gate.stage(stage_name, check, expected, hint)
            if not (record["ok"] or record["skipped"]):
                return result, record
        mode_name = eks.describe_cluster(name=name)["cluster"].get("accessConfig", {}).get("authenticationMode")
    cleanup = []
    try:
        api, mode = _kubernetes_client(p, eks, sts, cleanup)
        k8s_checks = [
            ("readyz", lambda: _cluster_gate.readyz(api), "GET /readyz answers 200",
             "The API endpoint is not reachable from here (private endpoint, allowlist) or still starting."),
            ("nodes", lambda: _cluster_gate.nodes(api, p["min_nodes"]), "at least %d Ready node(s)" % p["min_nodes"],
             "Nodes that register but stay NotReady usually wait for the CNI (aws-node) or lack IP addresses."),
            ("system_workloads", lambda: _cluster_gate.workloads(api, p["system_namespace"], p["system_workloads"]),
             "available: " + ", ".join("%s/%s" % (w["kind"], w["name"]) for w in p["system_workloads"]),
             "Look at the kube-system pods' events; add-ons may still be installing."),
        ]
        for stage_name, make_check, expected, hint in k8s_checks:
            if api is None:
                gate.stages.append(dict(name=stage_name, ok=False, skipped=True, expected=expected, hint=None,
                                        observed="skipped: %s" % p["kubernetes"]["skip_reason"], elapsed_s=0.0,
                                        polls=0))
                continue
            record = gate.stage(stage_name, make_check(), expected, hint)
            if stage_name == "readyz" and not record["ok"] and " -> 401" in (record["observed"] or ""):
                record["hint"] = _cluster_gate.unauthorized_hint(result.get("caller_arn", "the caller"),
                                                                 mode_name or "not EKS (%s credentials)" % mode)
            if not (record["ok"] or record["skipped"]):
                result["api_calls"] = api.requests
                return result, record
        result["api_calls"] = api.requests if api else 0
    finally:
        for path in cleanup:
            os.unlink(path)
    return result, None


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster_name=dict(type="str"),
            kubernetes=dict(type="dict", default={}, options=dict(
                mode=dict(type="str", choices=["eks_token", "kubeconfig", "token", "skip"]),
                kubeconfig=dict(type="path"),
                context=dict(type="str"),
                host=dict(type="str"),
                api_key=dict(type="str", no_log=True),
                ca_cert=dict(type="path"),
                skip_reason=dict(type="str", default="no reachable Kubernetes API in this environment"),
            ), required_if=[("mode", "token", ["host", "api_key"])]),
            min_nodes=dict(type="int", default=1),
            system_namespace=dict(type="str", default="kube-system"),
            system_workloads=dict(type="list", elements="dict", default=[
                {"kind": "Deployment", "name": "coredns"},
                {"kind": "DaemonSet", "name": "kube-proxy"},
                {"kind": "DaemonSet", "name": "aws-node"},
            ]),
            timeout=dict(type="int", default=900),
            initial_interval=dict(type="float", default=2.0),
            max_interval=dict(type="float", default=30.0),
        ),
        supports_check_mode=True,
    )
    for item in module.params["system_workloads"]:
        if item.get("kind") not in ("Deployment", "DaemonSet") or not item.get("name"):
            module.fail_json(msg="system_workloads entries need kind Deployment or DaemonSet and a name; got %r" % item)
    try:
        result, failed = run(module)
    except _k8s.K8sError as exc:
        module.fail_json(msg="cluster gate: %s" % exc)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="cluster gate: an AWS call failed")
    if failed:
        module.fail_json(msg=failure_message("cluster gate", failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
