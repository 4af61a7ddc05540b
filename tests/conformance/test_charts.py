# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Conformance: the ingress stage's values rendered through the REAL pinned charts agree with what
the fixture charts make of them, and the controller-mode IAM policy grants exactly the actions of
the pinned controller's published policy.

The real charts are never part of the project: they are read from a cache,
$DOCC_CHART_CACHE (default ~/.cache/docc/charts), at the role's pins, as `make chart-cache`
(tools/chart_cache.py) writes it. Without them the tier prints SKIPPED with the reason
(tools/test.sh)."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import chart_cache  # noqa: E402  (tools/ is no package)

FILES = {"ingress": ["traefik.yaml", "aws-load-balancer-controller.yaml"], "ingress-nginx": ["nginx-ingress.yaml"]}
REAL = {"traefik": "traefik", "nginx": "f5-nginx", "lbc": "aws-load-balancer-controller"}

pytestmark = pytest.mark.skipif(bool(chart_cache.missing()), reason="real charts not in %s (make chart-cache): %s"
                                % (chart_cache.cache_dir(), chart_cache.missing()))


def _render(tmp, name, extra):
    out = tmp / name
    proc = subprocess.run(["ansible-playbook", "tests/static/render.yml", "-e", "render_dir=%s" % out,
                           "-e", "render_state_dir=%s" % (tmp / "state")] + extra, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("conformance")
    fixture = _render(tmp, "fixture", [])
    real = _render(tmp, "real", ["-e", json.dumps({"real_charts": {k: str(chart_cache.chart_path(v))
                                                                   for k, v in REAL.items()}})])
    yield fixture, real
    shutil.rmtree(tmp, ignore_errors=True)


def _docs(root, sub, name):
    with open(root / sub / name) as handle:
        return [d for d in yaml.safe_load_all(handle) if d]


def _summary(docs):
    """What must agree: per Service its type, ports and selector; the pods' name label; the
    IngressClass; the API version of every kind."""
    out = {"services": {}, "api_versions": {}, "pod_names": set(), "ingress_classes": {}}
    for d in docs:
        out["api_versions"].setdefault(d["kind"], set()).add(d["apiVersion"])
        if d["kind"] == "Service":
            out["services"][d["metadata"]["name"]] = (
                d["spec"].get("type", "ClusterIP"),
                sorted((p["name"], p["port"], str(p.get("targetPort"))) for p in d["spec"]["ports"]),
                d["spec"].get("loadBalancerSourceRanges"))
        if d["kind"] == "Deployment":
            out["pod_names"].add(d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/name"))
        if d["kind"] == "IngressClass":
            out["ingress_classes"][d["metadata"]["name"]] = d["metadata"].get("annotations", {}).get(
                "ingressclass.kubernetes.io/is-default-class")
    return out


@pytest.mark.parametrize("sub, name", [(s, n) for s, names in FILES.items() for n in names])
def test_the_real_chart_makes_what_the_fixture_makes(renders, sub, name):
    fixture, real = renders
    mine, theirs = _summary(_docs(fixture, sub, name)), _summary(_docs(real, sub, name))
    # The release's own Service (the webhook's is the load balancer controller's alone).
    for service, spec in mine["services"].items():
        assert theirs["services"].get(service) == spec, (service, spec, theirs["services"])
    # The role's values select the pods by this label (topology spread, pod disruption budget).
    assert mine["pod_names"] <= theirs["pod_names"]
    classes = {k: v for k, v in theirs["ingress_classes"].items() if k in mine["ingress_classes"]}
    assert mine["ingress_classes"] == classes
    for kind, versions in mine["api_versions"].items():
        if kind in theirs["api_versions"]:
            assert versions == theirs["api_versions"][kind], kind


def test_the_real_render_has_no_second_load_balancer_and_validates(renders):
    dummy, real = renders
    for sub, allowed in (("ingress", 0), ("ingress-nginx", 1)):
        docs = [d for name in sorted(os.listdir(real / sub)) for d in _docs(real, sub, name)]
        balancers = [d for d in docs if d["kind"] == "Service" and d["spec"].get("type") == "LoadBalancer"]
        assert len(balancers) == allowed, sub
    # Validated against Kubernetes 1.36 by the role itself (manifest_check) while rendering; and
    # the RBAC the real charts bring is of APIs that version serves.
    rbac = [d for name in FILES["ingress"] for d in _docs(real, "ingress", name)
            if d["kind"] in ("ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding")]
    assert rbac and {d["apiVersion"] for d in rbac} == {"rbac.authorization.k8s.io/v1"}


def _policy_actions(text):
    """The actions a Terraform policy document lists: quoted service:Action strings, less the
    condition keys (`variable = "ec2:CreateAction"`)."""
    text = re.sub(r'variable\s*=\s*"[^"]*"', "", text)
    return set(re.findall(r'"((?:ec2|elasticloadbalancing|iam|acm|cognito-idp|waf-regional|wafv2|shield):[A-Za-z]+)"',
                          text))


def test_the_controller_mode_policy_grants_the_published_actions():
    upstream = json.loads(chart_cache.policy_path().read_text())
    actions = set()
    for statement in upstream["Statement"]:
        actions.update(statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    ours = (ROOT / "roles" / "ingress_controller" / "files" / "terraform" / "iam.tf").read_text()
    controller_mode = ours[ours.index('data "aws_iam_policy_document" "controller"'):]
    listed = _policy_actions(ours[ours.index("describe = ["):ours.index("describe_edge")]) | _policy_actions(
        controller_mode)
    assert listed == actions, {"missing": sorted(actions - listed), "extra": sorted(listed - actions)}


def _read_paths(chart):
    """The value paths a chart's templates read (`.Values.controller.service.type` -> every prefix)."""
    paths = set()
    for template in (chart / "templates").rglob("*"):
        if template.is_file():
            for match in re.findall(r"\.Values((?:\.[A-Za-z0-9_]+)+)", template.read_text(errors="replace")):
                parts = match.strip(".").split(".")
                paths.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return paths


def test_the_fixtures_take_only_keys_the_real_charts_know():
    """Every value key (two levels deep) a fixture takes is one the real chart reads: in its
    values.yaml or read by its templates (keys the chart documents only as comments, like
    nginx-ingress's controller.topologySpreadConstraints). The tests' own keys: image,
    imagePullSecrets."""
    pairs = [("fixture-ingress", "traefik"), ("fixture-lbc", "aws-load-balancer-controller"),
             ("fixture-nginx", "f5-nginx")]
    for fixture, name in pairs:
        real = chart_cache.chart_path(name)
        values = yaml.safe_load((real / "values.yaml").read_text())
        read = _read_paths(real)
        mine = yaml.safe_load((ROOT / "tests" / "fixtures" / "charts" / fixture / "values.yaml").read_text())
        own = ("image", "imagePullSecrets")
        unknown = sorted(k for k in mine if k not in values and k not in read and k not in own)
        assert unknown == [], (fixture, unknown)
        for key, item in mine.items():
            if isinstance(item, dict) and isinstance(values.get(key), dict):
                extra = sorted(k for k in item if k not in values[key] and "%s.%s" % (key, k) not in read)
                assert extra == [], (fixture, key, extra)
