# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""instance_types_info: DescribeInstanceTypes as EC2 answers it (Stubber), unknown types named."""

from __future__ import annotations

from botocore.stub import Stubber

from ansible_collections.docc.platform.plugins.modules import instance_types_info
from tests.unit.conftest import boto_client, stub_clients
from tests.unit.module_runner import run_module


def test_known_and_unknown_types(fake_aws_env):
    ec2 = boto_client("ec2")
    with Stubber(ec2) as stub:
        stub.add_response("describe_instance_types", {"InstanceTypes": [{
            "InstanceType": "t3.large", "VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192},
            "NetworkInfo": {"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 12}}]},
            {"InstanceTypes": ["t3.large"]})
        stub.add_client_error("describe_instance_types", service_error_code="InvalidInstanceType",
                              service_message="The following supplied instance types do not exist: [t9.huge]",
                              expected_params={"InstanceTypes": ["t9.huge"]})
        stub_clients(fake_aws_env, ec2=ec2)
        failed, result = run_module(instance_types_info.main, {"instance_types": ["t3.large", "t9.huge"]})
    assert not failed, result
    assert result["instance_types"]["t3.large"]["max_pods"] == 35
    assert result["instance_types"]["t3.large"]["pod_memory_mib"] == 8192 - 255 - 11 * 35 - 100
    assert result["unknown"] == ["t9.huge"]
