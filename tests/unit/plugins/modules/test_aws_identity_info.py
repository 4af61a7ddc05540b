# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""aws_identity_info reports the caller and the endpoint through docc's client factory."""

from __future__ import annotations

import json
import socket

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.docc.platform.plugins.modules import aws_identity_info
from tests.unit.conftest import boto_client, stub_clients
from tests.unit.module_runner import run_module

SSO_SESSION = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com"
SSO_ROLE = ("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
            "AWSReservedSSO_Admin_0123456789abcdef")


@pytest.fixture()
def sso_caller(fake_aws_env):
    """STS and IAM answering as AWS documents them for an IAM Identity Center user: the session ARN
    has no path (STS GetCallerIdentity), the role has one (IAM GetRole)."""
    sts, iam = boto_client("sts"), boto_client("iam")
    with Stubber(sts) as sts_stub, Stubber(iam) as iam_stub:
        sts_stub.add_response("get_caller_identity", {
            "UserId": "AROAEXAMPLEID:alice@example.com", "Account": "123456789012", "Arn": SSO_SESSION})
        stub_clients(fake_aws_env, sts=sts, iam=iam)
        yield iam_stub


def test_reports_the_caller_and_endpoint(moto_aws):
    failed, result = run_module(aws_identity_info.main, {}, check_mode=True)
    assert not failed
    assert result["changed"] is False
    assert result["account"] == "123456789012"
    assert result["arn"] == result["principal_arn"]
    assert result["endpoint_url"] == "https://sts.eu-west-1.amazonaws.com"
    assert result["region"] == "eu-west-1"


def test_an_assumed_role_maps_to_its_role(moto_aws, monkeypatch):
    iam = boto3.client("iam")
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    role = iam.create_role(RoleName="PlatformAdmin", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    creds = boto3.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="alice")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    failed, result = run_module(aws_identity_info.main, {})
    assert not failed
    assert result["arn"] == "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice"
    assert result["principal_arn"] == role["Arn"]


def test_the_endpoint_variable_reaches_the_client(fake_aws_env, moto_server):
    """AWS_ENDPOINT_URL (what the inventory's docc_aws_endpoint_url becomes) steers the client."""
    monkeypatch = fake_aws_env
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    failed, result = run_module(aws_identity_info.main, {})
    assert not failed, result
    assert result["endpoint_url"] == moto_server
    assert result["account"] == "123456789012"


def test_an_unreachable_endpoint_fails_naming_the_variable(fake_aws_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % sock.getsockname()[1]
    monkeypatch = fake_aws_env
    monkeypatch.setenv("AWS_ENDPOINT_URL", dead)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    failed, result = run_module(aws_identity_info.main, {})
    assert failed
    assert "STS GetCallerIdentity failed at %s" % dead in result["msg"]
    assert "docc_aws_endpoint_url" in result["msg"]


def test_an_identity_center_session_maps_to_its_role_with_the_path(sso_caller):
    """An access entry for the path-less ARN fails on AWS ("The specified principalArn is invalid:
    invalid principal", terraform-aws-eks #2969): the role's ARN comes from IAM GetRole."""
    sso_caller.add_response("get_role", {"Role": {
        "Path": "/aws-reserved/sso.amazonaws.com/eu-west-1/", "RoleName": "AWSReservedSSO_Admin_0123456789abcdef",
        "RoleId": "AROAEXAMPLEID0123456", "Arn": SSO_ROLE, "CreateDate": "2026-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": "{}"}}, {"RoleName": "AWSReservedSSO_Admin_0123456789abcdef"})
    failed, result = run_module(aws_identity_info.main, {})
    assert not failed, result
    assert result["arn"] == SSO_SESSION
    assert result["principal_arn"] == SSO_ROLE


def test_a_refused_get_role_leaves_the_principal_unknown_and_says_why(sso_caller):
    sso_caller.add_client_error("get_role", service_error_code="AccessDenied", http_status_code=403,
                                service_message="User is not authorized to perform: iam:GetRole")
    failed, result = run_module(aws_identity_info.main, {})
    assert not failed, result
    assert result["principal_arn"] is None
    assert result["principal_arn_error"] == ("IAM GetRole(AWSReservedSSO_Admin_0123456789abcdef) was refused: "
                                             "AccessDenied")
