# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""posture: every hardening finding on a running pod, and whether NetworkPolicy is enforced."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.docc.platform.plugins.module_utils._posture import network_policy_enforcement, pod_findings

IMAGE = "registry.local:5000/domain/docc-sample@sha256:" + "c" * 64
HARDENED = {
    "metadata": {"name": "web-1"},
    "spec": {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": IMAGE, "securityContext": {
            "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]}}}],
    },
    "status": {"containerStatuses": [{"name": "app", "imageID": "docker-pullable://x@sha256:" + "c" * 64}]},
}


def _pod(change):
    pod = copy.deepcopy(HARDENED)
    change(pod)
    return pod


def test_a_hardened_pod_has_no_findings():
    assert pod_findings(HARDENED, 65532, 65532, IMAGE) == []


@pytest.mark.parametrize("change, finding", [
    (lambda p: p["spec"].pop("automountServiceAccountToken"), "web-1: automountServiceAccountToken is not false"),
    (lambda p: p["spec"]["securityContext"].update(runAsUser=0), "web-1/app: runs as user 0, expected 65532"),
    (lambda p: p["spec"]["containers"][0]["securityContext"].update(runAsNonRoot=False),
     "web-1/app: runAsNonRoot is not true"),
    (lambda p: p["spec"]["containers"][0]["securityContext"].pop("readOnlyRootFilesystem"),
     "web-1/app: the root filesystem is writable"),
    (lambda p: p["spec"]["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True),
     "web-1/app: allowPrivilegeEscalation is not false"),
    (lambda p: p["spec"]["containers"][0]["securityContext"]["capabilities"].update(drop=["NET_RAW"]),
     "web-1/app: capabilities are not all dropped"),
    (lambda p: p["spec"]["securityContext"].pop("seccompProfile"), "web-1/app: seccomp profile is unset (Unconfined)"),
    (lambda p: p["spec"]["containers"][0].update(image="registry.local:5000/domain/docc-sample:0.2.0"),
     "is not pinned by digest"),
    (lambda p: p["status"]["containerStatuses"][0].update(imageID="x@sha256:" + "d" * 64), "not the pinned"),
    (lambda p: p["spec"].update(volumes=[{"name": "tok", "projected": {"sources": [{"serviceAccountToken": {}}]}}]),
     "web-1: volume tok mounts a service-account token"),
])
def test_each_weakening_is_named(change, finding):
    findings = pod_findings(_pod(change), 65532, 65532, IMAGE)
    assert any(finding in f for f in findings), findings


def test_a_container_setting_overrides_the_pod_setting():
    pod = _pod(lambda p: p["spec"]["containers"][0]["securityContext"].update(runAsUser=1000))
    assert pod_findings(pod, 65532, 65532, IMAGE) == ["web-1/app: runs as user 1000, expected 65532"]


def _ds(name, containers=()):
    return {"metadata": {"name": name}, "spec": {"template": {"spec": {"containers": list(containers)}}}}


def test_network_policy_is_enforced_by_a_known_plugin_or_the_vpc_cni_agent():
    assert network_policy_enforcement([_ds("kube-proxy"), _ds("calico-node")], None)[0]
    agent = {"name": "aws-network-policy-agent", "args": ["--enable-network-policy=true"]}
    assert network_policy_enforcement([_ds("aws-node", [agent])], None)[0]
    assert network_policy_enforcement([_ds("aws-node")], {"enable-network-policy-controller": "true"})[0]


def test_stored_but_unenforced_network_policy_is_said_plainly():
    off = {"name": "aws-network-policy-agent", "args": ["--enable-network-policy=false"]}
    enforced, evidence = network_policy_enforcement([_ds("kube-proxy"), _ds("aws-node", [off])], {})
    assert not enforced and "stored but NOT enforced" in evidence
