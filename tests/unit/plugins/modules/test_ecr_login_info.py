"""ecr_login_info turns ECR's authorization token into docker login credentials."""

from __future__ import annotations

import pytest
from moto import mock_aws

from ansible_collections.docc.platform.plugins.modules import ecr_login_info
from tests.unit.module_runner import run_module


@pytest.fixture()
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIADOCCUNITTEST0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "dOcCuNiTsEcReT0000000000000000000000000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def test_returns_docker_login_credentials(aws):
    failed, result = run_module(ecr_login_info.main, {}, check_mode=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["username"] == "AWS"
    assert result["password"]
    assert result["registry"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    assert "://" not in result["registry"]
    assert result["expires_at"][:4].isdigit()
