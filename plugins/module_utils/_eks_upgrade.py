# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Upgrading an EKS cluster one minor version, and rolling it back (private to docc.platform).

Pure functions judge what the EKS API answered (``read_*`` do the reading), so every rule is
tested with AWS's documented answers:
- UpdateClusterVersion "all of your node groups' Kubernetes versions must match the cluster's
  Kubernetes version" (botocore's EKS model, UpdateClusterVersion);
- upgrade insights (ListInsights/DescribeInsight, category UPGRADE_READINESS, per target
  version): EKS no longer blocks an upgrade on them (containers-roadmap #2570), so the caller
  gates on them: every one PASSING, or accepted by id or name;
- add-ons keep a version valid for both minors during the upgrade (EKS best practices,
  "Plan upgrades with rollback in mind"), from DescribeAddonVersions' compatibilities;
- rollback is UpdateClusterVersion to the previous minor, within 7 days of the in-place
  upgrade, with the nodes still on it (EKS user guide, "Roll back a cluster to a previous
  Kubernetes version"); ROLLBACK_READINESS insights in ERROR block it unless forced.
"""

from __future__ import annotations

import datetime

from ansible_collections.docc.platform.plugins.module_utils import _aws
from ansible_collections.docc.platform.plugins.module_utils._eks_versions import minor_key

ROLLBACK_WINDOW = datetime.timedelta(days=7)


def minor(version):
    major, minor_ = minor_key(version)
    return "%d.%d" % (major, minor_)


def previous_minor(version):
    major, minor_ = minor_key(version)
    return "%d.%d" % (major, minor_ - 1)


def jump_problem(current, target):
    """Why an upgrade from ``current`` to ``target`` is refused, or None."""
    cur, new = minor_key(current), minor_key(target)
    if new == cur:
        return None
    if new < cur:
        return ("the target %s is older than the running %s: an upgrade goes forward one minor version; "
                "playbooks/rollback.yml returns to the previous one within 7 days" % (target, current))
    if new[0] != cur[0] or new[1] != cur[1] + 1:
        return ("the target %s is more than one minor version above the running %s: EKS upgrades one minor "
                "version at a time; upgrade to %d.%d first" % (target, current, cur[0], cur[1] + 1))
    return None


def nodegroup_problems(nodegroups, current):
    """Node groups not on the control plane's version: EKS refuses the upgrade until they are."""
    return ["node group %s runs Kubernetes %s, the control plane %s: EKS upgrades the control plane only when "
            "every managed node group matches it; run playbooks/upgrade.yml to %s first (it moves the nodes "
            "after the control plane)" % (name, version, current, current)
            for name, version in sorted(nodegroups.items()) if version and minor(version) != minor(current)]


def insight_summary(insight):
    status = (insight.get("insightStatus") or {}).get("status", "UNKNOWN")
    return {"id": insight.get("id"), "name": insight.get("name"), "category": insight.get("category"),
            "kubernetes_version": insight.get("kubernetesVersion"), "status": status,
            "reason": (insight.get("insightStatus") or {}).get("reason", ""),
            "recommendation": insight.get("recommendation", "")}


def insight_problems(insights, accepted, blocking=("ERROR", "WARNING", "UNKNOWN")):
    """Insights in a blocking status that the user did not accept (by id or name)."""
    accepted = set(accepted or [])
    problems = []
    for item in insights:
        if item["status"] in blocking and item["id"] not in accepted and item["name"] not in accepted:
            problems.append("insight %r (%s, id %s) is %s: %s%s. Fix it, or accept it by adding its id to "
                            "eks_cluster_accepted_insights" % (
                                item["name"], item["category"], item["id"], item["status"], item["reason"] or
                                "no reason given", (" Recommendation: " + item["recommendation"])
                                if item["recommendation"] else ""))
    return problems


def addon_plan(installed, catalog, current, target):
    """({add-on: version to run during the upgrade}, problems).

    ``installed`` is {name: version}; ``catalog`` is {name: [AddonVersionInfo]} from
    DescribeAddonVersions. The running version is kept when it is valid for both minors;
    otherwise the newest version valid for both, or a problem naming the add-on."""
    plan, problems = {}, []
    both = {minor(current), minor(target)}
    for name, version in sorted(installed.items()):
        valid = []
        for info in catalog.get(name, []):
            clusters = {c.get("clusterVersion") for c in info.get("compatibilities", [])}
            if both <= clusters:
                valid.append(info["addonVersion"])
        if version in valid:
            plan[name] = version
        elif valid:
            plan[name] = sorted(valid, key=_version_key)[-1]
        else:
            problems.append("add-on %s (running %s) has no version that EKS lists as valid for both Kubernetes %s "
                            "and %s (DescribeAddonVersions): during the upgrade it would run a version built for "
                            "one minor only. Wait for one, or remove the add-on before upgrading"
                            % (name, version, current, target))
    return plan, problems


def _version_key(version):
    parts = []
    for chunk in version.lstrip("v").replace("-", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return parts


def last_version_update(updates, current):
    """The successful in-place upgrade to ``current`` (an Update of type VersionUpdate), or None."""
    found = None
    for update in updates:
        if update.get("type") != "VersionUpdate" or update.get("status") != "Successful":
            continue
        params = {p.get("type"): p.get("value") for p in update.get("params", [])}
        same = params.get("Version") and minor(params["Version"]) == minor(current)
        if same and (found is None or update["createdAt"] > found["createdAt"]):
            found = update
    return found


def rollback_problems(current, upgrade, nodegroups, insights, accepted, now):
    """(deadline or None, problems) of rolling the control plane back from ``current``."""
    target = previous_minor(current)
    if upgrade is None:
        return None, ["the cluster was not upgraded in place to %s (no successful version update in its history): "
                      "EKS rolls back only an in-place upgrade, within 7 days" % current]
    deadline = upgrade["createdAt"] + ROLLBACK_WINDOW
    problems = []
    if now >= deadline:
        made, ended = upgrade["createdAt"].isoformat(), deadline.isoformat()
        problems.append("the upgrade to %s was made on %s; the 7-day rollback window ended on %s. Create a cluster "
                        "on %s and move the workloads instead" % (current, made, ended, target))
    upgraded = sorted(name for name, version in nodegroups.items() if version and minor(version) == minor(current))
    if upgraded:
        problems.append("node group(s) %s already run %s: nodes may not be newer than the control plane, and EKS "
                        "cannot roll a managed node group back (UpdateNodegroupVersion). Roll back before the "
                        "nodes move (playbooks/upgrade.yml moves them after the bake period)"
                        % (", ".join(upgraded), current))
    problems += insight_problems(insights, accepted, blocking=("ERROR",))
    return deadline, problems


# --- reading the EKS API ----------------------------------------------------------------------

def read_nodegroups(eks, cluster):
    names = _aws.paginate(eks, "list_nodegroups", clusterName=cluster).get("nodegroups", [])
    return {n: eks.describe_nodegroup(clusterName=cluster, nodegroupName=n, aws_retry=True)["nodegroup"].get("version")
            for n in names}


def read_addons(eks, cluster):
    names = _aws.paginate(eks, "list_addons", clusterName=cluster).get("addons", [])
    return {n: eks.describe_addon(clusterName=cluster, addonName=n, aws_retry=True)["addon"].get("addonVersion")
            for n in names}


def read_addon_catalog(eks, names, target):
    catalog = {}
    for name in names:
        pages = _aws.paginate(eks, "describe_addon_versions", addonName=name, kubernetesVersion=minor(target))
        catalog[name] = [v for info in pages.get("addons", []) for v in info.get("addonVersions", [])]
    return catalog


def read_insights(eks, cluster, category, version=None):
    """Summaries of the cluster's insights of ``category`` (for ``version``), each described."""
    from botocore.exceptions import ClientError

    flt = {"categories": [category]}
    if version:
        flt["kubernetesVersions"] = [minor(version)]
    try:
        listed = _aws.paginate(eks, "list_insights", clusterName=cluster, filter=flt).get("insights", [])
    except ClientError as exc:
        if _aws.is_not_implemented(exc):
            return None, "the EKS API at %s does not implement ListInsights (%s)" % (
                _aws.endpoint_of(eks), _aws.error_code(exc) or "not implemented")
        raise
    described = []
    for item in listed:
        full = eks.describe_insight(clusterName=cluster, id=item["id"], aws_retry=True)["insight"]
        described.append(insight_summary(full))
    return described, None


def read_updates(eks, cluster):
    ids = _aws.paginate(eks, "list_updates", name=cluster).get("updateIds", [])
    return [eks.describe_update(name=cluster, updateId=i, aws_retry=True)["update"] for i in ids]
