# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's value rules, case by case: refused with the variable named and the allowed range or
form, or accepted. The e2e bad-input matrix proves the same refusals stop site.yml before any
change; this file proves each rule's edges quickly."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.docc.platform.plugins.action.validate_role_vars import ROLES_DIR, rule_problems

# What the playbooks would give the templated defaults (region, environment, earlier outputs).
CONTEXT = {
    "eks_cluster_region": "eu-west-1", "eks_cluster_environment": "test",
    "eks_cluster_public_access_cidrs": ["81.2.69.0/24"],
    "container_image_source_dir": os.path.join(ROLES_DIR, "..", "sample"),
    "container_image_registry": "127.0.0.1:5000", "container_image_registry_username": "ci",
    "container_image_registry_password": "x",
    "ingress_controller_cluster_name": "docc", "ingress_controller_vpc_id": "vpc-1",
    "ingress_controller_vpc_cidr": "10.0.0.0/16", "ingress_controller_public_subnet_ids": ["subnet-1"],
    "ingress_controller_node_security_group_id": "sg-1", "ingress_controller_oidc_provider_arn": "arn:oidc",
    "ingress_controller_oidc_issuer_url": "https://oidc", "_ingress_controller_class": "traefik",
    "app_deploy_image": "127.0.0.1:5000/domain/docc-sample@sha256:" + "a" * 64, "app_deploy_run_as_user": 65532,
    "app_deploy_run_as_group": 65532, "app_deploy_registry_username": "ci", "app_deploy_registry_password": "x",
    "app_deploy_ingress_class": "traefik", "app_deploy_ingress_namespace": "ingress",
    "app_deploy_host": "service.docc.domain.io",
    "dns_record_target": "docc-edge-1.eu-west-1.elb.amazonaws.com", "dns_record_name": "service.docc.domain.io",
    "dns_record_target_zone_id": "",
}


def role_values(role, **overrides):
    """The role's defaults and vars as the play would see them, with overrides."""
    values = {}
    for name in ("defaults", "vars"):
        with open(os.path.join(ROLES_DIR, role, name, "main.yml")) as handle:
            values.update(yaml.safe_load(handle) or {})
    values.update({k: v for k, v in CONTEXT.items() if k.startswith(role) or k.startswith("_" + role)})
    values.update(overrides)
    return values


def problems(role, phase="all", **overrides):
    values = role_values(role, **overrides)
    phases = {"all": ("input", "stage"), "input": ("input",), "stage": ("stage",)}[phase]

    def value_of(name):
        if name not in values:
            raise KeyError(name)
        return values[name]
    return rule_problems(role, phases, value_of)


@pytest.mark.parametrize("role", ["eks_cluster", "container_image", "ingress_controller", "app_deploy", "dns_record",
                                  "stage"])
def test_the_defaults_pass(role):
    assert problems(role) == []


