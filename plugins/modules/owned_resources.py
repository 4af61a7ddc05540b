#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: owned_resources
short_description: Find (and delete) the AWS resources that carry our ownership tags
version_added: 0.2.0
description:
  - Lists every resource whose tags include all of O(tags), through the Resource Groups Tagging
    API and, for what it may not list, the services themselves (IAM roles and OIDC providers, EKS
    clusters, Elastic IPs, launch templates).
  - Never returns (or deletes) a resource that an AWS service made and manages, recognised by a tag
    key with the C(aws:) prefix that only AWS can write. EKS tags the cluster security group it creates
    C(kubernetes.io/cluster/<name>=owned) and C(aws:eks:cluster-name) and deletes it with the cluster.
  - Leaves out the resources named in O(exclude), typically every ARN and id a Terraform state
    records, so what remains was created by an apply that did not live to record it (killed or
    interrupted), or by a controller (load balancers a Kubernetes controller made).
  - With O(state=absent) it deletes what it found in dependency order (EKS clusters and their
    node groups, load balancers, target groups, NAT gateways, Elastic IPs, flow logs, launch
    templates, network interfaces, security groups, route tables, internet gateways, subnets,
    VPCs, log groups, KMS keys (scheduled for deletion), IAM roles, OIDC providers) and waits,
    bounded by O(timeout), until none is left.
author:
  - docc.platform maintainers (@docc-platform)
options:
  tags:
    description: Tags every resource of ours carries, for example C(docc.platform/cluster) set to the cluster name.
    type: dict
    required: true
  exclude:
    description: ARNs or ids to leave alone (the resources a Terraform state records).
    type: list
    elements: str
    default: []
  resource_types:
    description:
      - Only resources of these types (C(service:kind) as in their ARN, for example
        C(elasticloadbalancing:loadbalancer), C(elasticloadbalancing:targetgroup), C(ec2:security-group)).
        Every type by default.
    type: list
    elements: str
  iam_name_prefix:
    description:
      - Only IAM roles whose name starts with this are inspected for tags (IAM is global; this bounds
        the number of calls). Without it, IAM roles are not inspected.
    type: str
  state:
    description: C(present) only lists; C(absent) deletes what it found.
    type: str
    choices: [present, absent]
    default: present
  grace:
    description:
      - With O(state=absent), seconds to wait first for the resources to disappear on their own (a
        controller that is deleting its load balancers); only what is left afterwards is deleted here.
    type: int
    default: 0
  timeout:
    description: Seconds to wait until everything deleted is gone.
    type: int
    default: 900
extends_documentation_fragment:
  - docc.platform.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: With O(state=absent), reports what it would delete and deletes nothing.
  diff_mode:
    support: full
    details: The ARNs before and after.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Resources tagged as the eks stack's that its state does not know
  docc.platform.owned_resources:
    tags:
      docc.platform/cluster: docc
      docc.platform/stack: eks
    exclude: "{{ __plan.state_ids }}"
    iam_name_prefix: docc-
  register: __orphans

- name: Delete what the load balancer controller left behind
  docc.platform.owned_resources:
    tags:
      elbv2.k8s.aws/cluster: docc
    state: absent
"""

RETURN = r"""
resources:
  description: The resources found (before any deletion), in deletion order.
  returned: always
  type: list
  elements: dict
  sample: [{"arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b", "type": "ec2:vpc", "id": "vpc-0a1b",
            "tags": {"docc.platform/cluster": "docc", "Name": "docc-vpc"}}]
gone_by_themselves:
  description: ARNs that disappeared during O(grace) without being deleted here.
  returned: when O(grace) was used
  type: list
  elements: str
  sample: ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/k8s-ingress-traefik/0a1b"]
deleted:
  description: ARNs deleted (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b"]
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _owned
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error
from ansible_collections.docc.platform.plugins.module_utils._waiter import poll


def run(module):
    p = module.params
    clients = {}

    def client(service):
        if service not in clients:
            clients[service] = _aws.client(module, service)
        return clients[service]

    tags = {str(k): str(v) for k, v in p["tags"].items()}

    def look():
        return _owned.unknown(_owned.find(client, tags, p["iam_name_prefix"], p["resource_types"]), p["exclude"])

    found = look()
    result = dict(changed=False, resources=found, deleted=[])
    if p["state"] == "absent" and found and p["grace"] > 0 and not module.check_mode:
        state = {"left": found}

        def left_alone():
            state["left"] = look()
            return not state["left"], "%d left" % len(state["left"])

        poll(left_alone, p["grace"], initial=2.0, cap=10.0)
        result["gone_by_themselves"] = [r["arn"] for r in found if r["arn"] not in {x["arn"] for x in state["left"]}]
        found = state["left"]
    if p["state"] == "absent" and found:
        result["changed"] = True
        result["deleted"] = [r["arn"] for r in found]
        if module._diff:
            result["diff"] = {"before": "\n".join(r["arn"] for r in found) + "\n", "after": ""}
        if not module.check_mode:
            result["deleted"] = _owned.delete(client, found, p["timeout"])

            def gone():
                left = look()
                return not left, "still listed: %s" % ", ".join(r["arn"] for r in left)

            done, left, dummy, dummy = poll(gone, p["timeout"], initial=2.0, cap=15.0)
            if not done:
                raise _owned.OwnedError("deleted resources are still there after %ss: %s" % (p["timeout"], left),
                                        deleted=result["deleted"])
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            tags=dict(type="dict", required=True),
            exclude=dict(type="list", elements="str", default=[]),
            resource_types=dict(type="list", elements="str"),
            iam_name_prefix=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            grace=dict(type="int", default=0),
            timeout=dict(type="int", default=900),
        ),
        supports_check_mode=True,
    )
    if not module.params["tags"]:
        module.fail_json(msg="tags must name at least one tag; an empty filter would match every resource")
    with fail_on_error(module, "owned resources"):
        try:
            result = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="owned resources: an AWS call failed")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
