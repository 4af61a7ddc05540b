# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wall times of the eks stage on the local engines: create, no-op re-run, destroy.

Runs `site.yml --tags eks` twice and `teardown.yml --tags eks` once against the local
inventory (start the engines first: make env-up), and writes benchmarks/results/eks.json.
  .venv/bin/python benchmarks/eks_terraform_times.py
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
INVENTORY = str(ROOT / "inventories" / "local" / "hosts.yml")
RECAP = re.compile(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


def run(playbook, *extra):
    start = time.monotonic()
    proc = subprocess.run(["ansible-playbook", playbook, "-i", INVENTORY, "--tags", "eks", *extra], cwd=ROOT,
                          capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"), check=False)
    seconds = round(time.monotonic() - start, 1)
    recap = RECAP.findall(proc.stdout)
    if proc.returncode != 0 or not recap:
        raise SystemExit("%s failed:\n%s" % (playbook, proc.stdout[-3000:]))
    changed, failed = int(recap[-1][1]), int(recap[-1][3])
    return {"seconds": seconds, "changed": changed, "failed": failed}


def main():
    result = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "environment": "moto 5.2.5 server on loopback, terraform 1.11, hashicorp/aws 5.100, 2 vCPU",
        "create": run("playbooks/site.yml"),
        "noop_rerun": run("playbooks/site.yml"),
        "check_mode_on_converged": run("playbooks/site.yml", "--check"),
        "destroy": run("playbooks/teardown.yml"),
    }
    out = ROOT / "benchmarks" / "results" / "eks.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if result["noop_rerun"]["changed"] or result["check_mode_on_converged"]["changed"]:
        raise SystemExit("the re-run or check mode reported changes")


if __name__ == "__main__":
    main()
