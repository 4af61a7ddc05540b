# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The local single-node cluster, end to end: local_env starts it (twice, the second time
changing nothing); site.yml runs every stage on it - the ingress stage installs the fixture
charts with Helm, the app stage runs the hardened sample pulled by digest from the local
registry and proves the hardening; a second run changes nothing; --check --diff shows a
replica change and makes none; a values change upgrades the release; teardown uninstalls;
and env-down leaves the host's sysctls, iptables rules, mounts, links and cgroups as they were.

The tests share one cluster and run in file order.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.cluster.conftest import start, stop
from tests.playbook_runner import INVENTORY, ansible_playbook

FIXTURE_VARS = "@tests/cluster/vars/fixture_charts.yml"


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None


def host_snapshot():
    """What a kubelet or a CNI plugin could change on this host, read independently of local_env."""
    sysctls = {}
    for path in (glob.glob("/proc/sys/vm/*") + glob.glob("/proc/sys/kernel/keys/*")
                 + ["/proc/sys/kernel/panic", "/proc/sys/kernel/panic_on_oops", "/proc/sys/net/ipv4/ip_forward"]
                 + glob.glob("/proc/sys/net/bridge/*") + glob.glob("/proc/sys/net/ipv4/conf/all/*")):
        value = _read(path)
        if value is not None:
            sysctls[path] = value
    rules = {}
    for tool in ("iptables-save", "ip6tables-save"):
        if shutil.which(tool):
            out = subprocess.run([tool], capture_output=True, text=True, check=False).stdout
            rules[tool] = sorted(line.split(" [")[0] for line in out.splitlines() if line and not line.startswith("#"))
    with open("/proc/self/mountinfo") as handle:
        mounts = sorted(line.split()[4] for line in handle)
    cgroups = sorted(p for p in glob.glob("/sys/fs/cgroup/*/docc*") + glob.glob("/sys/fs/cgroup/docc*"))
    return {"sysctls": sysctls, "rules": rules, "mounts": mounts, "links": sorted(os.listdir("/sys/class/net")),
            "cgroups": cgroups, "kubelet_dir": os.path.exists("/var/lib/kubelet")}


@pytest.fixture(scope="module")
def host_before():
    return host_snapshot()


@pytest.fixture(scope="module")
def node(host_before):
    endpoints = start()
    if not endpoints["kubernetes_info"].get("nodes"):
        stop()
        pytest.skip("the local cluster has no node (kubelet, kube-controller-manager and kube-scheduler are needed "
                    "beside kube-apiserver)")
    state = {"endpoints": endpoints, "down": False}
    yield state
    if not state["down"]:
        stop()


@pytest.fixture(scope="module")
def api(node):
    api_client = config.new_client_from_config(config_file=node["endpoints"]["kubernetes"]["kubeconfig"])
    yield api_client
    api_client.close()


def site(*extra):
    return ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "-e", FIXTURE_VARS, *extra)


def helm_releases(node):
    out = subprocess.run(["helm", "list", "-A", "-o", "json", "--kubeconfig",
                          node["endpoints"]["kubernetes"]["kubeconfig"]], capture_output=True, text=True, check=True)
    return {r["name"]: r for r in json.loads(out.stdout or "[]")}


def test_the_node_is_ready_and_the_kubeconfig_private(node, api):
    nodes = client.CoreV1Api(api).list_node().items
    assert len(nodes) == 1
    assert {c.type: c.status for c in nodes[0].status.conditions}["Ready"] == "True"
    assert oct(os.stat(node["endpoints"]["kubernetes"]["kubeconfig"]).st_mode & 0o777) == "0o600"


def test_site_runs_every_stage_on_the_local_cluster(node, api):
    secrets = ansible_playbook("tests/cluster/playbooks/pull_secrets.yml", "-i", INVENTORY)
    assert secrets.rc == 0, secrets
    first = site()
    assert first.rc == 0, first
    node["first"] = first
    # The gate ran its Kubernetes stages for real: one Ready node.
    assert "readyz: GET /readyz -> 200" in first.output and "nodes: 1 node(s), 1 Ready" in first.output, first
    releases = helm_releases(node)
    assert {"traefik", "aws-load-balancer-controller"} <= set(releases), releases
    assert all(r["status"] == "deployed" for r in releases.values())


