# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster gate stages: transitions, issues, timeouts and bounded polling (botocore Stubber)."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.docc.platform.plugins.module_utils import _cluster_gate
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate
from tests.unit.conftest import retrying
from tests.unit.fake_clock import FakeClock


def _cluster(status, issues=(), auth_mode=None):
    cluster = {"name": "docc", "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/docc", "status": status,
               "createdAt": datetime.datetime(2026, 11, 26), "health": {"issues": list(issues)}}
    if auth_mode:
        cluster["accessConfig"] = {"authenticationMode": auth_mode}
    return {"cluster": cluster}


@pytest.fixture()
def eks():
    client = boto3.client("eks", region_name="eu-west-1", aws_access_key_id="AKIADOCCUNITTEST0001",
                          aws_secret_access_key="dOcCuNiTsEcReT0000000000000000000000000")
    with Stubber(client) as stub:
        yield retrying(client), stub


def test_creating_to_active_is_noticed_within_one_poll_interval(eks):
    client, stub = eks
    for status in ["CREATING", "CREATING", "CREATING", "ACTIVE"]:
        stub.add_response("describe_cluster", _cluster(status), {"name": "docc"})
    clock = FakeClock()
    sleeps = clock.sleeps
    gate = Gate(600, initial_interval=2, max_interval=30, clock=clock)
    record = gate.stage("control_plane", _cluster_gate.control_plane(client, "docc"), "ACTIVE", "hint")
    assert record["ok"] and record["polls"] == 4
    # ACTIVE became visible after the third sleep: detection came one interval later at most.
    assert sleeps == [2, 4, 8]
    assert record["elapsed_s"] - sum(sleeps[:-1]) <= sleeps[-1]


def test_a_nodegroup_issue_fails_naming_the_stage_and_the_code(eks):
    client, stub = eks
    issue = {"code": "NodeCreationFailure", "message": "Instances failed to join the kubernetes cluster",
             "resourceIds": ["i-0abc"]}
    for _dummy in range(4):  # polls at 0, 2, 6 and 10 s (the deadline)
        stub.add_response("list_nodegroups", {"nodegroups": ["docc-default"]}, {"clusterName": "docc"})
        stub.add_response("describe_nodegroup", {"nodegroup": {
            "nodegroupName": "docc-default", "clusterName": "docc", "status": "DEGRADED",
            "health": {"issues": [issue]}}}, {"clusterName": "docc", "nodegroupName": "docc-default"})
    gate = Gate(10, initial_interval=2, clock=FakeClock())
    record = gate.stage("nodegroups", _cluster_gate.nodegroups(client, "docc"), "ACTIVE", "hint")
    assert not record["ok"]
    assert record["name"] == "nodegroups"
    assert "NodeCreationFailure" in record["observed"] and "DEGRADED" in record["observed"]


def test_a_timeout_reports_the_last_observation(eks):
    client, stub = eks
    for status in ["CREATING"] * 3 + ["FAILED"]:
        stub.add_response("describe_cluster", _cluster(status), {"name": "docc"})
    gate = Gate(14, initial_interval=2, clock=FakeClock())
    record = gate.stage("control_plane", _cluster_gate.control_plane(client, "docc"), "ACTIVE", "hint")
    assert not record["ok"]
    assert record["observed"].startswith("status FAILED")
    assert record["elapsed_s"] == 14


def test_polling_is_bounded_for_a_60_second_wait(eks):
    client, stub = eks
    for _dummy in range(50):
        stub.add_response("describe_cluster", _cluster("CREATING"), {"name": "docc"})
    gate = Gate(60, initial_interval=2, max_interval=30, clock=FakeClock(jitter=None))
    gate.stage("control_plane", _cluster_gate.control_plane(client, "docc"), "ACTIVE", "hint")
    calls = 50 - len(stub._queue)
    # 2+4+8+16+30 s (jittered down to half at worst): at most 10 calls where a 1 s poll makes 60.
    assert 4 <= calls <= 10


def test_access_entries_skip_where_the_api_is_missing(eks):
    client, stub = eks
    stub.add_response("describe_cluster", _cluster("ACTIVE", auth_mode="API"), {"name": "docc"})
    stub.add_client_error("list_access_entries", service_error_code="NotImplemented", http_status_code=501,
                          expected_params={"clusterName": "docc"})
    gate = Gate(10)
    record = gate.stage("authorized", _cluster_gate.authorized(client, "docc", "arn:aws:iam::1:role/A"), "x", "h")
    assert record["skipped"] and not record["ok"]
    assert "does not implement ListAccessEntries" in record["observed"]


def test_access_entries_find_the_callers_role(eks):
    client, stub = eks
    stub.add_response("describe_cluster", _cluster("ACTIVE", auth_mode="API"), {"name": "docc"})
    stub.add_response("list_access_entries", {"accessEntries": ["arn:aws:iam::123456789012:role/Admin"]},
                      {"clusterName": "docc"})
    gate = Gate(10)
    record = gate.stage("authorized", _cluster_gate.authorized(
        client, "docc", "arn:aws:iam::123456789012:role/Admin"), "x", "h")
    assert record["ok"]


def test_an_identity_center_session_is_authorized_by_its_role_entry_with_the_path(eks):
    """The access entry names the role with its path, as AWS requires; the caller is the session
    STS reports without it. Comparing the path-less ARN never matched (issue 19, item 2)."""
    client, stub = eks
    role = ("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
            "AWSReservedSSO_Admin_0123456789abcdef")
    stub.add_response("describe_cluster", _cluster("ACTIVE", auth_mode="API"), {"name": "docc"})
    stub.add_response("list_access_entries", {"accessEntries": [role]}, {"clusterName": "docc"})
    caller = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com"
    record = Gate(10).stage("authorized", _cluster_gate.authorized(client, "docc", caller), "x", "h")
    assert record["ok"], record


def test_config_map_mode_is_skipped_with_its_reason(eks):
    client, stub = eks
    stub.add_response("describe_cluster", _cluster("ACTIVE", auth_mode="CONFIG_MAP"), {"name": "docc"})
    record = Gate(10).stage("authorized", _cluster_gate.authorized(client, "docc", "arn"), "x", "h")
    assert record["skipped"] and "CONFIG_MAP" in record["observed"]
