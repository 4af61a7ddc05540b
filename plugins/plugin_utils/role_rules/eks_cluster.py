# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value rules of the eks_cluster role (private to docc.platform). Sources: docs/aws-rules.md."""

from __future__ import annotations

import re

from ansible_collections.docc.platform.plugins.filter.aws_regions import aws_regions
from ansible_collections.docc.platform.plugins.filter.cidr_problems import cidr_problems
from ansible_collections.docc.platform.plugins.plugin_utils.role_rules import public_cidr_problems, quantity

# Names the platform derives from the cluster name, with the limit AWS (or the provider) puts on
# each: (stage, resource, suffix, limit). The ingress stage's load balancer and target group names
# (32 characters) are shortened with a hash instead (see its Terraform), so they are not here.
DERIVED_NAMES = [
    ("eks", "IAM role (VPC flow logs)", "-vpc-flow-logs", 64),
    ("eks", "IAM role (cluster)", "-cluster", 64),
    ("eks", "IAM role (nodes)", "-node", 64),
    ("eks", "managed node group", "-default", 63),
    ("ingress", "IAM role (AWS Load Balancer Controller)", "-aws-load-balancer-controller", 64),
]
# CloudWatch Logs retention values (PutRetentionPolicy).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                  3653)
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# EKS: at most 40 public access CIDR blocks per cluster, not adjustable (Service Quotas).
MAX_PUBLIC_ACCESS_CIDRS = 40


def _partition(region):
    return "aws-cn" if region.startswith("cn-") else ("aws-us-gov" if region.startswith("us-gov-") else "aws")


def names(v):
    name, problems = v("eks_cluster_name"), []
    if not re.match(r"^[A-Za-z][A-Za-z0-9-]*$", str(name)) or str(name).endswith("-"):
        problems.append(
            "eks_cluster_name %r must start with a letter, then letters, digits and '-', not ending with '-': EKS "
            "allows '_' too, but the load balancer and target group names derived from it allow only letters, "
            "digits and '-'" % (name,))
    else:
        # The tightest limit names the longest cluster name the whole platform can take.
        stage, resource, suffix, limit = min(DERIVED_NAMES, key=lambda d: d[3] - len(d[2]))
        if len(name) + len(suffix) > limit:
            problems.append(
                "eks_cluster_name %r is %d characters: the %s stage's %s %s%s would be %d, and AWS allows %d, so "
                "eks_cluster_name may have at most %d"
                % (name, len(name), stage, resource, name, suffix, len(name) + len(suffix), limit, limit - len(suffix)))
    if name.lower().startswith("internal-"):
        problems.append("eks_cluster_name %r: a load balancer name may not start with 'internal-'" % name)
    if name.lower().startswith("sg-"):
        problems.append("eks_cluster_name %r: the security group names derived from it (%s-node, %s-edge) may not "
                        "start with 'sg-' (EC2 CreateSecurityGroup)" % (name, name, name))
    env = v("eks_cluster_environment")
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", str(env)):
        problems.append("eks_cluster_environment %r must be 1 to 63 letters, digits, '.', '_' or '-'" % (env,))
    return problems


def version_and_region(v):
    problems = []
    version = str(v("eks_cluster_kubernetes_version"))
    if not re.match(r"^1\.[0-9]{2}$", version):
        problems.append("eks_cluster_kubernetes_version %r is malformed: give the minor version as a quoted string, "
                        "for example \"1.36\"" % version)
    nodes = str(v.get("eks_cluster_node_kubernetes_version") or "")
    if nodes and (not re.match(r"^1\.[0-9]{2}$", nodes) or not re.match(r"^1\.[0-9]{2}$", version) or
                  int(nodes.split(".")[1]) not in (int(version.split(".")[1]), int(version.split(".")[1]) - 1)):
        problems.append("eks_cluster_node_kubernetes_version %r must be empty (the control plane's version) or the "
                        "control plane's %s or one minor below it: nodes never run ahead of the control plane, and "
                        "an upgrade holds them one minor behind only while the new control plane bakes"
                        % (nodes, version))
    region = str(v("eks_cluster_region"))
    partition = _partition(region)
    regions = aws_regions("eks", partition)
    if region not in regions:
        problems.append("eks_cluster_region %r is not a region where EKS exists in partition %s (botocore's data). "
                        "Regions: %s" % (region, partition, ", ".join(regions)))
    return problems


