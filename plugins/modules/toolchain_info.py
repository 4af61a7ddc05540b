#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: toolchain_info
short_description: Which ansible-core, Helm and kubectl a run uses, and whether they support the cluster's Kubernetes
version_added: 0.3.0
description:
  - Reports the ansible-core and Python versions of the run, the Helm and kubectl binaries on
    E(PATH) (or given), and the Kubernetes version they will talk to.
  - Checks each client's supported skew to that Kubernetes version. Helm 4 supports the Kubernetes
    minor it was compiled against (its C(KubeClientVersion)) and the three before it, and no newer
    one (helm.sh, Version Skew Policy). kubectl supports one minor version older or newer than the
    API server (kubernetes.io, Version Skew Policy).
  - The Kubernetes version is the live cluster's (C(/version)) when O(kubernetes) reaches one, else
    O(kubernetes_version), the version the run will create or render for.
  - Pure read. Problems are returned in RV(problems), each naming the binary and both versions; the
    caller decides whether they stop the run.
author:
  - docc.platform maintainers (@docc-platform)
options:
  kubernetes_version:
    description:
      - Kubernetes minor version the run targets (for example C(1.36)), used when no live cluster
        answers through O(kubernetes).
    type: str
  helm_binary:
    description: Helm executable; a name is looked up on E(PATH).
    type: str
    default: helm
  kubectl_binary:
    description:
      - kubectl executable; a name is looked up on E(PATH). The playbooks do not run kubectl, so a
        kubectl that is not found is reported, not a problem; one that is found must fit the skew.
    type: str
    default: kubectl
  require_helm:
    description: Whether a missing Helm is a problem (the ingress stage installs charts with it).
    type: bool
    default: true
extends_documentation_fragment:
  - docc.platform.kubernetes
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check Helm and kubectl against the cluster before anything changes
  docc.platform.toolchain_info:
    kubernetes_version: "1.36"
    kubernetes: "{{ docc_kubernetes }}"
  register: __toolchain

- name: Refuse clients outside their supported skew
  ansible.builtin.assert:
    that: __toolchain.problems | length == 0
    fail_msg: "{{ __toolchain.problems | join('; ') }}"
"""

RETURN = r"""
ansible_core:
  description: ansible-core version of the run.
  returned: always
  type: str
  sample: 2.21.5
python:
  description: Python version the modules run with.
  returned: always
  type: str
  sample: 3.13.0
kubernetes:
  description: The Kubernetes version the clients are checked against, and where it came from.
  returned: always
  type: dict
  sample: {"version": "1.36", "source": "cluster https://127.0.0.1:15401"}
helm:
  description: Helm's version, the Kubernetes minor it was compiled against, and the minors it supports.
  returned: always
  type: dict
  sample: {"path": "/venv/bin/helm", "version": "v4.3.1", "kube_client": "1.37", "supports": ["1.34", "1.37"]}
kubectl:
  description: kubectl's client version and the minors it supports, or why it is absent.
  returned: always
  type: dict
  sample: {"path": "/venv/bin/kubectl", "version": "v1.37.1", "supports": ["1.36", "1.38"]}
problems:
  description: Each client outside its supported skew (or a required client that is missing).
  returned: always
  type: list
  elements: str
  sample: ["helm v3.17.2 supports Kubernetes 1.29 to 1.32 (compiled against 1.32); the cluster runs 1.36"]
summary:
  description: One line for the run summary.
  returned: always
  type: str
  sample: ansible-core 2.21.5, Helm v4.3.1 (1.34-1.37), kubectl v1.37.1, Kubernetes 1.36 (cluster)
