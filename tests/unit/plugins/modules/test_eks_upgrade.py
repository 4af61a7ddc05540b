# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""eks_upgrade_info and eks_version_rollback with the EKS API's documented answers (Stubber; the
emulator has no insights, add-on versions, updates or rollback). Shapes from botocore's EKS
model; values from the EKS user guide's examples ("View cluster insights", "Roll back a cluster
to a previous Kubernetes version")."""

from __future__ import annotations

import datetime

from botocore.stub import ANY, Stubber

from ansible_collections.docc.platform.plugins.module_utils import _eks_upgrade
from ansible_collections.docc.platform.plugins.modules import eks_upgrade_info, eks_version_rollback
from tests.unit.conftest import boto_client, stub_clients
from tests.unit.module_runner import run_module

NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.timezone.utc)
CLUSTER = {"name": "docc", "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/docc", "status": "ACTIVE"}


def insight(iid, name, status, category="UPGRADE_READINESS", version="1.36", reason="", recommendation=""):
    return {"id": iid, "name": name, "category": category, "kubernetesVersion": version,
            "lastRefreshTime": NOW, "lastTransitionTime": NOW, "description": name,
            "insightStatus": {"status": status, "reason": reason}, "recommendation": recommendation,
            "additionalInfo": {}, "resources": [], "categorySpecificSummary": {}}


def addon_version(version, clusters):
    return {"addonVersion": version, "architecture": ["amd64"], "requiresConfiguration": False,
            "compatibilities": [{"clusterVersion": c, "platformVersions": ["*"], "defaultVersion": False}
                                for c in clusters]}


def stub_cluster(stub, version, nodegroups):
    stub.add_response("describe_cluster", {"cluster": dict(CLUSTER, version=version)}, {"name": "docc"})
    stub.add_response("list_updates", {"updateIds": []}, {"name": "docc"})
    stub.add_response("list_nodegroups", {"nodegroups": sorted(nodegroups)}, {"clusterName": "docc"})
    for name, ng_version in sorted(nodegroups.items()):
        stub.add_response("describe_nodegroup", {"nodegroup": {"nodegroupName": name, "version": ng_version}},
                          {"clusterName": "docc", "nodegroupName": name})


def stub_insights(stub, category, items, version=None):
    flt = {"categories": [category]}
    if version:
        flt["kubernetesVersions"] = [version]
    stub.add_response("list_insights", {"insights": [{k: v for k, v in i.items() if k not in (
        "recommendation", "additionalInfo", "resources", "categorySpecificSummary")} for i in items]},
        {"clusterName": "docc", "filter": flt})
    for item in items:
        stub.add_response("describe_insight", {"insight": item}, {"clusterName": "docc", "id": item["id"]})


def stub_addons(stub, installed, catalog, target):
    stub.add_response("list_addons", {"addons": sorted(installed)}, {"clusterName": "docc"})
    for name, version in sorted(installed.items()):
        stub.add_response("describe_addon", {"addon": {"addonName": name, "addonVersion": version}},
                          {"clusterName": "docc", "addonName": name})
    for name in sorted(installed):
        stub.add_response("describe_addon_versions", {"addons": [{"addonName": name, "addonVersions": catalog[name]}]},
                          {"addonName": name, "kubernetesVersion": target})


def upgrade_info(fake_aws_env, script, **args):
    eks = boto_client("eks")
    with Stubber(eks) as stub:
        script(stub)
        stub_clients(fake_aws_env, eks=eks)
        failed, result = run_module(eks_upgrade_info.main, dict({"cluster_name": "docc", "target_version": "1.36"},
                                                                **args))
        stub.assert_no_pending_responses()
    assert not failed, result
    return result


def test_a_ready_cluster_has_no_problem_and_a_cross_compatible_addon_plan(fake_aws_env):
    def script(stub):
        stub_cluster(stub, "1.35", {"docc-default": "1.35"})
        stub_insights(stub, "UPGRADE_READINESS", [
            insight("i-1", "Kubelet version skew", "PASSING",
                    reason="Node kubelet versions match the cluster control plane version."),
            insight("i-2", "Deprecated APIs removed in Kubernetes v1.36", "PASSING")], version="1.36")
        stub_addons(stub, {"vpc-cni": "v1.19.2-eksbuild.1", "coredns": "v1.11.4-eksbuild.2"}, {
            "vpc-cni": [addon_version("v1.19.2-eksbuild.1", ["1.34", "1.35", "1.36"])],
            "coredns": [addon_version("v1.11.4-eksbuild.2", ["1.34", "1.35"]),
                        addon_version("v1.12.1-eksbuild.1", ["1.35", "1.36"]),
                        addon_version("v1.12.3-eksbuild.1", ["1.35", "1.36"])]}, "1.36")
    result = upgrade_info(fake_aws_env, script)
    assert result["problems"] == [] and result["not_checked"] == {}
    assert result["current_version"] == "1.35"
    assert result["addon_plan"] == {"vpc-cni": "v1.19.2-eksbuild.1", "coredns": "v1.12.3-eksbuild.1"}