CASES = [
    # (role, overrides, expected text)
    # A name EKS accepts (1 to 100 characters), but too long for the IAM role the ingress stage derives.
    ("eks_cluster", {"eks_cluster_name": "a" * 40},
     "eks_cluster_name '%s' is 40 characters: the ingress stage's IAM role (AWS Load Balancer Controller) "
     "%s-aws-load-balancer-controller would be 69, and AWS allows 64, so eks_cluster_name may have at most 35"
     % ("a" * 40, "a" * 40)),
    ("eks_cluster", {"eks_cluster_name": "my_cluster"}, "not ending with '-': EKS allows '_' too"),
    ("eks_cluster", {"eks_cluster_name": "internal-x"}, "may not start with 'internal-'"),
    ("eks_cluster", {"eks_cluster_kubernetes_version": "v1.36.1"},
     "eks_cluster_kubernetes_version 'v1.36.1' is malformed"),
    ("eks_cluster", {"eks_cluster_region": "eu-west-9"}, "eks_cluster_region 'eu-west-9' is not a region"),
    ("eks_cluster", {"eks_cluster_public_access_cidrs": []}, "eks_cluster_public_access_cidrs is empty"),
    ("eks_cluster", {"eks_cluster_public_access_cidrs": ["10.0.0.0/8"]}, "10.0.0.0/8 is in 10.0.0.0/8, a private"),
    ("eks_cluster", {"eks_cluster_public_access_cidrs": ["203.0.113.10/32"]}, "203.0.113.10/32 is in 203.0.113.0/24"),
    ("eks_cluster", {"eks_cluster_public_access_cidrs": ["0.0.0.0/0"]}, "0.0.0.0/0 opens it to everyone"),
    ("eks_cluster", {"eks_cluster_public_access_cidrs": ["81.2.%d.0/24" % i for i in range(41)]},
     "holds 41 blocks; AWS accepts at most 40"),
    ("eks_cluster", {"eks_cluster_endpoint_private_only": True}, "eks_cluster_endpoint_private_only is true, so the "
                                                                 "API has no public endpoint, but"),
    ("eks_cluster", {"eks_cluster_log_retention_days": 10}, "eks_cluster_log_retention_days must be a CloudWatch"),
    ("eks_cluster", {"eks_cluster_node_disk_size": 0}, "eks_cluster_node_disk_size (0) must be 1 to 16384"),
    ("eks_cluster", {"eks_cluster_tags": {"aws:x": "y"}}, "eks_cluster_tags: keys may not start with aws:"),
    ("stage", {"stage_state_backend": "s3"}, "stage_state_backend is s3: set stage_s3_bucket"),
    ("container_image", {"container_image_repository": "Domain/Sample"}, "container_image_repository 'Domain/Sample'"),
    ("container_image", {"container_image_version": "-1"}, "container_image_version '-1' is not a valid tag"),
    ("container_image", {"container_image_registry": "https://ghcr.io"}, "is not a registry host[:port]"),
    ("container_image", {"container_image_registry_auth": "ecr"}, "needs container_image_registry to be an ECR"),
    ("container_image", {"container_image_registry_auth": "ecr", "container_image_extra_tags": ["latest"],
                         "container_image_registry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com"},
     "follow the newest build, which an ECR repository with IMMUTABLE tags refuses"),
    ("container_image", {"container_image_registry_password": ""}, "container_image_registry_username and "
                                                                   "container_image_registry_password must be set"),
    ("ingress_controller", {"ingress_controller_controller": "ingress-nginx"}, "ingress-nginx is retired"),
    ("ingress_controller", {"ingress_controller_chart_version": "latest"}, "ingress_controller_chart_version is "
                                                                           "'latest'"),
    ("ingress_controller", {"ingress_controller_allowed_cidrs": []}, "ingress_controller_allowed_cidrs is empty"),
    ("ingress_controller", {"ingress_controller_tls": True}, "ingress_controller_certificate_arn must be an ACM"),
    ("ingress_controller", {"ingress_controller_values": {"securityContext": {"privileged": True}}},
     "ingress_controller_values weakens the controller's security settings (securityContext.privileged: True)"),
    ("ingress_controller", {"ingress_controller_lbc_values": {"podSecurityContext": {"runAsUser": 0}}},
     "ingress_controller_lbc_values weakens the controller's security settings (podSecurityContext.runAsUser: 0)"),
    ("ingress_controller", {"ingress_controller_replicas": 0}, "ingress_controller_replicas (0) must be at least 1"),
    ("ingress_controller", {"ingress_controller_vpc_id": ""}, "ingress_controller_vpc_id is empty"),
    ("app_deploy", {"app_deploy_replicas": 1000}, "app_deploy_replicas is 1000: with one more pod during a rollout "
                                                  "that is 1001 pods, and app_deploy_quota allows 10"),
    ("app_deploy", {"app_deploy_replicas": 9, "app_deploy_resources": {"requests": {"cpu": "500m", "memory": "32Mi"},
                                                                       "limits": {"cpu": "500m", "memory": "128Mi"}}},
     "10 pods (one more during a rollout) of 500m requests.cpu each need more than app_deploy_quota's 2 requests.cpu"),
    ("app_deploy", {"app_deploy_port": 70000}, "app_deploy_port must be a TCP port"),
    ("app_deploy", {"app_deploy_host": "bad_host"}, "app_deploy_host 'bad_host' is not a DNS host name"),
    ("app_deploy", {"app_deploy_image": "nginx:latest"}, "is not pinned by digest"),
    ("app_deploy", {"app_deploy_run_as_user": 0}, "must be numeric ids other than 0"),
    ("dns_record", {"dns_record_name": "docc.domain.io"}, "dns_record_name docc.domain.io is the apex of "
                                                          "dns_record_zone docc.domain.io"),
    ("dns_record", {"dns_record_name": "service.other.io"}, "is outside dns_record_zone"),
    ("dns_record", {"dns_record_ttl": -1}, "dns_record_ttl is -1: Route53 takes 0 to 2147483647 seconds"),
    ("dns_record", {"dns_record_ttl": 2147483648}, "dns_record_ttl is 2147483648"),
    ("dns_record", {"dns_record_target": ""}, "dns_record_target is empty"),
    # Appended so the ids above stay those docs/aws-rules.md cites.
    ("eks_cluster", {"eks_cluster_name": "sg-prod"}, "(sg-prod-node, sg-prod-edge) may not start with 'sg-'"),
    ("dns_record", {"dns_record_name": "%s.docc.domain.io" % ("s" * 58)},
     "shorten the first label to at most 57 characters"),
    ("ingress_controller", {"ingress_controller_allowed_cidrs": ["81.2.%d.0/24" % i for i in range(31)]},
     "ingress_controller_allowed_cidrs has 31 entries: each takes two inbound rules"),
    ("ingress_controller", {"ingress_controller_state": "absent", "ingress_controller_deletion_protection": True},
     "AWS refuses to delete a protected load balancer"),
    ("dns_record", {"app_deploy_host": "www.docc.domain.io"},
     "dns_record_name service.docc.domain.io and app_deploy_host www.docc.domain.io differ"),
    ("eks_cluster", {"eks_cluster_node_kubernetes_version": "1.37"}, "eks_cluster_node_kubernetes_version '1.37' "
                                                                     "must be empty"),
    ("eks_cluster", {"eks_cluster_node_kubernetes_version": "1.34"}, "or one minor below it"),
]


