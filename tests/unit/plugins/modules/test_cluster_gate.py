# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cluster_gate end to end in-process: moto for EKS, a real HTTP server on loopback for the
Kubernetes API, and the minted token checked structurally."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from ansible_collections.docc.platform.plugins.module_utils import _eks_auth, _waiter
from ansible_collections.docc.platform.plugins.modules import cluster_gate
from tests.unit.fake_clock import FakeClock
from tests.unit.module_runner import run_module


class FakeApi:
    """Answers like a Kubernetes API: /readyz, nodes, kube-system workloads; scripted."""

    def __init__(self):
        self.readyz = [503, 503, 200]
        self.status_for_all = None
        self.tokens = []
        self.nodes_ready = 2

    def handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                api.tokens.append(self.headers.get("Authorization", ""))
                if api.status_for_all:
                    return self._json(api.status_for_all, {"kind": "Status", "code": api.status_for_all})
                if self.path == "/readyz":
                    code = api.readyz.pop(0) if len(api.readyz) > 1 else api.readyz[0]
                    return self._json(code, "ok" if code == 200 else "[-]etcd failed")
                if self.path == "/api/v1/nodes":
                    items = [{"metadata": {"name": "n%d" % i}, "status": {"conditions": [
                        {"type": "Ready", "status": "True" if i < api.nodes_ready else "False"}]}} for i in range(2)]
                    return self._json(200, {"items": items})
                if "/deployments/coredns" in self.path:
                    return self._json(200, {"spec": {"replicas": 2}, "status": {"availableReplicas": 2}})
                if "/daemonsets/" in self.path:
                    return self._json(200, {"status": {"desiredNumberScheduled": 2, "numberAvailable": 2}})
                return self._json(404, {"kind": "Status", "code": 404})

        return Handler


@pytest.fixture()
def fake_api():
    api = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), api.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api.url = "http://127.0.0.1:%d" % server.server_address[1]
    yield api
    server.shutdown()
    server.server_close()


def _fast(**kwargs):
    args = {"timeout": 20, "initial_interval": 0.05, "max_interval": 0.2}
    args.update(kwargs)
    return args


def test_kubernetes_stages_follow_a_not_ready_to_ready_transition(fake_api):
    args = _fast(kubernetes={"mode": "token", "host": fake_api.url, "api_key": "docc-static-token-1"}, min_nodes=2)
    failed, result = run_module(cluster_gate.main, args)
    assert not failed, result
    names = [s["name"] for s in result["stages"]]
    assert names == ["readyz", "nodes", "system_workloads"]
    readyz = result["stages"][0]
    assert readyz["ok"] and readyz["polls"] == 3
    assert result["stages"][1]["observed"] == "2 node(s), 2 Ready: n0, n1"
    assert "docc-static-token-1" not in json.dumps(result)


def test_too_few_ready_nodes_fail_naming_the_stage(fake_api):
    fake_api.readyz = [200]
    fake_api.nodes_ready = 1
    failed, result = run_module(cluster_gate.main, _fast(timeout=1, kubernetes={
        "mode": "token", "host": fake_api.url, "api_key": "docc-static-token-3"}, min_nodes=2))
    assert failed
    assert result["msg"].startswith("cluster gate: stage nodes not ready")
    assert "2 node(s), 1 Ready" in result["msg"]


@pytest.fixture()
def aws(moto_aws):
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    eks = boto3.client("eks")
    eks.create_cluster(name="docc", roleArn=role, resourcesVpcConfig={"subnetIds": [subnet]})
    eks.create_nodegroup(clusterName="docc", nodegroupName="ng", nodeRole=role, subnets=[subnet])
    yield


def test_a_401_hints_at_the_caller_and_the_authentication_mode(aws, fake_api):
    fake_api.status_for_all = 401
    failed, result = run_module(cluster_gate.main, _fast(cluster_name="docc", kubernetes={
        "mode": "token", "host": fake_api.url, "api_key": "docc-static-token-2"}))
    assert failed
    stages = {s["name"]: s for s in result["stages"]}
    assert stages["control_plane"]["ok"] and stages["nodegroups"]["ok"]
    assert stages["authorized"]["skipped"]
    assert stages["readyz"]["polls"] == 1  # a 401 is not retried
    assert "arn:aws:sts::123456789012:user/moto" in result["msg"]
    assert "authentication mode" in result["msg"]