def network(v):
    problems = []
    count = v("eks_cluster_availability_zone_count")
    public, private = v("eks_cluster_public_subnet_cidrs"), v("eks_cluster_private_subnet_cidrs")
    if not 2 <= int(count) <= 6:
        problems.append("eks_cluster_availability_zone_count is %s: EKS needs subnets in at least 2 zones; at most 6" %
                        count)
    if len(public) != int(count) or len(private) != int(count):
        problems.append("eks_cluster_public_subnet_cidrs (%d) and eks_cluster_private_subnet_cidrs (%d) must each "
                        "hold eks_cluster_availability_zone_count (%s) CIDR blocks"
                        % (len(public), len(private), count))
    found = cidr_problems(list(public) + list(private), v("eks_cluster_vpc_cidr"))
    if found:
        problems.append("eks_cluster_vpc_cidr / eks_cluster_public_subnet_cidrs / eks_cluster_private_subnet_cidrs: "
                        + "; ".join(found))
    return problems


def endpoint(v):
    """The API endpoint must be reachable from where the run comes from, or say it is private."""
    cidrs, private_only = v("eks_cluster_public_access_cidrs"), v("eks_cluster_endpoint_private_only")
    if private_only:
        if cidrs:
            return ["eks_cluster_endpoint_private_only is true, so the API has no public endpoint, but "
                    "eks_cluster_public_access_cidrs lists %s: empty the list, or set "
                    "eks_cluster_endpoint_private_only: false" % ", ".join(map(str, cidrs))]
        return []
    if not cidrs:
        return ["eks_cluster_public_access_cidrs is empty: the cluster's API would answer only inside its VPC, where "
                "this run does not come from (the cluster gate would wait out its timeout and no later stage could "
                "run). List the public CIDR blocks of the machines that run Ansible (this machine's egress address: "
                "curl https://checkip.amazonaws.com), or set eks_cluster_endpoint_private_only: true when it runs "
                "inside the VPC or a network connected to it"]
    return public_cidr_problems("eks_cluster_public_access_cidrs", cidrs, allow_everyone=False,
                                limit=MAX_PUBLIC_ACCESS_CIDRS)


def logs(v):
    problems = []
    unknown = [t for t in v("eks_cluster_log_types") if t not in LOG_TYPES]
    if unknown:
        problems.append("eks_cluster_log_types may hold %s (got %s)" % (", ".join(LOG_TYPES), ", ".join(unknown)))
    days = v("eks_cluster_log_retention_days")
    if int(days) not in RETENTION_DAYS:
        problems.append("eks_cluster_log_retention_days must be a CloudWatch Logs retention (%s), got %s"
                        % (", ".join(map(str, RETENTION_DAYS)), days))
    return problems


