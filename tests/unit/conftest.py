# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the unit tier."""

from __future__ import annotations

import socket

import pytest
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.docc.platform.plugins.module_utils._aws import DEFAULT_RETRY

# Fake credentials, deliberately not common words: Ansible masks secret values wherever
# they appear in output.
FAKE_ACCESS_KEY = "AKIADOCCUNITTEST0001"
FAKE_SECRET_KEY = "dOcCuNiTsEcReT0000000000000000000000000"


@pytest.fixture()
def fake_aws_env(monkeypatch):
    """Fake AWS credentials and region in the environment, no endpoint override or profile."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return monkeypatch


@pytest.fixture()
def moto_aws(fake_aws_env):
    """moto in-process for every boto3 client created inside the test."""
    with mock_aws():
        yield


@pytest.fixture()
def moto_server():
    """A moto server on a free loopback port (for Terraform and other clients out of process)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    yield "http://127.0.0.1:%d" % server._port
    server.stop()


def retrying(client):
    """``client`` as docc's modules get it from _aws.client: calls accept aws_retry=True."""
    return RetryingBotoClientWrapper(client, DEFAULT_RETRY)


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stub_clients(monkeypatch, **clients):
    """Make _aws.client hand out these botocore clients (each under a Stubber the test holds),
    wrapped like the real factory's: modules under test then get AWS's documented answers."""
    from ansible_collections.docc.platform.plugins.module_utils import _aws

    real = _aws.client

    def client(module, service):
        return retrying(clients[service]) if service in clients else real(module, service)

    monkeypatch.setattr(_aws, "client", client)


def boto_client(service):
    """A botocore client with fake credentials, for a Stubber (no endpoint is ever reached)."""
    import boto3

    return boto3.client(service, region_name="eu-west-1", aws_access_key_id=FAKE_ACCESS_KEY,
                        aws_secret_access_key=FAKE_SECRET_KEY)
