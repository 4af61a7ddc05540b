# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``kubernetes`` connection option every docc.platform Kubernetes-facing module shares."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  kubernetes:
    description:
      - How to reach the Kubernetes API. One argument spec and one client factory serve every
        module of the collection.
      - Unless O(kubernetes.mode) is C(eks_token) or C(skip), an option not given is taken from the
        environment variable kubernetes.core reads for it, with kubernetes.core's precedence -
        E(K8S_AUTH_KUBECONFIG), E(K8S_AUTH_CONTEXT), E(K8S_AUTH_HOST), E(K8S_AUTH_API_KEY),
        E(K8S_AUTH_CA_CERT) (or E(K8S_AUTH_SSL_CA_CERT)).
      - Set it once for all of the collection's Kubernetes modules with C(module_defaults) and the
        action group C(group/docc.platform.kubernetes).
    type: dict
    suboptions:
      mode:
        description:
          - C(eks_token) reads the endpoint and CA with DescribeCluster and mints an EKS bearer token
            in-process for each request from the caller's AWS credentials (no aws CLI, no exec plugin).
          - C(kubeconfig) uses O(kubernetes.kubeconfig) and O(kubernetes.context) (client certificates or
            tokens; exec plugins are not run).
          - C(token) uses O(kubernetes.host), O(kubernetes.api_key) and O(kubernetes.ca_cert).
          - C(skip) reports every Kubernetes step as skipped with O(kubernetes.skip_reason).
          - Default is C(eks_token) when a cluster name is known, C(token) when O(kubernetes.host) is
            given, otherwise C(kubeconfig).
        type: str
        choices: [eks_token, kubeconfig, token, skip]
      cluster_name:
        description: EKS cluster name for O(kubernetes.mode=eks_token).
        type: str
      kubeconfig:
        description: Path of a kubeconfig; E(K8S_AUTH_KUBECONFIG), then the first path of E(KUBECONFIG), then
          C(~/.kube/config) by default.
        type: path
      context:
        description: kubeconfig context; the current context by default.
        type: str
      host:
        description: API server URL for O(kubernetes.mode=token).
        type: str
      api_key:
        description: Bearer token for O(kubernetes.mode=token). Never logged.
        type: str
      ca_cert:
        description: CA bundle file for O(kubernetes.mode=token).
        type: path
      skip_reason:
        description: Why the Kubernetes steps cannot run here (O(kubernetes.mode=skip)).
        type: str
        default: no reachable Kubernetes API in this environment
"""