def node_group(v):
    problems = []
    types = v("eks_cluster_node_instance_types")
    if not types or [t for t in types if not re.match(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$", str(t))]:
        problems.append("eks_cluster_node_instance_types must name instance types such as t3.large (got %s)" % types)
    low, want, high = (int(v("eks_cluster_node_%s_size" % k)) for k in ("min", "desired", "max"))
    if not (low >= 0 and high >= 1 and low <= want <= high):
        problems.append("eks_cluster_node_min_size (%d) <= eks_cluster_node_desired_size (%d) <= "
                        "eks_cluster_node_max_size (%d) must hold, with eks_cluster_node_max_size at least 1"
                        % (low, want, high))
    disk = int(v("eks_cluster_node_disk_size"))
    if not 1 <= disk <= 16384:
        problems.append("eks_cluster_node_disk_size (%d) must be 1 to 16384 GiB (gp3)" % disk)
    for taint in v("eks_cluster_node_taints"):
        if not taint.get("key") or taint.get("effect") not in ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"):
            problems.append("every eks_cluster_node_taints entry needs a key and an effect of NO_SCHEDULE, NO_EXECUTE "
                            "or PREFER_NO_SCHEDULE (got %s)" % (taint,))
    return problems


# CoreDNS as the EKS add-on runs two replicas requesting 70 MiB each; aws-node and kube-proxy run
# on every node (host network, but they count against the kubelet's maximum).
COREDNS_REPLICAS = 2
COREDNS_MEMORY_MIB = 70
DAEMONSETS_PER_NODE = 2


def capacity(v):
    """The node group must hold the platform's own pods: by count (the VPC CNI gives each pod an
    address, so the network interfaces bound the pods per node) and by memory requests."""
    info = v.get("__eks_cluster_instance_types") or {}
    if "instance_types" not in info:
        return []  # not asked (teardown, or the rules run alone)
    if info["unknown"]:
        return ["eks_cluster_node_instance_types: %s %s not an instance type EC2 offers in eks_cluster_region %s"
                % (", ".join(info["unknown"]), "is" if len(info["unknown"]) == 1 else "are", v("eks_cluster_region"))]
    types = {t: info["instance_types"][t] for t in v("eks_cluster_node_instance_types")}
    name, smallest = min(types.items(), key=lambda t: (t[1]["max_pods"], t[1]["pod_memory_mib"]))
    nodes = int(v("eks_cluster_node_desired_size"))
    ingress = int(v.setting("ingress_controller_replicas"))
    app = int(v.setting("app_deploy_replicas")) + 1  # one more pod while a rollout surges
    mib = 2 ** 20
    ingress_memory = (quantity(v.setting("ingress_controller_resources")["requests"]["memory"]) or 0) / mib
    app_memory = (quantity(v.setting("app_deploy_resources")["requests"]["memory"]) or 0) / mib
    pods = DAEMONSETS_PER_NODE * nodes + COREDNS_REPLICAS + 2 * ingress + app
    memory = COREDNS_REPLICAS * COREDNS_MEMORY_MIB + 2 * ingress * ingress_memory + app * app_memory
    if pods <= smallest["max_pods"] * nodes and memory <= smallest["pod_memory_mib"] * nodes:
        return []
    return ["eks_cluster_node_instance_types %s with eks_cluster_node_desired_size %d cannot hold the platform's own "
            "pods: a %s node runs at most %d pods (%d network interfaces x (%d addresses - 1) + 2, the VPC CNI's "
            "default) and has %d MiB of memory for pods, so %d pods and %d MiB in all; the platform needs %d pods and "
            "%d MiB (aws-node and kube-proxy on each node, CoreDNS x%d, the ingress and load balancer controllers x%d "
            "each, the app x%d (app_deploy_replicas) and one more during a rollout). Choose a larger instance type or "
            "more nodes"
            % (list(types), nodes, name, smallest["max_pods"], smallest["max_enis"], smallest["ipv4_per_eni"],
               smallest["pod_memory_mib"], smallest["max_pods"] * nodes, smallest["pod_memory_mib"] * nodes, pods,
               memory, COREDNS_REPLICAS, ingress, app - 1)]


def tags_and_addons(v):
    problems = []
    tags = v("eks_cluster_tags")
    if [k for k in tags if str(k).startswith(("aws:", "docc.platform/"))]:
        problems.append("eks_cluster_tags: keys may not start with aws: (AWS's own) or docc.platform/ (the role sets "
                        "its ownership tags itself)")
    if [k for k in tags if len(str(k)) > 128] or [x for x in tags.values() if len(str(x)) > 256]:
        problems.append("eks_cluster_tags: keys are at most 128 characters and values at most 256")
    proxy = v("eks_cluster_addon_versions").get("kube-proxy")
    version = str(v("eks_cluster_kubernetes_version"))
    if proxy and not str(proxy).startswith("v%s." % version):
        problems.append("eks_cluster_addon_versions['kube-proxy'] is %s, but kube-proxy must match the cluster's "
                        "minor version %s (v%s.x-eksbuild.N); remove it to take EKS's default for the version"
                        % (proxy, version, version))
    return problems


INPUT = [names, version_and_region, network, endpoint, logs, node_group, capacity, tags_and_addons]
STAGE = []