@pytest.mark.parametrize("role, overrides, expected", CASES, ids=["%s-%s" % (c[0], i) for i, c in enumerate(CASES)])
def test_a_bad_value_is_refused_naming_the_variable(role, overrides, expected):
    found = problems(role, **overrides)
    assert any(expected in p for p in found), found
    assert all(any(name in p for name in overrides) or role in p for p in found), found


def test_nodes_one_minor_behind_are_accepted_while_an_upgrade_bakes():
    assert problems("eks_cluster", eks_cluster_node_kubernetes_version="1.35") == []


def test_names_at_the_limits_are_accepted():
    assert problems("dns_record", dns_record_name="%s.docc.domain.io" % ("s" * 57)) == []
    thirty = ["81.2.%d.0/24" % i for i in range(30)]
    assert problems("ingress_controller", ingress_controller_allowed_cidrs=thirty) == []
    assert problems("ingress_controller", ingress_controller_deletion_protection=True) == []


def test_a_weaker_security_override_is_accepted_with_consent():
    assert problems("ingress_controller", ingress_controller_values={"securityContext": {"privileged": True}},
                    ingress_controller_allow_weaker_security=True) == []


def test_rules_that_need_earlier_stages_wait_for_the_stage():
    assert problems("dns_record", phase="input", dns_record_target="") == []
    assert problems("dns_record", phase="stage", dns_record_target="") != []


def test_the_longest_cluster_name_the_platform_takes_is_accepted():
    assert problems("eks_cluster", eks_cluster_name="a" * 35) == []


def test_a_public_allowlist_and_a_private_only_endpoint_are_both_fine():
    assert problems("eks_cluster", eks_cluster_public_access_cidrs=["81.2.69.0/24", "2.16.0.0/13"]) == []
    assert problems("eks_cluster", eks_cluster_public_access_cidrs=[], eks_cluster_endpoint_private_only=True) == []


def _instance_types(**types):
    """What instance_types_info registers, from DescribeInstanceTypes answers (EC2 API Reference, t3 family)."""
    from ansible_collections.docc.platform.plugins.modules.instance_types_info import capacity

    described = {
        "t3.nano": {"VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 512},
                    "NetworkInfo": {"MaximumNetworkInterfaces": 2, "Ipv4AddressesPerInterface": 2}},
        "t3.large": {"VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192},
                     "NetworkInfo": {"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 12}},
    }
    return {"instance_types": {t: capacity(described[t]) for t in types.get("known", [])},
            "unknown": types.get("unknown", [])}


def test_the_formula_gives_the_eks_ami_values():
    info = _instance_types(known=["t3.nano", "t3.large"])["instance_types"]
    assert info["t3.nano"]["max_pods"] == 4 and info["t3.large"]["max_pods"] == 35  # eni-max-pods.txt


def test_a_node_type_that_cannot_hold_the_platforms_pods_is_refused():
    found = problems("eks_cluster", eks_cluster_node_instance_types=["t3.nano"],
                     __eks_cluster_instance_types=_instance_types(known=["t3.nano"]))
    assert len(found) == 1 and found[0].startswith(
        "eks_cluster_node_instance_types ['t3.nano'] with eks_cluster_node_desired_size 2 cannot hold the platform's "
        "own pods: a t3.nano node runs at most 4 pods"), found
    assert problems("eks_cluster", __eks_cluster_instance_types=_instance_types(known=["t3.large"])) == []


def test_an_instance_type_ec2_does_not_offer_is_named():
    found = problems("eks_cluster", eks_cluster_node_instance_types=["t9.huge"],
                     __eks_cluster_instance_types=_instance_types(unknown=["t9.huge"]))
    assert found == ["eks_cluster_node_instance_types: t9.huge is not an instance type EC2 offers in "
                     "eks_cluster_region eu-west-1"]
