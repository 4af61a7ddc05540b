"""End-to-end tier: real ansible-playbook runs against the local engines."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(ROOT, "inventories", "local", "hosts.yml")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


class PlaybookRun:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout
        match = RECAP.search(proc.stdout)
        self.recap = dict(zip(("ok", "changed", "unreachable", "failed", "skipped"),
                              map(int, match.groups()[1:]))) if match else None

    def __repr__(self):
        return "rc=%s recap=%s\n%s" % (self.rc, self.recap, self.output[-4000:])


def ansible_playbook(*args, env=None, cwd=ROOT, timeout=1800):
    full_env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", NO_COLOR="1")
    full_env.update(env or {})
    proc = subprocess.run(["ansible-playbook", *args], cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
    return PlaybookRun(proc)


@pytest.fixture(scope="session")
def local_engines():
    """The local engines, started once for the tier (and proven idempotent), stopped after."""
    first = ansible_playbook("playbooks/local_env.yml", "-i", INVENTORY)
    assert first.rc == 0, first
    second = ansible_playbook("playbooks/local_env.yml", "-i", INVENTORY)
    assert second.rc == 0 and second.recap["changed"] == 0, second
    # The offline Go builder the image stage builds with (what make env-up does too).
    state_dir = os.environ.get("DOCC_STATE_DIR", os.path.join(ROOT, ".cache", "docc"))
    docker_host = os.environ.get("DOCKER_HOST") or "unix://%s/docker/docker.sock" % state_dir
    subprocess.run(["bash", os.path.join(ROOT, "tools", "go_builder_image.sh")], check=True,
                   env=dict(os.environ, DOCKER_HOST=docker_host), timeout=600)
    yield {"first": first, "second": second}
    down = ansible_playbook("playbooks/local_env.yml", "-i", INVENTORY, "-e", "local_env_state=absent")
    assert down.rc == 0, down
