"""cluster_gate's Kubernetes stages against a real API server (no EKS): what it reports is
what the cluster really has."""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.modules import cluster_gate
from tests.unit.module_runner import run_module


def _args(kubeconfig, **kwargs):
    args = {"kubernetes": {"mode": "kubeconfig", "kubeconfig": kubeconfig}, "timeout": 3,
            "initial_interval": 0.2, "max_interval": 1.0}
    args.update(kwargs)
    return args


def test_readyz_passes_and_the_real_node_count_is_reported(kubeconfig):
    failed, result = run_module(cluster_gate.main, _args(kubeconfig, min_nodes=0, system_workloads=[]))
    assert not failed, result
    stages = {s["name"]: s for s in result["stages"]}
    assert stages["readyz"]["ok"] and stages["readyz"]["observed"].startswith("GET /readyz -> 200")
    # A bare control plane runs no kubelet: zero nodes, and the gate says so.
    assert stages["nodes"]["observed"].startswith("0 node(s), 0 Ready")
    assert "control_plane" not in stages  # not an EKS cluster: no AWS stages


def test_missing_system_workloads_fail_at_their_stage(kubeconfig):
    failed, result = run_module(cluster_gate.main, _args(kubeconfig, min_nodes=0))
    assert failed
    assert result["msg"].startswith("cluster gate: stage system_workloads not ready")
    assert "Deployment/coredns missing" in result["msg"]


def test_a_node_requirement_fails_at_the_nodes_stage(kubeconfig):
    failed, result = run_module(cluster_gate.main, _args(kubeconfig, min_nodes=1))
    assert failed
    assert result["msg"].startswith("cluster gate: stage nodes not ready")
    assert "0 node(s), 0 Ready" in result["msg"]
