# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The local control plane alone (kube-apiserver the only asset): it answers /readyz, enforces
Pod Security, and cluster_gate reports what it really has - no node."""

from __future__ import annotations

import glob
import json
import os
import uuid

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from ansible_collections.docc.platform.plugins.modules import cluster_gate
from tests.cluster.conftest import start, stop
from tests.unit.module_runner import run_module

ENVTEST = os.path.expanduser("~/.local/share/kubebuilder-envtest/k8s")


def _apiserver():
    candidates = ([os.path.join(os.environ["KUBEBUILDER_ASSETS"], "kube-apiserver")]
                  if os.environ.get("KUBEBUILDER_ASSETS") else [])
    candidates += sorted(glob.glob(os.path.join(ENVTEST, "*", "kube-apiserver")), reverse=True)
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    """local_env with an assets directory that holds kube-apiserver only: a control plane, no node."""
    assets = tmp_path_factory.mktemp("apiserver-only")
    apiserver = _apiserver()
    if apiserver:
        os.symlink(apiserver, assets / "kube-apiserver")
    endpoints = start("-e", json.dumps({"local_env_kubernetes_assets_dir": str(assets),
                                        "local_env_docker_enabled": False, "local_env_registry_enabled": False}))
    try:
        yield endpoints
    finally:
        stop()


@pytest.fixture()
def api(control_plane):
    api_client = config.new_client_from_config(config_file=control_plane["kubernetes"]["kubeconfig"])
    yield api_client
    api_client.close()


def _gate(control_plane, **kwargs):
    args = {"kubernetes": control_plane["kubernetes"], "timeout": 3, "initial_interval": 0.2, "max_interval": 1.0}
    args.update(kwargs)
    return run_module(cluster_gate.main, args)


def test_the_control_plane_is_published_without_a_node(control_plane):
    assert control_plane["kubernetes"]["mode"] == "kubeconfig"
    assert control_plane["kubernetes_info"]["nodes"] == 0
    assert oct(os.stat(control_plane["kubernetes"]["kubeconfig"]).st_mode & 0o777) == "0o600"


def test_the_gate_passes_readyz_and_reports_zero_nodes(control_plane):
    failed, result = _gate(control_plane, min_nodes=0, system_workloads=[])
    assert not failed, result
    stages = {s["name"]: s for s in result["stages"]}
    assert stages["readyz"]["ok"] and stages["readyz"]["observed"].startswith("GET /readyz -> 200")
    assert stages["nodes"]["observed"].startswith("0 node(s), 0 Ready")
    assert "control_plane" not in stages  # not an EKS cluster: no AWS stages


def test_a_node_requirement_fails_at_the_nodes_stage(control_plane):
    failed, result = _gate(control_plane, min_nodes=1)
    assert failed and result["msg"].startswith("cluster gate: stage nodes not ready")
    assert "0 node(s), 0 Ready" in result["msg"]


def test_missing_system_workloads_fail_at_their_stage(control_plane):
    failed, result = _gate(control_plane, min_nodes=0)
    assert failed and result["msg"].startswith("cluster gate: stage system_workloads not ready")
    assert "Deployment/coredns missing" in result["msg"]


@pytest.fixture()
def restricted_namespace(api):
    core = client.CoreV1Api(api)
    name = "docc-psa-%s" % uuid.uuid4().hex[:8]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(
        name=name, labels={"pod-security.kubernetes.io/enforce": "restricted"})))
    # No controller manager runs beside a bare control plane, so nothing creates the default
    # service account; without it ServiceAccount admission would refuse every pod first.
    core.create_namespaced_service_account(name, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="default")))
    yield name
    core.delete_namespace(name)


def _pod(name, security_context, pod_security_context=None):
    return client.V1Pod(metadata=client.V1ObjectMeta(name=name), spec=client.V1PodSpec(
        automount_service_account_token=False, security_context=pod_security_context,
        containers=[client.V1Container(name="app", image="registry.invalid/docc/app:1",
                                       security_context=security_context)]))


def test_a_restricted_namespace_rejects_a_privileged_pod(api, restricted_namespace):
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(api).create_namespaced_pod(
            restricted_namespace, _pod("privileged", client.V1SecurityContext(privileged=True)))
    assert err.value.status == 403
    assert "violates PodSecurity" in err.value.body and "privileged" in err.value.body


def test_a_restricted_namespace_admits_a_compliant_pod(api, restricted_namespace):
    """The negative control: the rejection above is about privilege, not about any pod."""
    compliant = _pod(
        "compliant",
        client.V1SecurityContext(allow_privilege_escalation=False, run_as_non_root=True, run_as_user=65532,
                                 capabilities=client.V1Capabilities(drop=["ALL"])),
        client.V1PodSecurityContext(seccomp_profile=client.V1SeccompProfile(type="RuntimeDefault")))
    assert client.CoreV1Api(api).create_namespaced_pod(restricted_namespace, compliant).metadata.name == "compliant"
