# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kubernetes_connection: one private kubeconfig per play; the token never in the result."""

from __future__ import annotations

import json
import os
import stat

import boto3
import pytest
import yaml

from ansible_collections.docc.platform.plugins.modules import kubernetes_connection
from tests.unit.module_runner import run_module


@pytest.fixture()
def cluster(moto_aws):
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    return boto3.client("eks").create_cluster(name="docc", roleArn=role,
                                              resourcesVpcConfig={"subnetIds": [subnet]})["cluster"]


def _user_token(path):
    with open(path) as handle:
        return yaml.safe_load(handle)["users"][0]["user"]["token"]


def test_eks_token_writes_a_private_kubeconfig_and_returns_no_token(cluster, tmp_path):
    path = str(tmp_path / "kube" / "docc.kubeconfig")
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "eks_token", "cluster_name": "docc"}, "path": path})
    assert not failed, result
    assert result["changed"] is False and result["kubeconfig"] == path and result["context"] == "docc"
    assert result["host"] == cluster["endpoint"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    token = _user_token(path)
    assert token.startswith("k8s-aws-v1.") and token not in json.dumps(result)


def test_an_absent_cluster_is_a_clear_failure(moto_aws, tmp_path):
    path = str(tmp_path / "k.kubeconfig")
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "eks_token", "cluster_name": "nope"}, "path": path})
    assert failed and "nope" in result["msg"] and not os.path.exists(path)


def test_static_token_mode_writes_the_token_only_to_the_file(tmp_path):
    path = str(tmp_path / "k.kubeconfig")
    secret = "docc-unit-static-token-7"
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "token", "host": "https://127.0.0.1:6443", "api_key": secret}, "path": path})
    assert not failed and secret not in json.dumps(result) and _user_token(path) == secret


def test_skip_mode_returns_the_reason_and_no_kubeconfig(tmp_path):
    failed, result = run_module(kubernetes_connection.main, {
        "kubernetes": {"mode": "skip", "skip_reason": "no local cluster assets"}, "path": str(tmp_path / "k")})
    assert not failed and result["kubeconfig"] is None and result["skip_reason"] == "no local cluster assets"
