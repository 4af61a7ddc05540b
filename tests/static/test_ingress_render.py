# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ingress stage's renders (tests/static/render.yml, through fixture charts that read the
value keys the pinned real charts read, with the real charts' defaults and capability checks),
one test per way the role disagreed with the real charts (issue 20). The static tier renders
twice into DOCC_RENDERED and DOCC_RENDERED.again (sharing what a render keeps), then runs these."""

from __future__ import annotations

import os
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
RENDERED = os.environ.get("DOCC_RENDERED")
pytestmark = pytest.mark.skipif(not RENDERED, reason="run by the static tier after tests/static/render.yml")


def docs(sub, name):
    with open(os.path.join(RENDERED, sub, name)) as handle:
        return [d for d in yaml.safe_load_all(handle) if d]


def of_kind(items, kind):
    return [d for d in items if d.get("kind") == kind]


def test_1_the_terraform_edge_renders_no_second_load_balancer():
    """Traefik reads the Service type from service.spec.type (default LoadBalancer); the role set
    service.type, which the chart ignores: a second, public load balancer beside the Terraform NLB."""
    services = of_kind(docs("ingress", "traefik.yaml"), "Service")
    assert [s["spec"]["type"] for s in services] == ["ClusterIP"]


def test_2_the_f5_nginx_pin_is_a_chart_version_not_the_controllers():
    """nginx-ingress chart 5.0.0 does not exist: chart 2.x ships controller 5.x."""
    catalog = yaml.safe_load((ROOT / "roles" / "ingress_controller" / "vars" / "main.yml").read_text())
    pins = {name: entry["chart_version"] for name, entry in catalog["_ingress_controller_catalog"].items()}
    assert pins["f5-nginx"].split(".")[0] == "2", pins
    readme = (ROOT / "roles" / "ingress_controller" / "README.md").read_text()
    for name, version in pins.items():  # every pin says where and when it was checked
        assert re.search(r"\| %s \|[^\n]*\| %s \|" % (re.escape(name), re.escape(version)), readme), (name, version)


def test_3_the_render_uses_the_target_versions_apis():
    """Offline, helm template knew no Kubernetes version and no API list: Traefik's
    PodDisruptionBudget came out as policy/v1beta1, removed in Kubernetes 1.25."""
    budgets = of_kind(docs("ingress", "traefik.yaml"), "PodDisruptionBudget")
    assert [b["apiVersion"] for b in budgets] == ["policy/v1"]


def test_4_two_renders_are_byte_identical():
    """The load balancer controller's chart makes a new webhook certificate at every render."""
    for sub in ("ingress", "ingress-nginx"):
        for name in sorted(os.listdir(os.path.join(RENDERED, sub))):
            first = pathlib.Path(RENDERED, sub, name).read_bytes()
            again = pathlib.Path(RENDERED + ".again", sub, name).read_bytes()
            assert first == again, "%s/%s differs between two renders" % (sub, name)


def test_5_a_chart_whose_schema_refs_remote_urls_renders_offline():
    """The F5 chart's values.schema.json $refs remote URLs, which Helm fetches on every render."""
    deployments = of_kind(docs("ingress-nginx", "nginx-ingress.yaml"), "Deployment")
    assert [d["metadata"]["name"] for d in deployments] == ["nginx-ingress-controller"]


def test_6_controller_mode_carries_tls_deletion_protection_and_access_logs():
    """Controller mode ignored ingress_controller_tls, the certificate, deletion protection and
    access logs (annotations of the load balancer controller's docs/guide/service/annotations.md)."""
    service = of_kind(docs("ingress-nginx", "nginx-ingress.yaml"), "Service")[0]
    notes = service["metadata"]["annotations"]
    prefix = "service.beta.kubernetes.io/aws-load-balancer-"
    assert notes[prefix + "ssl-cert"].startswith("arn:aws:acm:")
    assert notes[prefix + "ssl-ports"] == "https"
    assert set(notes[prefix + "attributes"].split(",")) >= {
        "deletion_protection.enabled=true", "access_logs.s3.enabled=true", "access_logs.s3.bucket=docc-access-logs"}
    assert service["spec"]["loadBalancerSourceRanges"] == ["81.2.69.0/24"]
    https = next(p for p in service["spec"]["ports"] if p["name"] == "https")
    assert https["targetPort"] == 80  # TLS ends at the load balancer


def test_6_controller_mode_grants_what_the_controller_needs():
    """Its policy lacked tagging on create, listener tagging, rules on the nodes' group and the
    service-linked role; the conformance tier compares every action with the pinned upstream file."""
    policy = (ROOT / "roles" / "ingress_controller" / "files" / "terraform" / "iam.tf").read_text()
    for needed in ('"iam:CreateServiceLinkedRole"', 'variable = "elasticloadbalancing:CreateAction"',
                   'variable = "ec2:CreateAction"', 'listener-rule/net/*/*/*', '"ec2:DescribeRouteTables"'):
        assert needed in policy, needed


def test_7_the_controllers_namespace_asks_for_readiness_gates():
    """The load balancer controller injects readiness gates only in a labelled namespace."""
    for sub in ("ingress", "ingress-nginx"):
        namespace = of_kind(docs(sub, "namespace.yaml"), "Namespace")[0]
        assert namespace["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
