#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: instance_types_info
short_description: What EC2 instance types can hold - memory, network interfaces, and the pods EKS allows on them
version_added: 0.3.0
description:
  - Asks EC2 (C(DescribeInstanceTypes)) about each of O(instance_types) in the region and returns its
    vCPUs, memory and network interfaces, and the number of pods an EKS node of that type runs with
    the VPC CNI's defaults - one address per pod, so (interfaces x (IPv4 addresses per interface - 1))
    + 2, the formula of the EKS AMI's C(eni-max-pods.txt) (awslabs/amazon-eks-ami).
  - Also the memory EKS AMIs reserve for the kubelet (255 MiB + 11 MiB per pod) and the eviction
    threshold (100 MiB), so the memory left for pods.
  - Types EC2 does not know in the region are listed in RV(unknown), not failed on.
author:
  - docc.platform maintainers (@docc-platform)
options:
  instance_types:
    description: Instance type names, for example C(t3.large).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What the node group's instance types hold
  docc.platform.instance_types_info:
    instance_types: [t3.large]
  register: __types
"""

RETURN = r"""
instance_types:
  description: Per instance type, what it has and what it holds.
  returned: always
  type: dict
  sample: {"t3.large": {"vcpus": 2, "memory_mib": 8192, "max_enis": 3, "ipv4_per_eni": 12, "max_pods": 35,
                        "pod_memory_mib": 7452}}
unknown:
  description: Requested types EC2 does not offer in this region.
  returned: always
  type: list
  elements: str
  sample: [t9.huge]
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws

# The EKS AMI reserves memory for the kubelet, 255 MiB + 11 MiB per pod it allows, and evicts at
# 100 MiB left (amazon-eks-ami, kube-reserved and evictionHard of its kubelet configuration).
KUBE_RESERVED_BASE_MIB = 255
KUBE_RESERVED_PER_POD_MIB = 11
EVICTION_MIB = 100


def capacity(item):
    """What one DescribeInstanceTypes entry holds as an EKS node (VPC CNI defaults)."""
    vcpus = item["VCpuInfo"]["DefaultVCpus"]
    enis = item["NetworkInfo"]["MaximumNetworkInterfaces"]
    per_eni = item["NetworkInfo"]["Ipv4AddressesPerInterface"]
    max_pods = enis * (per_eni - 1) + 2
    memory = item["MemoryInfo"]["SizeInMiB"]
    pod_memory = memory - KUBE_RESERVED_BASE_MIB - KUBE_RESERVED_PER_POD_MIB * max_pods - EVICTION_MIB
    return {"vcpus": vcpus, "memory_mib": memory, "max_enis": enis, "ipv4_per_eni": per_eni, "max_pods": max_pods,
            "pod_memory_mib": max(pod_memory, 0)}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(instance_types=dict(type="list", elements="str", required=True)),
        supports_check_mode=True,
    )
    ec2 = _aws.client(module, "ec2")
    found, unknown = {}, []
    for name in module.params["instance_types"]:
        try:
            items = ec2.describe_instance_types(InstanceTypes=[name], aws_retry=True)["InstanceTypes"]
        except botocore.exceptions.ClientError as exc:
            if _aws.error_code(exc) != "InvalidInstanceType":
                module.fail_json_aws(exc, msg="EC2 DescribeInstanceTypes failed for %s" % name)
            items = []
        if items:
            found[name] = capacity(items[0])
        else:
            unknown.append(name)
    module.exit_json(changed=False, instance_types=found, unknown=unknown)


if __name__ == "__main__":
    main()
