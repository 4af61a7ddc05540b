# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input is refused before anything changes: the whole site.yml, one wrong variable per run,
against the local engines. Each case: the run fails, the message names the variable, no stage
started, and neither the emulator nor the state directory changed. This file runs first in the
tier (alphabetical), on a fresh environment, so a refusal really comes before the eks apply."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os

import pytest

from tests.e2e.conftest import aws
from tests.playbook_runner import INVENTORY, ansible_playbook, state_dir

# Directories and files the local engines own (their data changes by itself) or the tests write.
ENGINE_PARTS = ("docker", "registry", "kubernetes", "moto", "containerd", "host", "builder", "test-logs")

CASES = [
    # --- the cases issue 24 lists ---
    ({"eks_cluster_kubernetes_version": "1.99"},
     "eks_cluster_kubernetes_version 1.99: Kubernetes 1.99 is not an EKS version"),
    ({"eks_cluster_endpoint_private_only": False, "eks_cluster_public_access_cidrs": ["10.0.0.0/8"]},
     "eks_cluster_public_access_cidrs: 10.0.0.0/8 is in 10.0.0.0/8, a private or reserved range"),
    ({"eks_cluster_node_instance_types": ["t3.nano"]},
     "eks_cluster_node_instance_types ['t3.nano'] with eks_cluster_node_desired_size 2 cannot hold"),
    ({"app_deploy_replicas": 1000}, "the app x1000 (app_deploy_replicas) and one more during a rollout"),
    ({"ingress_controller_values": {"securityContext": {"privileged": True}}},
     "ingress_controller_values weakens the controller's security settings (securityContext.privileged: True)"),
    ({"ingress_controller_values": {"podSecurityContext": {"runAsUser": 0}}},
     "ingress_controller_values weakens the controller's security settings (podSecurityContext.runAsUser: 0)"),
    ({"dns_record_ttl": -1}, "dns_record_ttl is -1: Route53 takes 0 to 2147483647 seconds"),
    ({"eks_cluster_name": "a" * 40}, "so eks_cluster_name may have at most 35"),
    ({"dns_record_name": "docc.domain.io"}, "dns_record_name docc.domain.io is the apex of dns_record_zone"),
    # --- names and types ---
    ({"eks_cluster_node_min_size": "five"}, "eks_cluster_node_min_size must be an integer, got a string 'five'"),
    ({"eks_cluster_nodes_min": 5}, "eks_cluster_nodes_min: unknown variable of role eks_cluster; did you mean"),
    ({"app_deploy_replicas": [2]}, "app_deploy_replicas must be an integer, got a list"),
    ({"dns_record_force": "yes"}, "dns_record_force must be a boolean, got the string 'yes'"),
    ({"ingress_controller_edge_mode": "classic"}, "ingress_controller_edge_mode: 'classic' not among the choices"),
    # --- eks ---
    ({"eks_cluster_name": "my_cluster"}, "eks_cluster_name 'my_cluster' must start with a letter"),
    ({"eks_cluster_region": "eu-west-9"}, "eks_cluster_region 'eu-west-9' is not a region where EKS exists"),
    ({"eks_cluster_vpc_cidr": "10.0.0.0/8"}, "eks_cluster_vpc_cidr / eks_cluster_public_subnet_cidrs"),
    ({"eks_cluster_node_min_size": 5, "eks_cluster_node_max_size": 3}, "eks_cluster_node_min_size (5) <="),
    ({"eks_cluster_log_retention_days": 10}, "eks_cluster_log_retention_days must be a CloudWatch Logs retention"),
    # Past standard support on the built-in calendar (the emulator has no DescribeClusterVersions).
    ({"eks_cluster_kubernetes_version": "1.31"}, "eks_cluster_kubernetes_version 1.31:"),
    ({"eks_cluster_kubernetes_version": "1.34"}, "eks_cluster_kubernetes_version 1.34:"),
    ({"eks_cluster_public_access_cidrs": ["81.2.69.0/24"]},
     "but eks_cluster_public_access_cidrs lists 81.2.69.0/24"),
    ({"eks_cluster_tags": {"aws:owner": "me"}}, "eks_cluster_tags: keys may not start with aws:"),
    # --- image ---
    ({"container_image_repository": "Domain/Sample"}, "container_image_repository 'Domain/Sample' is not a valid"),
    ({"container_image_version": ".1"}, "container_image_version '.1' is not a valid tag"),
    ({"container_image_registry_auth": "ecr"}, "container_image_registry_auth=ecr needs container_image_registry"),
    # --- ingress ---
    ({"ingress_controller_controller": "ingress-nginx"},
     "ingress_controller_controller 'ingress-nginx': ingress-nginx is retired"),
    ({"ingress_controller_chart_version": "latest"}, "ingress_controller_chart_version is 'latest'"),
    ({"ingress_controller_allowed_cidrs": ["192.168.0.0/16"]}, "ingress_controller_allowed_cidrs: 192.168.0.0/16"),
    ({"ingress_controller_tls": True},
     "ingress_controller_tls is true, so ingress_controller_certificate_arn must be an ACM"),
    # --- app ---
    ({"app_deploy_port": 70000}, "app_deploy_port must be a TCP port"),
    ({"app_deploy_namespace": "Docc"}, "app_deploy_namespace 'Docc' must be a DNS label"),
    # --- dns ---
    ({"dns_record_name": "service.other.io"}, "dns_record_name service.other.io is outside dns_record_zone"),
    ({"dns_record_ttl": 2147483648}, "dns_record_ttl is 2147483648"),
]


