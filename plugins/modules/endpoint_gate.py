#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: endpoint_gate
short_description: Wait until a service answers through its load balancer and its DNS name
version_added: 0.1.0
description:
  - Checks readiness in stages with one total O(timeout). The stages are
    C(service_address) (a Service or Ingress gets a load balancer host name; only with
    O(resource)), C(load_balancer) (the ELBv2 or classic ELB API knows a load balancer with
    that DNS name and reports it active), C(dns) (a name resolves, optionally through a given
    DNS server) and C(http) (the URL answers an expected status with a given Host header).
  - Returns the same stage records as M(docc.platform.cluster_gate). The waits use capped
    exponential backoff with jitter, never a fixed sleep. A Kubernetes API or a load balancer
    that does not answer yet is polled again until the deadline.
  - Stages without input, or named in O(skip_stages), are reported as skipped with the reason.
author:
  - docc.platform maintainers (@docc-platform)
options:
  resource:
    description: Service or Ingress whose load balancer host name to wait for. Without it, give O(hostname).
    type: dict
    suboptions:
      kind:
        description: Resource kind.
        type: str
        choices: [Service, Ingress]
        default: Service
      namespace:
        description: Namespace.
        type: str
        required: true
      name:
        description: Name.
        type: str
        required: true
  hostname:
    description: Load balancer host name when it is already known.
    type: str
  dns_name:
    description: Name that must resolve (for example C(service.docc.domain.io)); the load balancer host name by default.
    type: str
  resolver:
    description: DNS server (IP address) to ask instead of the system resolver.
    type: str
  resolver_port:
    description: Port of O(resolver).
    type: int
    default: 53
  url:
    description: URL to probe; C(http://<dns name>/) by default.
    type: str
  host_header:
    description: Host header for the probe; O(dns_name) by default.
    type: str
  expected_status:
    description: HTTP statuses that count as ready.
    type: list
    elements: int
    default: [200]
  validate_certs:
    description: Verify TLS certificates of the probe.
    type: bool
    default: true
  skip_stages:
    description:
      - Stages that cannot run in this environment, each with the reason (for example C(dns) with
        C(the zones are not served by a DNS server)). They are reported as skipped.
    type: dict
    default: {}
  timeout:
    description: Total seconds for all stages.
    type: int
    default: 600
extends_documentation_fragment:
  - docc.platform.kubernetes
  - docc.platform.polling
  - docc.platform.attributes
  - docc.platform.attributes.read_only
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait for the service through its DNS name
  docc.platform.endpoint_gate:
    hostname: "{{ ingress_controller_load_balancer_hostname }}"
    dns_name: service.docc.domain.io
    url: http://service.docc.domain.io/healthz

- name: Wait until a controller-made load balancer appears on a Service
  docc.platform.endpoint_gate:
    resource: {kind: Service, namespace: traefik, name: traefik}
    kubernetes:
      mode: eks_token
      cluster_name: docc
    skip_stages:
      http: the service has no backend yet
"""

RETURN = r"""
stages:
  description: Stage records (name, ok, skipped, observed, expected, hint, elapsed_s, polls).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "dns", "ok": true, "observed": "service.docc.domain.io -> 192.0.2.10"}]
hostname:
  description: The load balancer host name (found or given).
  returned: always
  type: str
  sample: a1b2c3-123456.elb.eu-west-1.amazonaws.com
load_balancer:
  description: The load balancer the host name belongs to, as the ELB API reports it.
  returned: when the C(load_balancer) stage passed
  type: dict
  sample: {"name": "docc-edge", "kind": "network", "state": "active", "zone_id": "Z2IFOLAFXWLO4F"}