def test_each_refusal_names_its_cause(fake_aws_env):
    def script(stub):
        stub_cluster(stub, "1.35", {"docc-default": "1.34"})
        stub_insights(stub, "UPGRADE_READINESS", [
            insight("i-9", "Deprecated APIs removed in Kubernetes v1.36", "ERROR",
                    reason="Deprecated API usage detected within last 30 days.",
                    recommendation="Update manifests and API clients to use newer Kubernetes APIs."),
            insight("i-7", "kube-proxy version skew", "WARNING")], version="1.36")
        stub_addons(stub, {"coredns": "v1.11.4-eksbuild.2"},
                    {"coredns": [addon_version("v1.11.4-eksbuild.2", ["1.34", "1.35"]),
                                 addon_version("v1.13.0-eksbuild.1", ["1.36"])]}, "1.36")
    result = upgrade_info(fake_aws_env, script, accepted_insights=["kube-proxy version skew"])
    problems = "\n".join(result["problems"])
    assert "node group docc-default runs Kubernetes 1.34, the control plane 1.35" in problems
    assert "insight 'Deprecated APIs removed in Kubernetes v1.36' (UPGRADE_READINESS, id i-9) is ERROR" in problems
    assert "kube-proxy" not in problems  # accepted by name
    assert "add-on coredns (running v1.11.4-eksbuild.2) has no version that EKS lists as valid for both" in problems


def test_a_two_minor_jump_is_refused_naming_both_versions(fake_aws_env):
    def script(stub):
        stub_cluster(stub, "1.34", {"docc-default": "1.34"})
        stub_insights(stub, "UPGRADE_READINESS", [], version="1.36")
        stub_addons(stub, {}, {}, "1.36")
    result = upgrade_info(fake_aws_env, script)
    assert result["problems"] == ["the target 1.36 is more than one minor version above the running 1.34: EKS "
                                  "upgrades one minor version at a time; upgrade to 1.35 first"]


def test_an_api_without_insights_is_said_off_not_passed(fake_aws_env):
    def script(stub):
        stub_cluster(stub, "1.35", {})
        stub.add_client_error("list_insights", service_error_code="NotImplemented", http_status_code=501,
                              expected_params={"clusterName": "docc", "filter": ANY})
    result = upgrade_info(fake_aws_env, script, check_addons=False)
    assert "does not implement ListInsights" in result["not_checked"]["insights"]
    assert result["problems"] == []


def rollback(fake_aws_env, script, check_mode=False, **args):
    """The module run at NOW (the window is judged against the module's clock)."""
    eks = boto_client("eks")
    with Stubber(eks) as stub:
        script(stub)
        stub_clients(fake_aws_env, eks=eks)
        eks_version_rollback.now, saved = (lambda: NOW), eks_version_rollback.now
        try:
            failed, result = run_module(eks_version_rollback.main, dict({"cluster_name": "docc"}, **args),
                                        check_mode=check_mode)
        finally:
            eks_version_rollback.now = saved
        stub.assert_no_pending_responses()
    return failed, result


def version_update(uid, version, created, status="Successful", kind="VersionUpdate"):
    return {"id": uid, "status": status, "type": kind, "createdAt": created,
            "params": [{"type": "Version", "value": version}, {"type": "PlatformVersion", "value": "eks.1"}],
            "errors": []}


def stub_history(stub, updates):
    stub.add_response("list_updates", {"updateIds": [u["id"] for u in updates]}, {"name": "docc"})
    for update in updates:
        stub.add_response("describe_update", {"update": update}, {"name": "docc", "updateId": update["id"]})


def test_a_rollback_within_the_window_with_nodes_behind_asks_eks_and_waits(fake_aws_env, monkeypatch):
    monkeypatch.setattr(eks_version_rollback, "wait_for", lambda *a, **k: None)

    def script(stub):
        stub.add_response("describe_cluster", {"cluster": dict(CLUSTER, version="1.36")}, {"name": "docc"})
        stub_history(stub, [version_update("u-1", "1.36", NOW - datetime.timedelta(days=2))])
        stub.add_response("list_nodegroups", {"nodegroups": ["docc-default"]}, {"clusterName": "docc"})
        stub.add_response("describe_nodegroup", {"nodegroup": {"nodegroupName": "docc-default", "version": "1.35"}},
                          {"clusterName": "docc", "nodegroupName": "docc-default"})
        stub_insights(stub, "ROLLBACK_READINESS", [
            insight("r-1", "Kubelet version rollback compatibility", "PASSING", category="ROLLBACK_READINESS")])
        stub.add_response("update_cluster_version", {"update": {
            "id": "u-2", "status": "InProgress", "type": "VersionRollback", "createdAt": NOW,
            "params": [{"type": "Version", "value": "1.35"}]}},
            {"name": "docc", "version": "1.35", "force": False, "rollbackConfig": {"timeoutMinutes": 720}})
    failed, result = rollback(fake_aws_env, script)
    assert not failed, result
    assert result["changed"] and result["update_id"] == "u-2" and result["target_version"] == "1.35"
    assert result["deadline"].startswith("2026-12-09")


