#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_cluster_info
short_description: Describe an EKS cluster, its node groups and its IAM OIDC provider
version_added: 0.1.0
description:
  - Reads an EKS cluster (status, version, endpoint, logging, encryption, network and
    access configuration), every managed node group and whether an IAM OIDC provider
    exists for the cluster's issuer.
  - Returns C(exists=false) for a missing cluster instead of failing. Teardown checks and
    readiness gates rely on that.
author:
  - docc.platform maintainers (@docc-platform)
options:
  name:
    description: Cluster name.
    type: str
    required: true
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the cluster
  docc.platform.eks_cluster_info:
    name: docc
  register: __eks
"""

RETURN = r"""
exists:
  description: Whether the cluster exists.
  returned: always
  type: bool
  sample: true
cluster:
  description: DescribeCluster's cluster, keys in snake_case. Empty when the cluster does not exist.
  returned: always
  type: dict
  sample: {"name": "docc", "status": "ACTIVE", "version": "1.33"}
nodegroups:
  description: DescribeNodegroup's node groups, keys in snake_case.
  returned: always
  type: list
  elements: dict
  sample: [{"nodegroup_name": "docc-default", "status": "ACTIVE", "scaling_config": {"min_size": 2}}]
oidc_provider_arn:
  description: ARN of the IAM OIDC provider for the cluster's issuer. It is C(null) when there is none.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws


def describe(eks, iam, name):
    try:
        cluster = eks.describe_cluster(name=name, aws_retry=True)["cluster"]
    except botocore.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return dict(exists=False, cluster={}, nodegroups=[], oidc_provider_arn=None)
        raise
    nodegroups = []
    for page in eks.get_paginator("list_nodegroups").paginate(clusterName=name):
        for ng_name in page["nodegroups"]:
            nodegroups.append(eks.describe_nodegroup(clusterName=name, nodegroupName=ng_name,
                                                     aws_retry=True)["nodegroup"])
    issuer = cluster.get("identity", {}).get("oidc", {}).get("issuer", "")
    host_path = issuer.split("://", 1)[-1]
    oidc_arn = None
    for provider in iam.list_open_id_connect_providers(aws_retry=True)["OpenIDConnectProviderList"]:
        if provider["Arn"].endswith(":oidc-provider/" + host_path) and host_path:
            oidc_arn = provider["Arn"]
    return dict(exists=True, cluster=camel_dict_to_snake_dict(cluster, ignore_list=["tags"]),
                nodegroups=[camel_dict_to_snake_dict(ng, ignore_list=["tags", "labels"]) for ng in nodegroups],
                oidc_provider_arn=oidc_arn)


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    try:
        result = describe(_aws.client(module, "eks"), _aws.client(module, "iam"), module.params["name"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        module.fail_json_aws(exc, msg="Reading EKS cluster %s failed" % module.params["name"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