"""

try:
    import botocore
except ImportError:
    botocore = None  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.docc.platform.plugins.module_utils import _aws, _endpoint_gate, _k8s
from ansible_collections.docc.platform.plugins.module_utils._errors import fail_on_error
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate, failure_message, polling_argument_spec

STAGES = ("service_address", "load_balancer", "dns", "http")


def run(module):
    p = module.params
    gate = Gate(p["timeout"], p["initial_interval"], p["max_interval"])
    found = {"host": p["hostname"]}
    skips = p["skip_stages"]

    def stage(name, make_check, expected, hint):
        if name in skips:
            return gate.skip(name, expected, skips[name])
        return gate.stage(name, make_check(), expected, hint)

    if p["resource"]:
        r = p["resource"]
        cleanup = []
        try:
            api = _k8s.connect(p["kubernetes"], cleanup, lambda service: _aws.client(module, service))
            record = stage("service_address",
                           lambda: _endpoint_gate.service_address(api, r["kind"], r["namespace"], r["name"], found),
                           "%s %s/%s with a load balancer address" % (r["kind"], r["namespace"], r["name"]),
                           "The load balancer controller has not provisioned the load balancer: look at the "
                           "resource's events (subnet tags kubernetes.io/role/elb, quotas, controller logs).")
        finally:
            _k8s.remove_files(cleanup)
        if not (record["ok"] or record["skipped"]):
            return gate, found, record
    if found["host"]:
        record = stage("load_balancer",
                       lambda: _endpoint_gate.load_balancer(_aws.client(module, "elbv2"), _aws.client(module, "elb"),
                                                            found["host"], found),
                       "a load balancer with DNS name %s, state active" % found["host"],
                       "The ELB API does not know this host name in this account and region, or the load "
                       "balancer is still provisioning; check the ingress stage's outputs and the region.")
        if not (record["ok"] or record["skipped"]):
            return gate, found, record
    name = p["dns_name"] or found["host"]
    if not name:
        return gate, found, None
    record = stage("dns", lambda: _endpoint_gate.dns_check(name, p["resolver"], p["resolver_port"]),
                   "%s resolves%s" % (name, " via %s" % p["resolver"] if p["resolver"] else ""),
                   "New load balancer names and Route53 records take a while to propagate; check the record "
                   "and the zone's delegation.")
    if not (record["ok"] or record["skipped"]):
        return gate, found, record
    url = p["url"] or "http://%s/" % name
    record = stage("http", lambda: _endpoint_gate.http_check(url, p["host_header"] or p["dns_name"],
                                                             p["expected_status"], p["validate_certs"]),
                   "GET %s answers %s" % (url, "/".join(str(s) for s in p["expected_status"])),
                   "The load balancer answers but the backend does not: check the ingress rules, the Service's "
                   "endpoints and the pods' readiness.")
    return gate, found, None if (record["ok"] or record["skipped"]) else record


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            resource=dict(type="dict", options=dict(
                kind=dict(type="str", choices=["Service", "Ingress"], default="Service"),
                namespace=dict(type="str", required=True),
                name=dict(type="str", required=True),
            )),
            kubernetes=_k8s.CONNECTION_SPEC,
            hostname=dict(type="str"),
            dns_name=dict(type="str"),
            resolver=dict(type="str"),
            resolver_port=dict(type="int", default=53),
            url=dict(type="str"),
            host_header=dict(type="str"),
            expected_status=dict(type="list", elements="int", default=[200]),
            validate_certs=dict(type="bool", default=True),
            skip_stages=dict(type="dict", default={}),
            timeout=dict(type="int", default=600),
            **polling_argument_spec(),
        ),
        required_one_of=[("resource", "hostname", "dns_name")],
        supports_check_mode=True,
    )
    unknown = sorted(set(module.params["skip_stages"]) - set(STAGES))
    if unknown:
        module.fail_json(msg="skip_stages names unknown stages %s; the stages are %s" % (unknown, ", ".join(STAGES)))
    with fail_on_error(module, "endpoint gate"):
        try:
            gate, found, failed = run(module)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            module.fail_json_aws(exc, msg="endpoint gate: an AWS call failed")
    result = dict(changed=False, stages=gate.stages, hostname=found["host"])
    if found.get("load_balancer"):
        result["load_balancer"] = found["load_balancer"]
    if failed:
        module.fail_json(msg=failure_message("endpoint gate", failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
