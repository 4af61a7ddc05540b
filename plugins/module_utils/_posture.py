# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Posture checks: does the live cluster enforce what the manifests ask for (private to docc.platform)?

Each check returns (ok, observed) for the Gate in _waiter; pure helpers judge one pod and
one kube-system inventory, so they are tested without a cluster.
"""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils._waiter import StopStage

# DaemonSets of network plugins that enforce NetworkPolicy, by name.
ENFORCING_PLUGINS = ("calico-node", "cilium", "kube-router", "antrea-agent", "weave-net", "canal")


def privileged_probe(namespace, image):
    """A Pod that Pod Security 'restricted' (and 'baseline') must reject."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": "docc-posture-probe-", "namespace": namespace},
        "spec": {"containers": [{"name": "probe", "image": image, "securityContext": {"privileged": True}}]},
    }


def admission(api, namespace, image):
    """A server-side dry run of a privileged Pod must be refused."""
    def check():
        status, body = api.request("POST", "/api/v1/namespaces/%s/pods" % namespace,
                                   body=privileged_probe(namespace, image), query={"dryRun": "All"})
        message = body.get("message", "") if isinstance(body, dict) else str(body)
        if status == 404:
            raise StopStage("namespace %s does not exist" % namespace)
        if status in (200, 201):
            raise StopStage("a privileged Pod was ACCEPTED in namespace %s (server-side dry run): Pod Security is "
                            "not enforcing there" % namespace)
        if status == 403 and "PodSecurity" in message:
            return True, "a privileged Pod is rejected: %s" % message[:300]
        return False, "dry run answered %d: %s" % (status, message[:300])
    return check


def _effective(pod_sc, container_sc, key):
    value = (container_sc or {}).get(key)
    return (pod_sc or {}).get(key) if value is None else value


def pod_findings(pod, expected_user, expected_group, expected_image):
    """What is wrong with one pod (empty when it runs as asked)."""
    spec = pod.get("spec", {})
    name = pod.get("metadata", {}).get("name", "?")
    found = []
    if spec.get("automountServiceAccountToken") is not False:
        found.append("%s: automountServiceAccountToken is not false" % name)
    for volume in spec.get("volumes") or []:
        sources = (volume.get("projected") or {}).get("sources") or []
        if any("serviceAccountToken" in s for s in sources):
            found.append("%s: volume %s mounts a service-account token" % (name, volume.get("name")))
    pod_sc = spec.get("securityContext") or {}
    statuses = {s.get("name"): s for s in pod.get("status", {}).get("containerStatuses") or []}
    for container in spec.get("containers") or []:
        csc = container.get("securityContext") or {}
        label = "%s/%s" % (name, container.get("name"))
        user = _effective(pod_sc, csc, "runAsUser")
        group = _effective(pod_sc, csc, "runAsGroup")
        if not _effective(pod_sc, csc, "runAsNonRoot"):
            found.append("%s: runAsNonRoot is not true" % label)
        if user != expected_user:
            found.append("%s: runs as user %s, expected %s" % (label, user, expected_user))
        if group != expected_group:
            found.append("%s: runs as group %s, expected %s" % (label, group, expected_group))
        if csc.get("readOnlyRootFilesystem") is not True:
            found.append("%s: the root filesystem is writable" % label)
        if csc.get("allowPrivilegeEscalation") is not False:
            found.append("%s: allowPrivilegeEscalation is not false" % label)
        if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
            found.append("%s: capabilities are not all dropped" % label)
        seccomp = (csc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append("%s: seccomp profile is %s" % (label, seccomp or "unset (Unconfined)"))
        image = container.get("image", "")
        if expected_image and image != expected_image:
            found.append("%s: image is %s, expected %s" % (label, image, expected_image))
        if "@sha256:" not in image:
            found.append("%s: image %s is not pinned by digest" % (label, image))
        running = statuses.get(container.get("name"), {})
        digest = image.split("@", 1)[1] if "@" in image else None
        if digest and running.get("imageID") and not running["imageID"].endswith(digest):
            found.append("%s: runs %s, not the pinned %s" % (label, running["imageID"], digest))
    return found


def _ready(pod):
    return pod.get("status", {}).get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in pod.get("status", {}).get("conditions") or [])


def pods(api, namespace, selector, expected_user, expected_group, expected_image):
    """Every Ready pod of the workload runs as asked (waits until one is Ready)."""
    query = {"labelSelector": ",".join("%s=%s" % item for item in sorted(selector.items()))}

    def check():
        status, body = api.get("/api/v1/namespaces/%s/pods" % namespace, query=query)
        if status != 200:
            return False, "listing pods answered %d" % status
        ready = [p for p in body.get("items", []) if _ready(p)]
        if not ready:
            count = len(body.get("items", []))
            return False, "no Ready pod with %s in %s yet (%d pod(s))" % (query["labelSelector"], namespace, count)
        findings = [f for p in ready for f in pod_findings(p, expected_user, expected_group, expected_image)]
        if findings:
            raise StopStage("; ".join(findings))
        return True, "%d Ready pod(s) run as user %s:%s, read-only root, no capabilities, RuntimeDefault seccomp, " \
                     "no service-account token, image %s" % (len(ready), expected_user, expected_group,
                                                             expected_image or "by digest")
    return check


def network_policy_enforcement(daemonsets, vpc_cni_config):
    """(enforced, evidence) from kube-system's DaemonSets and the VPC CNI's ConfigMap data."""
    names = {d.get("metadata", {}).get("name") for d in daemonsets}
    enforcing = sorted(names & set(ENFORCING_PLUGINS))
    if enforcing:
        return True, "network plugin %s enforces NetworkPolicy" % ", ".join(enforcing)
    for ds in daemonsets:
        if ds.get("metadata", {}).get("name") != "aws-node":
            continue
        for container in ds.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []:
            args = " ".join(container.get("args") or [])
            if container.get("name") == "aws-network-policy-agent" and "--enable-network-policy=true" in args:
                return True, "the VPC CNI's network policy agent runs with --enable-network-policy=true"
    if (vpc_cni_config or {}).get("enable-network-policy-controller") == "true":
        return True, "the VPC CNI ConfigMap enables the network policy controller"
    return False, ("NetworkPolicy objects are stored but NOT enforced: no enforcing network plugin in kube-system "
                   "(looked for %s, and aws-node with its network policy agent)" % ", ".join(ENFORCING_PLUGINS))


def network_policy(api, result):
    def check():
        status, body = api.get("/apis/apps/v1/namespaces/kube-system/daemonsets")
        daemonsets = body.get("items", []) if status == 200 else []
        status, cm = api.get("/api/v1/namespaces/kube-system/configmaps/amazon-vpc-cni")
        enforced, evidence = network_policy_enforcement(daemonsets, cm.get("data") if status == 200 else None)
        result["network_policy_enforced"] = enforced
        return True, evidence
    return check