"""

import json
import platform

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible.module_utils.ansible_release import __version__ as ansible_core_version

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _k8s
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error


def minor_of(version):
    """(major, minor) of 'v1.37.1', '1.37', 'v1.37' or '1.37+'; None when it is none of these."""
    text = str(version or "").lstrip("v").split("-", maxsplit=1)[0]
    parts = text.replace("+", "").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        return None


def fmt(minor):
    return "%d.%d" % minor


def helm_support(kube_client):
    """(oldest, newest) Kubernetes minor a Helm compiled against ``kube_client`` supports (n-3)."""
    major, minor = kube_client
    return (major, minor - 3), (major, minor)


def kubectl_support(client):
    major, minor = client
    return (major, minor - 1), (major, minor + 1)


def assess(target, helm, kubectl, require_helm=True):
    """Problems of the clients against the ``target`` minor; ``helm``/``kubectl`` are the dicts
    this module returns (with 'supports' filled in where the version is known)."""
    problems = []
    where = "the cluster runs" if target.get("source", "").startswith("cluster") else "the run targets"
    wanted = minor_of(target.get("version"))
    if helm.get("path") is None:
        if require_helm:
            problems.append("helm not found (%s): make setup installs Helm 4 into .venv/bin" % helm["reason"])
    elif wanted and helm.get("supports"):
        low, high = (minor_of(v) for v in helm["supports"])
        if not low <= wanted <= high:
            problems.append("helm %s supports Kubernetes %s to %s (compiled against %s, n-3); %s %s. Use a Helm "
                            "whose KubeClientVersion is %s to %d.%d" % (
                                helm["version"], fmt(low), fmt(high), helm["kube_client"], where, fmt(wanted),
                                fmt(wanted), wanted[0], wanted[1] + 3))
    if kubectl.get("path") is not None and wanted and kubectl.get("supports"):
        low, high = (minor_of(v) for v in kubectl["supports"])
        if not low <= wanted <= high:
            problems.append("kubectl %s supports Kubernetes %s to %s (one minor either way); %s %s. Put a kubectl "
                            "%s on PATH (make setup installs one into .venv/bin)" % (
                                kubectl["version"], fmt(low), fmt(high), where, fmt(wanted), fmt(wanted)))
    return problems


def _helm(module, binary):
    path = module.get_bin_path(binary)
    if path is None:
        return {"path": None, "reason": "%s is not on PATH" % binary}
    rc, out, err = module.run_command([path, "version", "--template", "{{.Version}} {{.KubeClientVersion}}"])
    if rc != 0:
        return {"path": None, "reason": "%s version failed: %s" % (path, (err or out).strip()[:200])}
    version, dummy, kube_client = out.strip().partition(" ")
    info = {"path": path, "version": version, "kube_client": fmt(minor_of(kube_client)) if minor_of(kube_client)
            else kube_client}
    if minor_of(kube_client):
        info["supports"] = [fmt(m) for m in helm_support(minor_of(kube_client))]
    return info


def _kubectl(module, binary):
    path = module.get_bin_path(binary)
    if path is None:
        return {"path": None, "reason": "%s is not on PATH (the playbooks do not need it)" % binary}
    rc, out, err = module.run_command([path, "version", "--client", "-o", "json"])
    try:
        version = json.loads(out)["clientVersion"]["gitVersion"] if rc == 0 else None
    except (ValueError, KeyError):
        version = None
    if version is None:
        return {"path": None, "reason": "%s version failed: %s" % (path, (err or out).strip()[:200])}
    info = {"path": path, "version": version}
    if minor_of(version):
        info["supports"] = [fmt(m) for m in kubectl_support(minor_of(version))]
    return info


def _target(module, cleanup):
    p = module.params
    options = p["kubernetes"]
    unreachable = None
    if options and _k8s.mode_of(_k8s.with_environment(options)) != "skip":
        try:
            client = _k8s.connect(options, cleanup, aws_client=lambda service: _aws.client(module, service))
            status, body = client.get("/version")
        except _k8s.K8sError as exc:
            unreachable = exc.msg
        else:
            live = minor_of("%s.%s" % (body.get("major"), body.get("minor"))) if isinstance(body, dict) else None
            if status == 200 and live:
                return {"version": fmt(live), "source": "cluster %s" % client.host}
            unreachable = "GET /version -> %s" % status
    source = "kubernetes_version" + (" (no cluster answered: %s)" % unreachable if unreachable else "")
    if p["kubernetes_version"] and minor_of(p["kubernetes_version"]):
        return {"version": fmt(minor_of(p["kubernetes_version"])), "source": source}
    return {"version": None, "source": source}


def run(module):
    p = module.params
    cleanup = []
    try:
        target = _target(module, cleanup)
    finally:
        _k8s.remove_files(cleanup)
    helm = _helm(module, p["helm_binary"])
    kubectl = _kubectl(module, p["kubectl_binary"])
    problems = assess(target, helm, kubectl, p["require_helm"])
    helm_text = ("Helm %s (Kubernetes %s-%s)" % (helm["version"], helm["supports"][0], helm["supports"][1])
                 if helm.get("supports") else "Helm: %s" % helm.get("reason", helm.get("version")))
    kubectl_text = "kubectl %s" % kubectl["version"] if kubectl.get("path") else "kubectl: %s" % kubectl["reason"]
    target_text = ("Kubernetes %s (%s)" % (target["version"], target["source"].split(" ")[0])
                   if target["version"] else "Kubernetes: unknown")
    return dict(changed=False, ansible_core=ansible_core_version, python=platform.python_version(),
                kubernetes=target, helm=helm, kubectl=kubectl, problems=problems,
                summary="ansible-core %s, %s, %s, %s" % (ansible_core_version, helm_text, kubectl_text, target_text))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            kubernetes_version=dict(type="str"),
            helm_binary=dict(type="str", default="helm"),
            kubectl_binary=dict(type="str", default="kubectl"),
            require_helm=dict(type="bool", default=True),
            kubernetes=_k8s.CONNECTION_SPEC,
        ),
        supports_check_mode=True,
    )
    with fail_on_error(module, "toolchain"):
        try:
            result = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="toolchain: reading the EKS cluster's endpoint failed")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
