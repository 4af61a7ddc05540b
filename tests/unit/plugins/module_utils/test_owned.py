# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resources found by ownership tags (moto in-process), minus what a state records, and
deleted in dependency order."""

from __future__ import annotations

import json

import boto3
import pytest

from ansible_collections.docc.platform.plugins.module_utils import _owned
from ansible_collections.docc.platform.plugins.modules import owned_resources
from tests.unit.conftest import retrying
from tests.unit.module_runner import run_module

OURS = {"docc.platform/cluster": "docc", "docc.platform/stack": "eks"}


def _tags(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@pytest.fixture()
def leftovers(moto_aws):
    """What a killed apply can leave: a VPC with a subnet, a KMS key, a role, a log group; and
    one VPC of somebody else."""
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": _tags(dict(OURS, Name="docc-vpc"))}])["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20", TagSpecifications=[
        {"ResourceType": "subnet", "Tags": _tags(OURS)}])["Subnet"]["SubnetId"]
    ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": _tags({"docc.platform/cluster": "other"})}])
    key = boto3.client("kms").create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in OURS.items()])
    role = boto3.client("iam").create_role(RoleName="docc-cluster", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": []}), Tags=_tags(OURS))["Role"]
    boto3.client("logs").create_log_group(logGroupName="/aws/eks/docc/cluster", tags=OURS)
    return {"vpc": vpc, "subnet": subnet, "key": key["KeyMetadata"]["KeyId"], "role": role["Arn"]}


def _client(service):
    return retrying(boto3.client(service))


def test_find_lists_every_kind_by_tags_in_deletion_order(leftovers):
    found = _owned.find(_client, OURS, iam_name_prefix="docc-")
    kinds = [r["type"] for r in found]
    assert kinds == ["ec2:subnet", "ec2:vpc", "logs:log-group", "kms:key", "iam:role"]
    assert {r["id"] for r in found} >= {leftovers["vpc"], leftovers["subnet"], leftovers["key"], "docc-cluster",
                                        "/aws/eks/docc/cluster"}


def test_what_a_state_records_is_not_an_orphan(leftovers):
    found = _owned.find(_client, OURS, iam_name_prefix="docc-")
    rest = _owned.unknown(found, [leftovers["vpc"], leftovers["role"]])
    assert [r["type"] for r in rest] == ["ec2:subnet", "logs:log-group", "kms:key"]


def test_the_module_deletes_them_and_a_second_run_changes_nothing(leftovers):
    args = {"tags": OURS, "iam_name_prefix": "docc-", "state": "absent", "timeout": 30}
    failed, check = run_module(owned_resources.main, args, check_mode=True)
    assert not failed and check["changed"] and len(check["deleted"]) == 5
    assert len(_owned.find(_client, OURS, "docc-")) == 5  # check mode deleted nothing
    failed, result = run_module(owned_resources.main, args)
    assert not failed, result
    assert _owned.find(_client, OURS, "docc-") == []
    key = boto3.client("kms").describe_key(KeyId=leftovers["key"])["KeyMetadata"]
    assert key["KeyState"] == "PendingDeletion"
    assert boto3.client("ec2").describe_vpcs(Filters=[{"Name": "tag:docc.platform/cluster", "Values": ["other"]}])[
        "Vpcs"], "somebody else's VPC stays"
    failed, again = run_module(owned_resources.main, args)
    assert not failed and not again["changed"]


def test_an_empty_tag_filter_is_refused(moto_aws):
    failed, result = run_module(owned_resources.main, {"tags": {}})
    assert failed and "empty filter would match every resource" in result["msg"]


@pytest.mark.parametrize("arn, kind, ident", [
    ("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1", "ec2:vpc", "vpc-1"),
    ("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/docc/cluster:*", "logs:log-group",
     "/aws/eks/docc/cluster"),
    ("arn:aws:kms:eu-west-1:123456789012:key/abcd", "kms:key", "abcd"),
    ("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/docc-edge/0a1b",
     "elasticloadbalancing:loadbalancer", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/"
     "docc-edge/0a1b"),
    ("arn:aws:eks:eu-west-1:123456789012:cluster/docc", "eks:cluster", "docc"),
])
def test_parse_arn(arn, kind, ident):
    record = _owned.parse_arn(arn)
    assert (record["type"], record["id"]) == (kind, ident)
