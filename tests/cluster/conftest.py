"""Cluster tier: a real Kubernetes API (KUBECONFIG, or a throwaway control plane)."""

from __future__ import annotations

import os

import pytest

from tests.cluster import harness

_SKIP_REASON = []


@pytest.fixture(scope="session")
def kubeconfig():
    """Path of a kubeconfig whose current context answers /readyz."""
    external = os.environ.get("KUBECONFIG")
    if external:
        ok, detail = harness.kubeconfig_answers(external)
        if ok:
            yield external
            return
        print("KUBECONFIG=%s does not answer (%s); trying envtest assets" % (external, detail))
    apiserver, etcd, reason = harness.find_assets()
    if reason:
        _SKIP_REASON.append(reason)
        pytest.skip(reason)
    plane = harness.ControlPlane(apiserver, etcd)
    try:
        plane.start()
    except harness.HarnessError:
        plane.stop()
        raise
    try:
        yield plane.kubeconfig
    finally:
        plane.stop()


def pytest_terminal_summary(terminalreporter):
    if _SKIP_REASON:
        terminalreporter.write_line("SKIPPED: %s" % _SKIP_REASON[0])
