# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value rules of the ingress_controller role (private to docc.platform)."""

from __future__ import annotations

import re

from ansible_collections.docc.platform.plugins.plugin_utils.role_rules import dns_label_problem, public_cidr_problems

SEMVER = r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
ACM_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/"
CLASS = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
MAX_ALLOWED_CIDRS = 30  # two inbound rules each, 60 inbound rules per security group (Amazon VPC quotas)

# What a values override may not do to a controller's pod without consent (Pod Security
# "restricted": no privilege, no root, no added capabilities, no host namespaces, a seccomp profile).
WEAKENING = {
    "privileged": lambda x: x is True,
    "allowPrivilegeEscalation": lambda x: x is True,
    "runAsNonRoot": lambda x: x is False,
    "runAsUser": lambda x: x == 0,
    "runAsGroup": lambda x: x == 0,
    "readOnlyRootFilesystem": lambda x: x is False,
    "hostNetwork": lambda x: x is True,
    "hostPID": lambda x: x is True,
    "hostIPC": lambda x: x is True,
}


def _weakens(key, item, path):
    if key == "add":  # capabilities.add
        return path.endswith("capabilities") and bool(item)
    if key == "type":  # seccompProfile.type
        return path.endswith("seccompProfile") and item == "Unconfined"
    check = WEAKENING.get(key)
    return check is not None and not isinstance(item, (dict, list)) and check(item)


def weakenings(values, path=""):
    """Paths in a chart values override that weaken a pod's security settings."""
    found = []
    if isinstance(values, dict):
        for key, item in values.items():
            here = "%s.%s" % (path, key) if path else str(key)
            if _weakens(key, item, path):
                found.append("%s: %s" % (here, item))
            else:
                found.extend(weakenings(item, here))
    elif isinstance(values, list):
        for index, item in enumerate(values):
            found.extend(weakenings(item, "%s[%d]" % (path, index)))
    return found


def controller(v):
    problems = []
    name = v("ingress_controller_controller")
    refused = v("_ingress_controller_refused")
    catalog = v("_ingress_controller_catalog")
    if name in refused:
        return ["ingress_controller_controller %r: %s" % (name, refused[name].strip())]
    if name not in catalog:
        problems.append("ingress_controller_controller %r is not one this role installs; choose one of %s"
                        % (name, ", ".join(catalog)))
        return problems
    version = v("ingress_controller_chart_version") or catalog[name]["chart_version"]
    lbc_version = v("ingress_controller_lbc_chart_version")
    lbc_unpinned = v("ingress_controller_lbc_enabled") and not re.match(SEMVER, str(lbc_version))
    if not re.match(SEMVER, str(version)) or lbc_unpinned:
        problems.append("chart versions must be pinned to one exact version (for example 41.3.0), not a range, "
                        "'latest' or empty: ingress_controller_chart_version is %r, "
                        "ingress_controller_lbc_chart_version is %r" % (version, lbc_version))
    return problems


def edge(v):
    problems = []
    cidrs = v("ingress_controller_allowed_cidrs")
    if not cidrs:
        problems.append("ingress_controller_allowed_cidrs is empty: list who may reach the load balancer "
                        "(0.0.0.0/0 for everyone)")
    problems.extend(public_cidr_problems("ingress_controller_allowed_cidrs", cidrs, allow_everyone=True))
    if cidrs and len(cidrs) > MAX_ALLOWED_CIDRS:
        problems.append("ingress_controller_allowed_cidrs has %d entries: each takes two inbound rules (80 and 443) "
                        "in the load balancer's security group, and AWS allows 60 inbound rules per group by "
                        "default, so at most %d. Merge ranges, or ask AWS for a higher quota and list them in a "
                        "prefix list" % (len(cidrs), MAX_ALLOWED_CIDRS))
    if v("ingress_controller_state") == "absent" and v("ingress_controller_deletion_protection"):
        problems.append("ingress_controller_deletion_protection is true and ingress_controller_state is absent: "
                        "AWS refuses to delete a protected load balancer, so the teardown would stop half-way. "
                        "Set it to false and run the ingress stage (the protection comes off), then tear down")
    if v("ingress_controller_tls") and not re.match(ACM_ARN, v("ingress_controller_certificate_arn") or ""):
        problems.append("ingress_controller_tls is true, so ingress_controller_certificate_arn must be an ACM "
                        "certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/... (got %r); or set "
                        "ingress_controller_tls to false to pass TCP 443 through to the ingress controller"
                        % v("ingress_controller_certificate_arn"))
    return problems


def kubernetes(v):
    problems = dns_label_problem("ingress_controller_namespace", v("ingress_controller_namespace"))
    problems += dns_label_problem("ingress_controller_lbc_namespace", v("ingress_controller_lbc_namespace"))
    klass = v("_ingress_controller_class")
    if not re.match(CLASS, str(klass)):
        problems.append("ingress_controller_ingress_class %r must be a DNS subdomain" % klass)
    if int(v("ingress_controller_replicas")) < 1:
        problems.append("ingress_controller_replicas (%s) must be at least 1" % v("ingress_controller_replicas"))
    return problems


def hardening(v):
    """A values override must not undo the controllers' securityContext without consent."""
    if v("ingress_controller_allow_weaker_security"):
        return []
    problems = []
    for name in ("ingress_controller_values", "ingress_controller_lbc_values"):
        found = weakenings(v(name))
        if found:
            problems.append("%s weakens the controller's security settings (%s): the role runs it as non-root, "
                            "without privilege escalation, with a read-only root file system and no added "
                            "capabilities. Remove the override, or set ingress_controller_allow_weaker_security: true"
                            % (name, "; ".join(found)))
    return problems


def from_eks(v):
    """What the eks stage must have exported (a teardown needs none of it)."""
    if v("ingress_controller_state") != "present":
        return []
    names = ("ingress_controller_cluster_name", "ingress_controller_vpc_id", "ingress_controller_vpc_cidr",
             "ingress_controller_public_subnet_ids", "ingress_controller_node_security_group_id",
             "ingress_controller_oidc_provider_arn", "ingress_controller_oidc_issuer_url")
    missing = [n for n in names if not v(n)]
    if missing:
        return ["%s %s empty. Each defaults to the eks stage's output of the same name (eks_cluster_cluster_name, "
                "eks_cluster_vpc_id, ...): run the eks stage first (--tags eks), or set %s"
                % (", ".join(missing), "is" if len(missing) == 1 else "are", "it" if len(missing) == 1 else "them")]
    return []


INPUT = [controller, edge, kubernetes, hardening]
STAGE = [from_eks]