def state_files():
    """{path: sha256} of what the stages keep under the state directory (engines' own data left out)."""
    root, found = state_dir(), {}
    for base, dirs, files in os.walk(root):
        rel = os.path.relpath(base, root)
        if rel.split(os.sep, maxsplit=1)[0] in ENGINE_PARTS:
            dirs[:] = []
            continue
        for name in files:
            if name.endswith((".pid", ".log", ".state")) or name == "local-env.json":
                continue
            path = os.path.join(base, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return found


def emulator_resources():
    """Everything a stage could have made in the emulator, by kind."""
    ec2 = aws("ec2")
    return {
        "tagged": sorted(r["ResourceARN"] for r in aws("resourcegroupstaggingapi").get_resources()
                         ["ResourceTagMappingList"]),
        "vpcs": sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")),
        "eks": aws("eks").list_clusters()["clusters"],
        "roles": sorted(r["RoleName"] for r in aws("iam").list_roles()["Roles"]),
        "zones": sorted(z["Name"] for z in aws("route53").list_hosted_zones()["HostedZones"]),
        "load_balancers": sorted(lb["LoadBalancerName"] for lb in aws("elbv2").describe_load_balancers()
                                 ["LoadBalancers"]),
        "log_groups": sorted(g["logGroupName"] for g in aws("logs").describe_log_groups()["logGroups"]),
    }


def _run(case):
    extra, expected = case
    return ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "-e", json.dumps(extra))


@pytest.fixture(scope="module")
def matrix(engines):
    """Every case run once (two at a time), with the emulator and the state dir read around them."""
    before = (emulator_resources(), state_files())
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(_run, CASES))
    after = (emulator_resources(), state_files())
    return before, after, runs


def test_nothing_changed_in_the_emulator_or_the_state_dir(matrix):
    before, after, dummy = matrix
    assert after[0] == before[0]
    assert after[1] == before[1]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[sorted(c[0])[0] + "-%d" % i for i, c in enumerate(CASES)])
def test_the_run_is_refused_naming_the_variable_before_any_stage(matrix, index):
    run = matrix[2][index]
    extra, expected = CASES[index]
    assert run.rc != 0, run
    assert expected in run.output, run
    assert any(name in expected for name in extra), "the expected message names none of %s" % list(extra)
    # Refused in the first play: no stage's own task ran.
    assert "TASK [docc.platform.eks_cluster : Plan" not in run.output, run
    assert "PLAY [Stages " not in run.output, run


def test_enough_cases():
    assert len(CASES) >= 30
