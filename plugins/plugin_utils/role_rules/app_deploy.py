# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value rules of the app_deploy role (private to docc.platform)."""

from __future__ import annotations

import re

from ansible_collections.docc.platform.plugins.plugin_utils.role_rules import dns_label_problem, quantity

HOST = r"^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
DIGEST = r"@sha256:[0-9a-f]{64}$"
# The Deployment rolls one pod at a time: maxSurge 1 (templates/manifests.yml.j2).
SURGE = 1


def shape(v):
    problems = dns_label_problem("app_deploy_namespace", v("app_deploy_namespace"))
    problems += dns_label_problem("app_deploy_name", v("app_deploy_name"))
    if int(v("app_deploy_replicas")) < 1:
        problems.append("app_deploy_replicas must be at least 1 (got %s)" % v("app_deploy_replicas"))
    if not 1 <= int(v("app_deploy_port")) <= 65535:
        problems.append("app_deploy_port must be a TCP port, 1 to 65535 (got %s)" % v("app_deploy_port"))
    if int(v("app_deploy_shutdown_timeout")) < 1:
        problems.append("app_deploy_shutdown_timeout must be at least 1 second (got %s)"
                        % v("app_deploy_shutdown_timeout"))
    if not re.match(r"^(v1\.[0-9]+|latest)$", str(v("app_deploy_pod_security_version"))):
        problems.append("app_deploy_pod_security_version must be v1.<minor> or latest (got %r)"
                        % v("app_deploy_pod_security_version"))
    host = str(v("app_deploy_host")).lower()
    if not re.match(HOST, host) or len(host) > 253:
        problems.append("app_deploy_host %r is not a DNS host name such as service.docc.domain.io"
                        % v("app_deploy_host"))
    return problems


def quota(v):
    """The namespace's own quota must hold the replicas, and one more pod during a rollout."""
    replicas, limits = int(v("app_deploy_replicas")), v("app_deploy_quota")
    resources = v("app_deploy_resources")
    pods = replicas + SURGE
    problems = []
    if "pods" in limits and pods > int(quantity(limits["pods"]) or 0):
        problems.append("app_deploy_replicas is %d: with one more pod during a rollout that is %d pods, and "
                        "app_deploy_quota allows %s; raise app_deploy_quota.pods or lower the replicas"
                        % (replicas, pods, limits["pods"]))
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            key = "%s.%s" % (kind, resource)
            per_pod = quantity(resources.get(kind, {}).get(resource, 0))
            allowed = quantity(limits.get(key)) if key in limits else None
            if per_pod is None:
                problems.append("app_deploy_resources.%s.%s %r is not a Kubernetes quantity"
                                % (kind, resource, resources[kind][resource]))
            elif allowed is not None and per_pod * pods > allowed:
                problems.append("app_deploy_replicas is %d: %d pods (one more during a rollout) of %s %s each need "
                                "more than app_deploy_quota's %s %s; raise the quota or lower the replicas or the "
                                "resources" % (replicas, pods, resources[kind][resource], key, limits[key], key))
    return problems


def from_earlier_stages(v):
    """The image, its user, its registry credentials and the ingress class come from earlier stages."""
    if v("app_deploy_state") != "present":
        return []
    problems = []
    image = v("app_deploy_image") or ""
    if not image:
        problems.append("app_deploy_image is empty: it defaults to the image stage's output container_image_reference; "
                        "run the image stage first (--tags image), or set it")
    elif v("app_deploy_require_digest") and not re.search(DIGEST, image):
        problems.append("app_deploy_image %r is not pinned by digest (name@sha256:<64 hex>) while "
                        "app_deploy_require_digest is true" % image)
    if int(v("app_deploy_run_as_user")) <= 0 or int(v("app_deploy_run_as_group")) <= 0:
        problems.append("app_deploy_run_as_user (%s) and app_deploy_run_as_group (%s) must be numeric ids other than "
                        "0: the pods run as non-root (the sample image's USER is 65532:65532)"
                        % (v("app_deploy_run_as_user"), v("app_deploy_run_as_group")))
    credentials = v("app_deploy_registry_username") and v("app_deploy_registry_password")
    if v("app_deploy_registry_auth") == "password" and not credentials:
        problems.append("app_deploy_registry_auth is password, so app_deploy_registry_username and "
                        "app_deploy_registry_password must be set for the imagePullSecret (they default to the image "
                        "stage's registry credentials); use app_deploy_registry_auth: none for a public image")
    if not v("app_deploy_ingress_class") or dns_label_problem("x", v("app_deploy_ingress_namespace")):
        problems.append("app_deploy_ingress_class (%r) and app_deploy_ingress_namespace (%r) default to the ingress "
                        "stage's ingress_controller_class_name and ingress_controller_controller_namespace: run the "
                        "ingress stage first (--tags ingress), or set them"
                        % (v("app_deploy_ingress_class"), v("app_deploy_ingress_namespace")))
    return problems


INPUT = [shape, quota]
STAGE = [from_earlier_stages]