def test_a_rollback_after_the_window_or_with_nodes_upgraded_is_refused(fake_aws_env):
    def script(stub):
        stub.add_response("describe_cluster", {"cluster": dict(CLUSTER, version="1.36")}, {"name": "docc"})
        upgraded = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
        stub_history(stub, [version_update("u-1", "1.36", upgraded)])
        stub.add_response("list_nodegroups", {"nodegroups": ["docc-default"]}, {"clusterName": "docc"})
        stub.add_response("describe_nodegroup", {"nodegroup": {"nodegroupName": "docc-default", "version": "1.36"}},
                          {"clusterName": "docc", "nodegroupName": "docc-default"})
        stub_insights(stub, "ROLLBACK_READINESS", [
            insight("r-1", "Kubelet version rollback compatibility", "ERROR", category="ROLLBACK_READINESS",
                    reason="At least one node kubelet version matches the cluster control plane version.")])
    failed, result = rollback(fake_aws_env, script, check_mode=True)
    assert failed and result["reason"] == "refused"
    assert "the 7-day rollback window ended on 2026-11-27" in result["msg"]
    assert "node group(s) docc-default already run 1.36" in result["msg"]
    assert "insight 'Kubelet version rollback compatibility'" in result["msg"]


def test_a_cluster_never_upgraded_in_place_cannot_roll_back(fake_aws_env):
    def script(stub):
        stub.add_response("describe_cluster", {"cluster": dict(CLUSTER, version="1.36")}, {"name": "docc"})
        stub_history(stub, [version_update("u-0", "1.36", NOW, kind="LoggingUpdate")])
        stub.add_response("list_nodegroups", {"nodegroups": []}, {"clusterName": "docc"})
        stub_insights(stub, "ROLLBACK_READINESS", [])
    failed, result = rollback(fake_aws_env, script, check_mode=True)
    assert failed and "was not upgraded in place to 1.36" in result["msg"]


def test_a_second_rollback_changes_nothing(fake_aws_env):
    def script(stub):
        stub.add_response("describe_cluster", {"cluster": dict(CLUSTER, version="1.35")}, {"name": "docc"})
    failed, result = rollback(fake_aws_env, script, previous_version="1.35")
    assert not failed and result["changed"] is False


def test_the_version_order_of_addon_builds():
    assert sorted(["v1.12.10-eksbuild.1", "v1.12.3-eksbuild.1", "v1.12.3-eksbuild.2"],
                  key=_eks_upgrade._version_key) == ["v1.12.3-eksbuild.1", "v1.12.3-eksbuild.2", "v1.12.10-eksbuild.1"]


def test_the_request_loop_counts_failures_until_told_to_stop(tmp_path):
    from ansible_collections.docc.platform.plugins.modules import request_loop

    clock, stop = [0.0], tmp_path / "stop"
    answers = iter([None, "HTTP 503", None, "timed out", None])

    def get(url, timeout):
        answer = next(answers)
        if answer is None and clock[0] >= 4:
            stop.write_text("")  # the upgrade is over
        return answer

    def sleep(seconds):
        clock[0] += seconds

    result = request_loop.loop("http://x/healthz", 60, 1.0, 5.0, str(stop), clock=lambda: clock[0], sleep=sleep,
                               get=get)
    assert result["requests"] == 5 and result["failed"] == 2
    assert result["failures"] == [{"at_s": 1.0, "error": "HTTP 503"}, {"at_s": 3.0, "error": "timed out"}]
    assert not stop.exists()


def test_an_api_without_updates_cannot_roll_back_and_says_so(fake_aws_env):
    def script(stub):
        stub.add_response("describe_cluster", {"cluster": dict(CLUSTER, version="1.36")}, {"name": "docc"})
        stub.add_client_error("list_updates", service_error_code="NotImplemented", http_status_code=501,
                              expected_params={"name": "docc"})
    failed, result = rollback(fake_aws_env, script)
    assert failed and result["reason"] == "refused"
    assert "does not implement ListUpdates and UpdateClusterVersion" in result["msg"]
