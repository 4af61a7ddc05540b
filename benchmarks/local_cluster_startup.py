# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up time of the local Kubernetes cluster local_env starts: the control plane alone
(kube-apiserver the only asset) and the single node, each from stopped engines.

    python benchmarks/local_cluster_startup.py [--out benchmarks/results/local_cluster.json]

For each mode it runs playbooks/local_env.yml with ansible.posix.profile_tasks and reports
the whole start, the Kubernetes part of it (etcd to the last readiness wait), and the
second, idempotent start. Needs the assets (the setup-envtest directory or
KUBEBUILDER_ASSETS); nothing here is a test.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "inventories", "local", "hosts.yml")
ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
           ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), NO_COLOR="1", ANSIBLE_NOCOLOR="1",
           ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
           DOCC_STATE_DIR=os.path.join(ROOT, ".cache", "docc-bench"), DOCC_MOTO_PORT="14055",
           DOCC_REGISTRY_PORT="14000", DOCC_K8S_PORT_BASE="14400", DOCC_K8S_BRIDGE="doccb0",
           DOCC_K8S_POD_CIDR="10.90.0.0/24")


def _names(tasks):
    for task in tasks or []:
        if "block" in task:
            yield from _names(task["block"])
        if task.get("name"):
            yield "docc.platform.local_env : " + task["name"]


def kubernetes_task_names():
    """The tasks of local_env's Kubernetes part (its two task files)."""
    import yaml
    names = set()
    for part in ("kubernetes.yml", "kubernetes_up.yml"):
        with open(os.path.join(ROOT, "roles", "local_env", "tasks", part)) as handle:
            names.update(_names(yaml.safe_load(handle)))
    return names


KUBERNETES_TASKS = kubernetes_task_names()


def local_env(*extra):
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", os.path.join(ROOT, "playbooks", "local_env.yml"), "-i", INVENTORY,
                           *extra], env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit("local_env.yml %s failed:\n%s" % (" ".join(extra), proc.stdout[-4000:]))
    recap = proc.stdout.split("TASKS RECAP")[-1]
    tasks = [(name.strip(), float(seconds)) for name, seconds in re.findall(r"^(.*?) -+ (\d+\.\d+)s$", recap, re.M)]
    kubernetes = sum(seconds for name, seconds in tasks if name in KUBERNETES_TASKS)
    changed = int(re.search(r"changed=(\d+)", proc.stdout.split("PLAY RECAP")[-1]).group(1))
    return {"seconds": round(elapsed, 1), "kubernetes_seconds": round(kubernetes, 1), "changed": changed,
            "slowest": [{"task": n, "seconds": s} for n, s in sorted(tasks, key=lambda t: -t[1])[:5]]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "local_cluster.json"))
    args = parser.parse_args()
    apiserver = sorted(glob.glob(os.path.expanduser("~/.local/share/kubebuilder-envtest/k8s/*/kube-apiserver")))
    if os.environ.get("KUBEBUILDER_ASSETS"):
        apiserver.append(os.path.join(os.environ["KUBEBUILDER_ASSETS"], "kube-apiserver"))
    if not apiserver:
        sys.exit("no kube-apiserver asset: nothing to measure")
    only = tempfile.mkdtemp(prefix="apiserver-only-")
    os.symlink(apiserver[-1], os.path.join(only, "kube-apiserver"))
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
              "assets": os.path.dirname(apiserver[-1])}
    local_env("-e", "local_env_state=absent")
    for mode, extra in (("control_plane", ["-e", json.dumps({"local_env_kubernetes_assets_dir": only})]),
                        ("node", [])):
        first = local_env(*extra)
        second = local_env(*extra)
        local_env("-e", "local_env_state=absent")
        report[mode] = {"start": first, "second_start": second}
        print("%-14s start %6.1f s (Kubernetes %5.1f s)  second start %5.1f s, changed=%d" % (
            mode, first["seconds"], first["kubernetes_seconds"], second["seconds"], second["changed"]), flush=True)
    os.remove(os.path.join(only, "kube-apiserver"))
    os.rmdir(only)
    with open(args.out, "w") as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