def test_the_app_runs_hardened_by_digest_from_the_local_registry(node, api):
    apps = client.AppsV1Api(api)
    deployment = apps.read_namespaced_deployment("docc-sample", "docc-sample")
    assert deployment.status.available_replicas == deployment.spec.replicas == 2
    image = deployment.spec.template.spec.containers[0].image
    assert "@sha256:" in image and image.startswith(node["endpoints"]["registry"] + "/domain/docc-sample@")
    pods = client.CoreV1Api(api).list_namespaced_pod("docc-sample", label_selector="app.kubernetes.io/name=docc-sample")
    for pod in pods.items:
        assert pod.status.phase == "Running"
        assert pod.spec.automount_service_account_token is False
        status = pod.status.container_statuses[0]
        assert status.ready and status.image_id.endswith(image.split("@")[1])
        assert pod.spec.security_context.run_as_user == 65532 and pod.spec.security_context.run_as_non_root
        assert pod.spec.containers[0].security_context.read_only_root_filesystem
        assert pod.spec.containers[0].security_context.capabilities.drop == ["ALL"]
        assert not any(v.projected for v in pod.spec.volumes or [])  # no service-account token volume
    # The posture gate passed, and said plainly that the bridge CNI does not enforce NetworkPolicy.
    assert "NetworkPolicy objects are stored but NOT enforced" in node["first"].output


def test_a_privileged_pod_is_rejected_in_the_app_namespace(node, api):
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="privileged-probe"), spec=client.V1PodSpec(
        containers=[client.V1Container(name="x", image=node["endpoints"]["registry"] + "/domain/docc-sample:0.2.0",
                                       security_context=client.V1SecurityContext(privileged=True))]))
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(api).create_namespaced_pod("docc-sample", pod, dry_run="All")
    assert err.value.status == 403 and "violates PodSecurity" in err.value.body


def test_a_second_run_changes_nothing(node):
    second = site()
    assert second.rc == 0 and second.recap["changed"] == 0, second


def test_check_diff_shows_a_replica_change_and_makes_none(node, api):
    check = site("--check", "--diff", "--tags", "app", "-e", "app_deploy_replicas=3")
    assert check.rc == 0, check
    assert re.search(r"^-\s+replicas: 2$", check.output, re.M), check
    assert re.search(r"^\+\s+replicas: 3$", check.output, re.M), check
    deployment = client.AppsV1Api(api).read_namespaced_deployment("docc-sample", "docc-sample")
    assert deployment.spec.replicas == 2


def test_a_values_change_upgrades_the_ingress_release(node):
    before = helm_releases(node)["traefik"]["revision"]
    run = site("--tags", "ingress", "-e", "ingress_controller_replicas=1")
    assert run.rc == 0 and run.recap["changed"] > 0, run
    after = helm_releases(node)["traefik"]
    assert int(after["revision"]) == int(before) + 1 and after["status"] == "deployed"


def test_teardown_uninstalls_the_releases_and_removes_the_app(node, api):
    down = ansible_playbook("playbooks/teardown.yml", "-i", INVENTORY, "-e", FIXTURE_VARS)
    assert down.rc == 0, down
    releases = helm_releases(node)
    assert not {"traefik", "aws-load-balancer-controller"} & set(releases), releases
    phases = {n.metadata.name: n.status.phase for n in client.CoreV1Api(api).list_namespace().items}
    assert phases.get("docc-sample", "Terminating") == "Terminating"


def test_env_down_leaves_the_host_as_it_was(node, host_before):
    stop()
    node["down"] = True
    after = host_snapshot()
    for key in host_before:
        assert after[key] == host_before[key], key
