# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cluster readiness stages (private to docc.platform).

Each check returns (ok, observed) or raises SkipStage; the Gate in _waiter polls it.
AWS calls take ready clients (from _aws.client); Kubernetes calls take a _k8s.Client.
"""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils._waiter import SkipStage, StopStage

try:
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports the missing library
    ClientError = Exception

# What an API that does not implement an operation answers (the local AWS emulator).
_NOT_IMPLEMENTED = ("NotImplemented", "NotImplementedException", "UnknownOperationException",
                    "InvalidAction", "404")


def control_plane(eks, cluster_name):
    def check():
        cluster = eks.describe_cluster(name=cluster_name)["cluster"]
        issues = cluster.get("health", {}).get("issues", [])
        observed = "status %s, %d health issue(s)%s" % (
            cluster["status"], len(issues),
            "" if "health" in cluster else " (the API reports no health field)")
        if issues:
            observed += ": " + "; ".join("%s %s" % (i.get("code"), i.get("message", "")) for i in issues)
        return cluster["status"] == "ACTIVE" and not issues, observed
    return check


def nodegroups(eks, cluster_name):
    def check():
        names = []
        for page in eks.get_paginator("list_nodegroups").paginate(clusterName=cluster_name):
            names.extend(page["nodegroups"])
        if not names:
            return False, "no managed node group"
        states = []
        ok = True
        for name in names:
            ng = eks.describe_nodegroup(clusterName=cluster_name, nodegroupName=name)["nodegroup"]
            issues = ng.get("health", {}).get("issues", [])
            state = "%s %s" % (name, ng["status"])
            if issues:
                state += " issues: " + "; ".join("%s (%s)" % (i.get("code"), i.get("message", "")) for i in issues)
            ok = ok and ng["status"] == "ACTIVE" and not issues
            states.append(state)
        return ok, ", ".join(states)
    return check


def authorized(eks, cluster_name, principal_arn):
    def check():
        cluster = eks.describe_cluster(name=cluster_name)["cluster"]
        mode = cluster.get("accessConfig", {}).get("authenticationMode")
        if mode is None:
            raise SkipStage("the EKS API reports no authentication mode (no access-entry support)")
        if mode == "CONFIG_MAP":
            raise SkipStage("authentication mode CONFIG_MAP: access is in the aws-auth ConfigMap, not inspected")
        try:
            entries = []
            for page in eks.get_paginator("list_access_entries").paginate(clusterName=cluster_name):
                entries.extend(page["accessEntries"])
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
            if code in _NOT_IMPLEMENTED or status in ("404", "501"):
                raise SkipStage("the EKS API does not implement ListAccessEntries (%s)" % (code or status)) from exc
            raise
        return principal_arn in entries, "mode %s; access entries: %s" % (mode, ", ".join(entries) or "none")
    return check


def readyz(api):
    def check():
        status, body = api.get("/readyz")
        observed = "GET /readyz -> %d %s" % (status, str(body).strip()[:200])
        if status in (401, 403):
            raise StopStage(observed)  # credentials do not get better by waiting
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
        return ok, "; ".join(parts)
    return check


def unauthorized_hint(caller_arn, mode):
    return ("The API server rejected the bearer token minted for %s (cluster authentication mode: %s). "
            "Give that principal an EKS access entry with an access policy (authentication mode API), or map "
            "it in the aws-auth ConfigMap (CONFIG_MAP)." % (caller_arn, mode or "unknown"))