def test_the_eks_token_is_minted_per_request_and_never_returned(aws, fake_api, monkeypatch):
    fake_api.readyz = [200]
    cluster = boto3.client("eks").describe_cluster(name="docc")["cluster"]
    retarget = _retarget(cluster_gate._k8s.Client, cluster["endpoint"], fake_api.url)
    monkeypatch.setattr(cluster_gate._k8s, "Client", retarget)
    failed, result = run_module(cluster_gate.main, _fast(cluster_name="docc", system_workloads=[]))
    assert not failed, result
    tokens = [t for t in fake_api.tokens if t]
    assert len(tokens) == result["api_calls"] == 2  # readyz, nodes
    assert all(t.startswith("Bearer k8s-aws-v1.") for t in tokens)
    assert "k8s-aws-v1." not in json.dumps(result)


def _retarget(cls, endpoint, url):
    """Client factory sending EKS endpoint requests to the fake API (its CA is random bytes in moto)."""
    def make(host, **kwargs):
        assert host == endpoint
        kwargs.pop("ca_data", None)
        return cls(url, **kwargs)
    return make


def test_token_structure(aws):
    sts = boto3.client("sts")
    token = _eks_auth.mint_token(sts, "docc")
    assert token.startswith("k8s-aws-v1.")
    body = token[len("k8s-aws-v1."):]
    assert "=" not in body and "+" not in body and "/" not in body  # base64url, unpadded
    url = urllib.parse.urlsplit(_eks_auth.decode_token(token))
    query = urllib.parse.parse_qs(url.query)
    assert url.hostname == "sts.eu-west-1.amazonaws.com"
    assert query["Action"] == ["GetCallerIdentity"]
    assert query["X-Amz-Expires"] == ["60"]
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0].split(";")
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


# --- moto in-process, real API calls: transitions and issues set on moto's backend ---------

def _backend():
    from moto.eks.models import eks_backends

    return eks_backends["123456789012"]["eu-west-1"]


def test_creating_to_active_is_noticed_at_the_next_poll_on_moto(aws, monkeypatch):
    """The cluster turns ACTIVE on moto's backend after the gate's second look; the gate sees
    it at its third look, after the doubling intervals 2 s and 4 s. Driven by the polls the
    gate makes, on a clock that only moves when the gate sleeps: no wall-time race."""
    from moto.eks.models import EKSBackend

    cluster = _backend().clusters["docc"]
    cluster.status = "CREATING"
    looks = []
    original = EKSBackend.describe_cluster

    def counting(self, name):
        looks.append(name)
        cluster.status = "ACTIVE" if len(looks) >= 3 else "CREATING"
        return original(self, name)

    monkeypatch.setattr(EKSBackend, "describe_cluster", counting)
    clock = FakeClock()
    monkeypatch.setattr(_waiter, "Clock", lambda: clock)
    failed, result = run_module(cluster_gate.main, _fast(cluster_name="docc", initial_interval=2.0,
                                                         max_interval=30.0, kubernetes={"mode": "skip"}))
    assert not failed, result
    stage = result["stages"][0]
    assert stage["name"] == "control_plane" and stage["ok"]
    assert stage["polls"] == 3
    assert clock.sleeps[:2] == [2.0, 4.0]


def test_a_nodegroup_issue_on_moto_fails_naming_the_stage_and_the_code(aws):
    nodegroup = _backend().clusters["docc"].nodegroups["ng"]
    nodegroup.status = "DEGRADED"
    nodegroup.health = {"issues": [{"code": "AsgInstanceLaunchFailures", "message": "no capacity",
                                    "resourceIds": ["eks-ng"]}]}
    failed, result = run_module(cluster_gate.main, _fast(cluster_name="docc", timeout=1, kubernetes={"mode": "skip"}))
    assert failed
    assert result["msg"].startswith("cluster gate: stage nodegroups not ready")
    assert "AsgInstanceLaunchFailures" in result["msg"]
    assert [s["name"] for s in result["stages"]] == ["control_plane", "version_support", "nodegroups"]
