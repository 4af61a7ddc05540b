"""eks_connection_info gives kubernetes.core what it needs: host, CA file, minted token."""

from __future__ import annotations

import base64
import os

import boto3
import pytest

from ansible_collections.docc.platform.plugins.module_utils import _eks_auth
from ansible_collections.docc.platform.plugins.modules import eks_connection_info
from tests.unit.module_runner import run_module


@pytest.fixture()
def cluster(moto_aws):
    role = boto3.client("iam").create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    yield boto3.client("eks").create_cluster(name="docc", roleArn=role,
                                             resourcesVpcConfig={"subnetIds": []})["cluster"]


def test_host_ca_and_token(cluster, tmp_path):
    path = tmp_path / "eks" / "ca.crt"
    failed, result = run_module(eks_connection_info.main, {"cluster_name": "docc", "ca_cert_path": str(path)})
    assert not failed, result
    assert result["changed"] is True
    assert result["host"] == cluster["endpoint"]
    assert path.read_bytes() == base64.b64decode(cluster["certificateAuthority"]["data"])
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert "x-k8s-aws-id" in _eks_auth.decode_token(result["api_key"])
    again = run_module(eks_connection_info.main, {"cluster_name": "docc", "ca_cert_path": str(path)})[1]
    assert again["changed"] is False


def test_a_missing_cluster_fails_clearly(cluster, tmp_path):
    failed, result = run_module(eks_connection_info.main, {"cluster_name": "nope", "ca_cert_path": str(tmp_path / "c")})
    assert failed and "Cannot build a connection to EKS cluster nope" in result["msg"]
