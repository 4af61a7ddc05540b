# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""toolchain_info: the Helm and kubectl skew rules (helm.sh and kubernetes.io Version Skew
Policy pages), checked with the real binaries make setup installs and a loopback /version."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.docc.platform.plugins.modules import toolchain_info as tc
from tests.unit.module_runner import run_module


def helm(kube_client, version="v4.3.1"):
    return {"path": "/bin/helm", "version": version, "kube_client": kube_client,
            "supports": [tc.fmt(m) for m in tc.helm_support(tc.minor_of(kube_client))]}


def kubectl(version):
    return {"path": "/bin/kubectl", "version": version,
            "supports": [tc.fmt(m) for m in tc.kubectl_support(tc.minor_of(version))]}


NO_KUBECTL = {"path": None, "reason": "kubectl is not on PATH (the playbooks do not need it)"}


@pytest.mark.parametrize("kube_client, target, ok", [
    ("1.37", "1.36", True), ("1.37", "1.34", True), ("1.37", "1.33", False), ("1.37", "1.38", False),
    ("1.32", "1.36", False),  # Helm 3.17 (the kubectl-v32 layer) against the default cluster
])
def test_helm_supports_its_compiled_minor_and_three_before(kube_client, target, ok):
    problems = tc.assess({"version": target, "source": "cluster https://x"}, helm(kube_client), NO_KUBECTL)
    assert (problems == []) is ok, problems
    if not ok:
        assert "helm v4.3.1 supports Kubernetes" in problems[0] and "the cluster runs %s" % target in problems[0]


@pytest.mark.parametrize("client, target, ok", [
    ("v1.37.1", "1.36", True), ("v1.37.1", "1.38", True), ("v1.37.1", "1.35", False), ("v1.32.3", "1.36", False),
])
def test_kubectl_supports_one_minor_either_way(client, target, ok):
    problems = tc.assess({"version": target, "source": "kubernetes_version"}, helm("1.38"), kubectl(client))
    assert (problems == []) is ok, problems
    if not ok:
        assert problems[0].startswith("kubectl %s supports" % client) and "the run targets %s" % target in problems[0]


def test_a_missing_helm_is_a_problem_only_when_required_and_a_missing_kubectl_never():
    target = {"version": "1.36", "source": "kubernetes_version"}
    no_helm = {"path": None, "reason": "helm is not on PATH"}
    assert tc.assess(target, no_helm, NO_KUBECTL) == ["helm not found (helm is not on PATH): make setup installs "
                                                      "Helm 4 into .venv/bin"]
    assert tc.assess(target, no_helm, NO_KUBECTL, require_helm=False) == []


needs_binaries = pytest.mark.skipif(not (shutil.which("helm") and shutil.which("kubectl")),
                                    reason="helm and kubectl come from make setup (.venv/bin)")


@pytest.fixture()
def version_server():
    """A loopback API server that answers /version with a given minor."""
    answer = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = json.dumps({"major": "1", "minor": answer["minor"], "gitVersion": "v1.%s.0" % answer["minor"]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield answer, "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()


@needs_binaries
def test_the_installed_helm_4_and_kubectl_fit_the_default_cluster(fake_aws_env):
    failed, result = run_module(tc.main, {"kubernetes_version": "1.36"})
    assert not failed, result
    assert result["problems"] == []
    assert result["helm"]["version"].startswith("v4.") and result["kubectl"]["version"].startswith("v1.37")
    assert "Kubernetes 1.36 (kubernetes_version)" in result["summary"]


@needs_binaries
def test_a_live_cluster_version_wins_over_the_target(fake_aws_env, version_server):
    answer, url = version_server
    answer["minor"] = "33"
    failed, result = run_module(tc.main, {"kubernetes_version": "1.36",
                                          "kubernetes": {"mode": "token", "host": url, "api_key": "x"}})
    assert not failed, result
    assert result["kubernetes"] == {"version": "1.33", "source": "cluster %s" % url}
    assert len(result["problems"]) == 2  # Helm 4.3 (1.34-1.37) and kubectl 1.37 (1.36-1.38) both refuse 1.33


@needs_binaries
def test_an_unreachable_cluster_falls_back_to_the_target_and_says_so(fake_aws_env):
    closed = {"mode": "token", "host": "http://127.0.0.1:9", "api_key": "x"}
    failed, result = run_module(tc.main, {"kubernetes_version": "1.36", "kubernetes": closed})
    assert not failed, result
    assert result["kubernetes"]["version"] == "1.36"
    assert result["kubernetes"]["source"].startswith("kubernetes_version (no cluster answered: cannot reach")
