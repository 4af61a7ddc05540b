# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook from a test and read its recap (the e2e and cluster tiers)."""

from __future__ import annotations

import os
import re
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "inventories", "local", "hosts.yml")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


class PlaybookRun(str):
    """A finished run. As a string it is the assertion message a failing test prints: the
    command, the recap, the log file with the whole output, and the output's last lines
    (a str, so pytest prints it whole instead of a shortened repr)."""

    def __new__(cls, proc, args):
        match = RECAP.search(proc.stdout)
        recap = dict(zip(("ok", "changed", "unreachable", "failed", "skipped"),
                         map(int, match.groups()[1:]))) if match else None
        log_dir = os.path.join(ROOT, ".cache", "test-logs", "runs")
        os.makedirs(log_dir, exist_ok=True)
        log = os.path.join(log_dir, "%s-%s.log" % (time.strftime("%H%M%S"), os.path.basename(args[0])))
        with open(log, "w") as handle:
            handle.write(proc.stdout)
        self = super().__new__(cls, "\nansible-playbook %s\nrc=%s recap=%s (whole output: %s)\n%s" % (
            " ".join(args), proc.returncode, recap, log, "\n".join(proc.stdout.splitlines()[-60:])))
        self.args, self.rc, self.output, self.recap, self.log = args, proc.returncode, proc.stdout, recap, log
        return self


def ansible_playbook(*args, env=None, cwd=ROOT, timeout=1800):
    """Run ``ansible-playbook args`` with the local inventory's settings; stdout and stderr together."""
    full_env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", ANSIBLE_NOCOLOR="1")
    full_env.setdefault("ANSIBLE_CONFIG", os.path.join(ROOT, "ansible.cfg"))
    full_env.update(env or {})
    proc = subprocess.run(["ansible-playbook", *args], cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
    return PlaybookRun(proc, list(args))


def state_dir():
    return os.environ.get("DOCC_STATE_DIR") or os.path.join(ROOT, ".cache", "docc")


def local_env(*extra, env=None):
    """playbooks/local_env.yml on the local inventory (extra: more ansible-playbook arguments)."""
    return ansible_playbook("playbooks/local_env.yml", "-i", INVENTORY, *extra, env=env)
