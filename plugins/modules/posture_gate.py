#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: posture_gate
short_description: Prove on the live cluster that a workload's hardening is enforced, not only asked for
version_added: 0.2.0
description:
  - Checks in stages with one total O(timeout), like M(docc.platform.cluster_gate).
  - C(admission) - a server-side dry run of a privileged Pod in O(namespace) is rejected by Pod
    Security admission.
  - C(pods) - every Ready pod with O(selector) has no service-account token, runs as O(run_as_user)
    and O(run_as_group) (non-root), with a read-only root filesystem, no privilege escalation, all
    capabilities dropped and the RuntimeDefault seccomp profile, and runs O(image) (pinned by digest,
    the digest the node pulled).
  - C(network_policy) - whether the cluster enforces NetworkPolicy (an enforcing network plugin in
    kube-system, or the VPC CNI's network policy agent on EKS). A cluster that stores NetworkPolicy
    without enforcing it is reported with a warning and a hint, and fails only with
    O(require_network_policy=true).
  - Each finding names what was expected and what was seen.
author:
  - docc.platform maintainers (@docc-platform)
options:
  namespace:
    description: Namespace of the workload.
    type: str
    required: true
  selector:
    description: Labels of the workload's pods.
    type: dict
    required: true
  image:
    description: The image the pods must run (with its digest).
    type: str
  run_as_user:
    description: Numeric user the containers must run as.
    type: int
    required: true
  run_as_group:
    description: Numeric group the containers must run as.
    type: int
    required: true
  require_network_policy:
    description: Fail when the cluster does not enforce NetworkPolicy.
    type: bool
    default: false
  timeout:
    description: Total seconds for all stages (waiting for a Ready pod).
    type: int
    default: 300
  initial_interval:
    description: First wait between polls, in seconds.
    type: float
    default: 1.0
  max_interval:
    description: Longest wait between polls, in seconds.
    type: float
    default: 10.0
extends_documentation_fragment:
  - docc.platform.kubernetes
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - The admission probe is a dry run; nothing is created.
"""

EXAMPLES = r"""
- name: Prove the app's hardening on the cluster
  docc.platform.posture_gate:
    kubernetes:
      mode: kubeconfig
      kubeconfig: "{{ docc_state_dir }}/kubernetes/admin.kubeconfig"
    namespace: docc-sample
    selector: {app.kubernetes.io/name: docc-sample}
    image: "{{ container_image_reference }}"
    run_as_user: 65532
    run_as_group: 65532
"""

RETURN = r"""
stages:
  description: Stage records (name, ok, skipped, observed, expected, hint, elapsed_s, polls).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "admission", "ok": true, "observed": "a privileged Pod is rejected: ..."}]
network_policy_enforced:
  description: Whether the cluster enforces NetworkPolicy, as far as the network plugin tells.
  returned: when the network_policy stage ran
  type: bool
  sample: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _k8s, _posture
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate, failure_message, polling_argument_spec


def run(module):
    p = module.params
    gate = Gate(p["timeout"], p["initial_interval"], p["max_interval"])
    result = dict(changed=False, stages=gate.stages)
    if _k8s.mode_of(p["kubernetes"]) == "skip":
        for name in ("admission", "pods", "network_policy"):
            gate.skip(name, "", _k8s.skip_reason(p["kubernetes"]))
        return result, None
    cleanup = []
    try:
        api = _k8s.connect(p["kubernetes"], cleanup, lambda service: _aws.client(module, service))
        stages = [
            ("admission", _posture.admission(api, p["namespace"], p["image"] or "docc.local/posture-probe:1"),
             "Pod Security admission rejects a privileged Pod in %s" % p["namespace"],
             "Label the namespace pod-security.kubernetes.io/enforce=restricted; check that the PodSecurity "
             "admission plugin is on."),
            ("pods", _posture.pods(api, p["namespace"], p["selector"], p["run_as_user"], p["run_as_group"], p["image"]),
             "Ready pods that run non-root as %d:%d, read-only, without capabilities or a token, image %s"
             % (p["run_as_user"], p["run_as_group"], p["image"] or "by digest"),
             "A finding names the field; the manifests set it, so something (a mutating webhook, a stale "
             "ReplicaSet) changed the pods."),
            ("network_policy", _posture.network_policy(api, result), "a network plugin that enforces NetworkPolicy",
             "On EKS set the vpc-cni add-on's enableNetworkPolicy (the eks stage does so with add-ons on); "
             "elsewhere install an enforcing plugin (Calico, Cilium)."),
        ]
        for name, check, expected, hint in stages:
            record = gate.stage(name, check, expected, hint)
            if not record["ok"]:
                return result, record
    finally:
        _k8s.remove_files(cleanup)
    if result.get("network_policy_enforced") is False:
        record = gate.stages[-1]
        if p["require_network_policy"]:
            record["ok"] = False
            return result, record
        _aws.warn(module, "%s. %s" % (record["observed"], record["hint"]))
    return result, None


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            kubernetes=_k8s.CONNECTION_SPEC,
            namespace=dict(type="str", required=True),
            selector=dict(type="dict", required=True),
            image=dict(type="str"),
            run_as_user=dict(type="int", required=True),
            run_as_group=dict(type="int", required=True),
            require_network_policy=dict(type="bool", default=False),
            timeout=dict(type="int", default=300),
            **polling_argument_spec(initial_interval=1.0, max_interval=10.0),  # a quick check: polls faster
        ),
        supports_check_mode=True,
    )
    with fail_on_error(module, "posture gate"):
        result, failed = run(module)
    if failed:
        module.fail_json(msg=failure_message("posture gate", failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
