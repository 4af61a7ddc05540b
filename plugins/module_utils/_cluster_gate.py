# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster readiness stages (private to docc.platform).

Each check returns (ok, observed) or raises SkipStage / StopStage; the Gate in _waiter polls
it. AWS calls take ready clients (from _aws.client); Kubernetes calls take a _k8s.Client,
whose "not reachable yet" errors the Gate treats as "not ready yet".
"""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils import _aws, _eks_versions
from ansible_collections.docc.platform.plugins.module_utils._arn import same_principal
from ansible_collections.docc.platform.plugins.module_utils._k8s import K8sUnauthorized
from ansible_collections.docc.platform.plugins.module_utils._waiter import SkipStage, StopStage

try:
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports the missing library
    ClientError = Exception


def control_plane(eks, cluster_name):
    def check():
        cluster = eks.describe_cluster(name=cluster_name, aws_retry=True)["cluster"]
        issues = cluster.get("health", {}).get("issues", [])
        observed = "status %s, %d health issue(s)%s" % (
            cluster["status"], len(issues),
            "" if "health" in cluster else " (the API reports no health field)")
        if issues:
            observed += ": " + "; ".join("%s %s" % (i.get("code"), i.get("message", "")) for i in issues)
        return cluster["status"] == "ACTIVE" and not issues, observed
    return check


def version_support(eks, cluster_name, today, result):
    """Reports where the running version stands; never fails the gate on a calendar answer.

    Puts a warning text into result['version_warning'] for extended support or a near end.
    """
    def check():
        version = eks.describe_cluster(name=cluster_name, aws_retry=True)["cluster"].get("version")
        versions, reason = _eks_versions.fetch(eks)
        source = ""
        if versions is None:
            versions = _eks_versions.builtin(today)
            source = " (built-in calendar of %s: %s)" % (_eks_versions.BUILTIN_DATE, reason)
        verdict = _eks_versions.assess(version, versions, today, allow_extended=False)
        if verdict["level"] in ("warn", "extended", "unsupported"):
            result["version_warning"] = "cluster %s: %s" % (cluster_name, verdict["message"])
        return True, verdict["message"] + source
    return check


def nodegroups(eks, cluster_name):
    def check():
        names = _aws.paginate(eks, "list_nodegroups", clusterName=cluster_name).get("nodegroups", [])
        if not names:
            return False, "no managed node group"
        states = []
        ok = True
        for name in names:
            ng = eks.describe_nodegroup(clusterName=cluster_name, nodegroupName=name, aws_retry=True)["nodegroup"]
            issues = ng.get("health", {}).get("issues", [])
            state = "%s %s" % (name, ng["status"])
            if issues:
                state += " issues: " + "; ".join("%s (%s)" % (i.get("code"), i.get("message", "")) for i in issues)
            ok = ok and ng["status"] == "ACTIVE" and not issues
            states.append(state)
        return ok, ", ".join(states)
    return check


def authorized(eks, cluster_name, caller_arn):
    """An access entry names the caller: its ARN, or for a role session its role with any path."""
    def check():
        cluster = eks.describe_cluster(name=cluster_name, aws_retry=True)["cluster"]
        mode = cluster.get("accessConfig", {}).get("authenticationMode")
        if mode is None:
            raise SkipStage("the EKS API reports no authentication mode (no access-entry support)")
        if mode == "CONFIG_MAP":
            raise SkipStage("authentication mode CONFIG_MAP: access is in the aws-auth ConfigMap, not inspected")
        try:
            entries = _aws.paginate(eks, "list_access_entries", clusterName=cluster_name).get("accessEntries", [])
        except ClientError as exc:
            if _aws.is_not_implemented(exc):
                raise SkipStage("the EKS API does not implement ListAccessEntries (%s)" % _aws.error_code(exc)) \
                    from exc
            raise
        return any(same_principal(e, caller_arn) for e in entries), \
            "mode %s; access entries: %s" % (mode, ", ".join(entries) or "none")
    return check


def readyz(api):
    def check():
        try:
            status, body = api.get("/readyz")
        except K8sUnauthorized as exc:
            raise StopStage("GET /readyz -> 401 (credentials not accepted): %s" % exc.msg,
                            reason="unauthorized") from exc
        observed = "GET /readyz -> %d %s" % (status, str(body).strip()[:200])
        if status == 403:
            raise StopStage(observed, reason="forbidden")  # waiting does not change authorization
        return status == 200, observed
    return check


def _node_ready(node):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in node.get("status", {}).get("conditions", []))


def nodes(api, min_ready):
    def check():
        status, body = api.get("/api/v1/nodes")
        if status != 200:
            return False, "GET /api/v1/nodes -> %d" % status
        items = body.get("items", [])
        ready = [n["metadata"]["name"] for n in items if _node_ready(n)]
        return len(ready) >= min_ready, "%d node(s), %d Ready%s" % (
            len(items), len(ready), (": " + ", ".join(ready)) if ready else "")
    return check


_PATHS = {
    "Deployment": "/apis/apps/v1/namespaces/%s/deployments/%s",
    "DaemonSet": "/apis/apps/v1/namespaces/%s/daemonsets/%s",
}


def _available(kind, obj):
    status = obj.get("status", {})
    if kind == "Deployment":
        want = obj.get("spec", {}).get("replicas", 1)
        have = status.get("availableReplicas", 0)
    else:
        want = status.get("desiredNumberScheduled", 0)
        have = status.get("numberAvailable", 0)
    return want > 0 and have >= want, "%d/%d available" % (have, want)


def workloads(api, namespace, wanted):
    def check():
        ok = True
        parts = []
        for item in wanted:
            status, body = api.get(_PATHS[item["kind"]] % (namespace, item["name"]))
            if status == 404:
                ok = False
                parts.append("%s/%s missing" % (item["kind"], item["name"]))
                continue
            if status != 200:
                ok = False
                parts.append("%s/%s GET -> %d" % (item["kind"], item["name"], status))
                continue
            good, detail = _available(item["kind"], body)
            ok = ok and good
            parts.append("%s/%s %s" % (item["kind"], item["name"], detail))
        return ok, "; ".join(parts) or "no system workload asked for"
    return check


def unauthorized_hint(caller_arn, mode):
    return ("The API server rejected the bearer token minted for %s (cluster authentication mode: %s). "
            "Give that principal an EKS access entry with an access policy (authentication mode API), or map "
            "it in the aws-auth ConfigMap (CONFIG_MAP)." % (caller_arn, mode or "unknown"))
