#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: endpoint_gate
short_description: Wait until a service answers through its load balancer and its DNS name
version_added: 0.1.0
description:
  - Checks readiness in stages with one total O(timeout). The stages are
    C(load_balancer) (a Service or Ingress gets a load balancer host name), C(dns) (a
    name resolves, optionally through a given DNS server) and C(http) (the URL answers an
    expected status with a given Host header).
  - Returns the same stage records as M(docc.platform.cluster_gate). The waits use capped
    exponential backoff with jitter, never a fixed sleep.
  - Stages without input are reported as skipped with the reason.
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
  kubernetes:
    description: How to reach the Kubernetes API when O(resource) is set (kubeconfig or host and token).
    type: dict
    default: {}
    suboptions:
      kubeconfig:
        description: kubeconfig path; KUBECONFIG by default.
        type: path
      context:
        description: kubeconfig context.
        type: str
      host:
        description: API server URL (with O(kubernetes.api_key)).
        type: str
      api_key:
        description: Bearer token.
        type: str
      ca_cert:
        description: CA bundle file.
        type: path
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
  timeout:
    description: Total seconds for all stages.
    type: int
    default: 600
  initial_interval:
    description: First wait between polls, in seconds.
    type: float
    default: 2.0
  max_interval:
    description: Longest wait between polls, in seconds.
    type: float
    default: 30.0
extends_documentation_fragment:
  - docc.platform.attributes.read_only
"""

EXAMPLES = r"""
- name: Wait for the service through its DNS name
  docc.platform.endpoint_gate:
    resource: {kind: Service, namespace: ingress-nginx, name: ingress-nginx-controller}
    dns_name: service.docc.domain.io
    url: http://service.docc.domain.io/healthz
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
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.docc.platform.plugins.module_utils import _endpoint_gate, _k8s
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate, failure_message


def run(p):
    gate = Gate(p["timeout"], p["initial_interval"], p["max_interval"])
    found = {"host": p["hostname"]}
    cleanup = []
    try:
        if p["resource"]:
            r = p["resource"]
            record = gate.stage("load_balancer",
                                _endpoint_gate.load_balancer(_k8s.from_options(p["kubernetes"], cleanup), r["kind"],
                                                             r["namespace"], r["name"], found),
                                "%s %s/%s with a load balancer address" % (r["kind"], r["namespace"], r["name"]),
                                "The cloud controller has not provisioned the load balancer: look at the resource's "
                                "events (subnet tags kubernetes.io/role/elb, quotas).")
            if not record["ok"]:
                return gate, found, record
    finally:
        for path in cleanup:
            os.unlink(path)
    name = p["dns_name"] or found["host"]
    if not name:
        return gate, found, None
    record = gate.stage("dns", _endpoint_gate.dns_check(name, p["resolver"], p["resolver_port"]),
                        "%s resolves%s" % (name, " via %s" % p["resolver"] if p["resolver"] else ""),
                        "New load balancer names and Route53 records take a while to propagate; check the record "
                        "and the zone's delegation.")
    if not record["ok"]:
        return gate, found, record
    url = p["url"] or "http://%s/" % name
    record = gate.stage("http", _endpoint_gate.http_check(url, p["host_header"] or p["dns_name"], p["expected_status"],
                                                          p["validate_certs"]),
                        "GET %s answers %s" % (url, "/".join(str(s) for s in p["expected_status"])),
                        "The load balancer answers but the backend does not: check the ingress rules, the Service's "
                        "endpoints and the pods' readiness.")
    return gate, found, None if record["ok"] else record


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type="dict", options=dict(
                kind=dict(type="str", choices=["Service", "Ingress"], default="Service"),
                namespace=dict(type="str", required=True),
                name=dict(type="str", required=True),
            )),
            kubernetes=dict(type="dict", default={}, options=dict(
                kubeconfig=dict(type="path"),
                context=dict(type="str"),
                host=dict(type="str"),
                api_key=dict(type="str", no_log=True),
                ca_cert=dict(type="path"),
            )),
            hostname=dict(type="str"),
            dns_name=dict(type="str"),
            resolver=dict(type="str"),
            resolver_port=dict(type="int", default=53),
            url=dict(type="str"),
            host_header=dict(type="str"),
            expected_status=dict(type="list", elements="int", default=[200]),
            validate_certs=dict(type="bool", default=True),
            timeout=dict(type="int", default=600),
            initial_interval=dict(type="float", default=2.0),
            max_interval=dict(type="float", default=30.0),
        ),
        required_one_of=[("resource", "hostname", "dns_name")],
        supports_check_mode=True,
    )
    try:
        gate, found, failed = run(module.params)
    except _k8s.K8sError as exc:
        module.fail_json(msg="endpoint gate: %s" % exc)
    result = dict(changed=False, stages=gate.stages, hostname=found["host"])
    if failed:
        module.fail_json(msg=failure_message("endpoint gate", failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
