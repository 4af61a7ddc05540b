#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubernetes_connection
short_description: One kubeconfig for a play's Kubernetes tasks, from the collection's one connection factory
version_added: 0.2.0
description:
  - Turns the collection's O(kubernetes) connection options into a kubeconfig that
    kubernetes.core's C(k8s) and C(helm) modules take through C(module_defaults), so a play
    connects once and no second client builder exists.
  - For O(kubernetes.mode=eks_token) it reads the endpoint and CA with DescribeCluster and writes
    them to O(path), mode 0600, with an exec credential plugin as the user (C(<path>.token.py), run
    with the modules' Python; no aws CLI). Each client (kubernetes.core, Helm) asks the plugin for a
    fresh EKS token whenever the last one is about to expire (EKS accepts one for 15 minutes), so a
    long Helm install never presents an expired token, and no token is stored.
  - For O(kubernetes.mode=token) it writes O(kubernetes.host), O(kubernetes.api_key) and
    O(kubernetes.ca_cert) to O(path) the same way.
  - For O(kubernetes.mode=kubeconfig) it checks that the context exists and returns the given
    file unchanged. For O(kubernetes.mode=skip) it returns RV(skip_reason) and no kubeconfig.
author:
  - docc.platform maintainers (@docc-platform)
options:
  path:
    description: Where to write the kubeconfig for the C(eks_token) and C(token) modes.
    type: path
    required: true
extends_documentation_fragment:
  - docc.platform.kubernetes
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Writes the credential file in check mode too, so later check-mode tasks can read the cluster.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - The file at O(path) is a short-lived credential cache (like the output of C(aws eks get-token)),
        rewritten on every call with a fresh token; that is not reported as a change.
"""

EXAMPLES = r"""
- name: Connect once for this play
  docc.platform.kubernetes_connection:
    kubernetes:
      mode: eks_token
      cluster_name: docc
    path: "{{ docc_state_dir }}/kube/docc.kubeconfig"
  register: __connection

- name: Use it for every kubernetes.core task of a block
  module_defaults:
    group/kubernetes.core.k8s:
      kubeconfig: "{{ __connection.kubeconfig }}"
  block:
    - name: Create the namespace
      kubernetes.core.k8s:
        kind: Namespace
        name: docc-sample
"""

RETURN = r"""
mode:
  description: The effective connection mode.
  returned: always
  type: str
  sample: eks_token
kubeconfig:
  description: kubeconfig to pass to kubernetes.core (mode 0600 when this module wrote it); null in mode skip.
  returned: always
  type: str
  sample: /var/lib/docc/kube/docc.kubeconfig
context:
  description: The kubeconfig context to use; null for the current one.
  returned: always
  type: str
  sample: docc
host:
  description: API server URL.
  returned: unless in mode skip
  type: str
  sample: https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com
skip_reason:
  description: Why Kubernetes steps cannot run here.
  returned: in mode skip
  type: str
  sample: no local cluster assets (kube-apiserver) under ~/.local/share/kubebuilder-envtest/k8s
"""

import base64
import os
import sys

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _eks_auth, _k8s
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error


def run(module):
    p = module.params
    k = _k8s.with_environment(p["kubernetes"])
    mode = _k8s.mode_of(k)
    result = dict(changed=False, mode=mode, kubeconfig=None, context=None)
    if mode == "skip":
        result["skip_reason"] = _k8s.skip_reason(k)
        return result
    if mode == "kubeconfig":
        path = k.get("kubeconfig") or _k8s.default_kubeconfig()
        cluster, dummy, context = _k8s.load_kubeconfig(path, k.get("context"))
        result.update(kubeconfig=path, context=k.get("context"), host=cluster.get("server"))
        return result
    if mode == "eks_token":
        eks = _aws.client(module, "eks")
        host, ca_pem = _k8s.eks_endpoint(eks, k["cluster_name"])
        ca_data = base64.b64encode(ca_pem.encode("utf-8")).decode("ascii")
        _eks_auth.write_exec_kubeconfig(p["path"], k["cluster_name"], eks.meta.region_name, host, ca_data,
                                        sys.executable)
        result.update(kubeconfig=p["path"], context=k["cluster_name"], host=host)
        return result
    host, token, name = k["host"], k["api_key"], "docc"
    ca_data = None
    if k.get("ca_cert"):
        with open(k["ca_cert"], "rb") as handle:
            ca_data = base64.b64encode(handle.read()).decode("ascii")
    _k8s.write_kubeconfig(p["path"], name, host, token, ca_data)
    result.update(kubeconfig=p["path"], context=name, host=host)
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(kubernetes=_k8s.CONNECTION_SPEC, path=dict(type="path", required=True)),
        supports_check_mode=True,
    )
    with fail_on_error(module, "kubernetes connection"):
        try:
            result = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="kubernetes connection: reading the EKS cluster failed")
    if result.get("kubeconfig") and not os.path.exists(result["kubeconfig"]):
        module.fail_json(msg="kubernetes connection: kubeconfig %s does not exist" % result["kubeconfig"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
