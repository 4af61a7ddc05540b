# SPDX-License-Identifier: GPL-3.0-or-later
"""make chart-cache: fetches the real charts the ingress stage pins, and the AWS Load Balancer
Controller's published IAM policy at the controller's tag, into the cache the conformance tier
reads ($DOCC_CHART_CACHE, default ~/.cache/docc/charts). Needs the internet (helm pull, one
HTTPS GET); the project never holds these files.

The pins are read from the role (vars/main.yml's catalog, defaults/main.yml's load balancer
controller chart): they live there and nowhere else.

    python tools/chart_cache.py          fetch what is missing
    python tools/chart_cache.py --list   print what the cache must hold, and what is missing
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROLE = ROOT / "roles" / "ingress_controller"
# The policy file of the controller release the LBC chart ships (the chart's appVersion).
POLICY_URL = ("https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/{tag}/"
              "docs/install/iam_policy.json")


def cache_dir():
    return pathlib.Path(os.environ.get("DOCC_CHART_CACHE") or pathlib.Path.home() / ".cache" / "docc" / "charts")


def pins():
    """[(name, chart, repo_url, version)] for every chart the role can install."""
    catalog = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["_ingress_controller_catalog"]
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    out = [(key, entry["chart_ref"], entry["chart_repo_url"], str(entry["chart_version"]))
           for key, entry in sorted(catalog.items())]
    out.append(("aws-load-balancer-controller", defaults["ingress_controller_lbc_chart_ref"],
                defaults["ingress_controller_lbc_chart_repo_url"],
                str(defaults["ingress_controller_lbc_chart_version"])))
    return out


def chart_path(name):
    """The cached chart directory of a catalog name (traefik, f5-nginx, aws-load-balancer-controller)."""
    for key, chart, _repo, version in pins():
        if key == name:
            return cache_dir() / ("%s-%s" % (chart, version)) / chart
    raise KeyError(name)


def policy_path():
    _key, chart, _repo, version = [p for p in pins() if p[0] == "aws-load-balancer-controller"][0]
    return cache_dir() / ("%s-%s" % (chart, version)) / "iam_policy.json"


def missing():
    needed = [chart_path(p[0]) / "Chart.yaml" for p in pins()] + [policy_path()]
    return [str(n) for n in needed if not n.exists()]


def fetch():
    for key, chart, repo, version in pins():
        target = chart_path(key)
        if (target / "Chart.yaml").exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["helm", "pull",  # noqa: S607 - the venv's helm, first on PATH under make chart, "--repo", repo, "--version", version, "--untar",
                        "--untardir", str(target.parent)], check=True)
        print("cached %s %s from %s" % (chart, version, repo))
    policy = policy_path()
    if not policy.exists():
        chart = yaml.safe_load((chart_path("aws-load-balancer-controller") / "Chart.yaml").read_text())
        url = POLICY_URL.format(tag=chart["appVersion"])
        with urllib.request.urlopen(url, timeout=60) as response, tempfile.NamedTemporaryFile(  # noqa: S310 - https
                dir=policy.parent, delete=False) as handle:
            handle.write(response.read())
        os.replace(handle.name, policy)
        print("cached %s" % url)


def main(argv):
    if argv[1:] == ["--list"]:
        for key, chart, repo, version in pins():
            print("%s: %s %s from %s -> %s" % (key, chart, version, repo, chart_path(key)))
        print("policy -> %s" % policy_path())
        print("missing: %s" % (", ".join(missing()) or "nothing"))
        return 0
    fetch()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
