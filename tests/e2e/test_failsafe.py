# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail safe: no secret in the output or the process table, a killed apply is loud and leaves
nothing behind once it is dealt with, bad input stops in the preflight in one line."""

from __future__ import annotations

import base64
import glob
import json
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from tests.e2e.conftest import aws, published, secrets
from tests.playbook_runner import INVENTORY, ROOT, ansible_playbook

OURS = [{"Name": "tag:docc.platform/cluster", "Values": ["docc"]}]


def _descendants(root_pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


class ProcessSampler(threading.Thread):
    """Reads the command line and environment of every process under a run, every 0.1 s."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root_pid, self.samples, self.stop = root_pid, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in _descendants(self.root_pid):
                for name in ("cmdline", "environ"):
                    try:
                        with open("/proc/%d/%s" % (pid, name), "rb") as handle:
                            self.samples.append(handle.read().decode("utf-8", "replace"))
                    except OSError:
                        pass
            time.sleep(0.1)


def _run_sampled(*args):
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", NO_COLOR="1")
    proc = subprocess.Popen(["ansible-playbook", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    sampler = ProcessSampler(proc.pid)
    sampler.start()
    output = proc.communicate(timeout=1800)[0]
    sampler.stop.set()
    sampler.join()
    return proc.returncode, output, sampler.samples


def test_no_secret_reaches_the_output_or_the_process_table_at_vvv(engines):
    rc, output, samples = _run_sampled("playbooks/site.yml", "-i", INVENTORY, "--tags", "eks,image", "-vvv")
    assert rc == 0, output[-4000:]
    assert "ESTABLISH LOCAL CONNECTION" in output  # really -vvv
    assert len(samples) > 100  # the sampler saw the run's processes (terraform, docker, modules)
    for name, secret in secrets().items():
        assert secret not in output, name
        assert not [s for s in samples if secret in s], name
    assert "AWS_SECRET_ACCESS_KEY" not in output


def _encodings(username, password):
    """A registry password as a file could hold it: plain, and base64 alone or as Docker's auth."""
    forms = {password, "%s:%s" % (username, password)}
    return forms | {base64.b64encode(f.encode()).decode().rstrip("=") for f in forms}


def _files_holding(root, needles):
    found = []
    for base, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(base, name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            if any(n.encode() in data for n in needles):
                found.append(path)
    return found


REPOSITORY = "domain/docc-password-test"


def test_no_registry_password_rests_in_the_state_dir_after_a_run_or_a_failed_one(engines):
    """The registry login lives in a temporary Docker configuration for the push alone: after a run
    that pushed and after one whose login failed, no file under the state dir (but the local
    registry's own password file, which local_env publishes on purpose) holds the password in any
    encoding, and no temporary configuration is left."""
    state_dir, endpoints = os.environ["DOCC_STATE_DIR"], published()
    own = os.path.realpath(endpoints["registry_password_file"])
    leftovers = set(glob.glob(os.path.join(tempfile.gettempdir(), "docc-docker-config.*")))

    def holding(password):
        found = _files_holding(state_dir, _encodings(endpoints["registry_username"], password))
        return [f for f in found if os.path.realpath(f) != own]

    pushed = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "image", "-e",
                              "container_image_version=9.9.%d" % (os.getpid() % 1000),
                              # Its own repository: a new version of the same revision would move the
                              # shared repository's git-<revision> tag, which the role (rightly) refuses
                              # for the later tests.
                              "-e", "container_image_repository=%s" % REPOSITORY)
    assert pushed.rc == 0, pushed
    assert "Log Docker in to the registry" in pushed.output  # a new version: it really logged in
    assert holding(secrets()["registry_password"]) == []
    wrong = "not-the-password-%d" % os.getpid()
    failed = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "image", "-e",
                              "container_image_registry_password=%s" % wrong, "-e", "container_image_version=9.8.0",
                              "-e", "container_image_repository=%s" % REPOSITORY)
    assert failed.rc != 0, failed
    assert holding(wrong) == []
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "docc-docker-config.*"))) == leftovers


def test_eks_tokens_never_reach_the_output_even_at_vvv(engines):
    run = ansible_playbook("tests/e2e/playbooks/token_not_logged.yml", "-i", INVENTORY, "-vvv")
    assert run.rc == 0, run
    assert "ESTABLISH LOCAL CONNECTION" in run.output
    assert "k8s-aws-v1." not in run.output and "X-Amz-Signature" not in run.output


def test_a_type_error_stops_the_preflight_in_one_line(engines):
    run = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "-e", "eks_cluster_node_min_size=five")
    assert run.rc != 0
    assert "eks_cluster_node_min_size must be an integer, got a string 'five'" in run.output, run
    assert "argument_spec_data" not in run.output
    assert "TASK [docc.platform.eks_cluster" not in run.output  # stopped before any stage


def _terraform_apply_pid(work_dir):
    """The pid of the running terraform apply, from the journal terraform_stack keeps."""
    try:
        with open(os.path.join(work_dir, "docc-apply.json")) as handle:
            journal = json.load(handle)
    except (OSError, ValueError):
        return None
    pid = journal.get("pid") if journal.get("status") == "running" else None
    return pid if pid and os.path.exists("/proc/%d" % pid) else None


def test_a_killed_apply_fails_loudly_and_leaves_nothing_after_teardown(engines):
    down = ansible_playbook("playbooks/teardown.yml", "-i", INVENTORY)
    assert down.rc == 0, down
    ec2 = aws("ec2")
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", NO_COLOR="1")
    run = subprocess.Popen(["ansible-playbook", "playbooks/site.yml", "-i", INVENTORY, "--tags", "eks"], cwd=ROOT,
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    work_dir = os.path.join(os.environ["DOCC_STATE_DIR"], "eks")
    killed = None
    deadline = time.monotonic() + 600
    while killed is None and run.poll() is None and time.monotonic() < deadline:
        pid = _terraform_apply_pid(work_dir)
        # Kill once the apply has created something: the state may not record it yet.
        if pid and ec2.describe_vpcs(Filters=OURS)["Vpcs"]:
            os.kill(pid, signal.SIGKILL)
            killed = pid
        time.sleep(0.2)
    output = run.communicate(timeout=600)[0]
    assert killed, "never saw terraform apply create the VPC:\n" + output[-3000:]
    assert run.returncode != 0, output[-3000:]
    assert "killed by signal 9" in output or "SIGKILL" in output, output[-3000:]

    again = ansible_playbook("playbooks/site.yml", "-i", INVENTORY, "--tags", "eks")
    if again.rc != 0:
        # Resources the state does not know: named, and refused until told what to do.
        assert "stage_orphans=delete" in again.output, again
    down = ansible_playbook("playbooks/teardown.yml", "-i", INVENTORY)
    assert down.rc == 0, down
    assert ec2.describe_vpcs(Filters=OURS)["Vpcs"] == []
    tagging = aws("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": "docc.platform/cluster", "Values": ["docc"]}])["ResourceTagMappingList"]
    # KMS keys wait out their deletion window, and deleted NAT gateways stay listed (state
    # 'deleted') for about an hour, in AWS as in the emulator: both are checked by state below.
    assert [r["ResourceARN"] for r in tagging if ":key/" not in r["ResourceARN"]
            and ":natgateway/" not in r["ResourceARN"]] == []
    gateway_ids = [r["ResourceARN"].rsplit("/", 1)[-1] for r in tagging if ":natgateway/" in r["ResourceARN"]]
    if gateway_ids:
        gateways = ec2.describe_nat_gateways(NatGatewayIds=gateway_ids)["NatGateways"]
        assert [g["NatGatewayId"] for g in gateways if g["State"] != "deleted"] == []
    keys = aws("kms")
    enabled = [k for k in keys.list_keys()["Keys"]
               if keys.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"]
    assert enabled == []


@pytest.fixture(autouse=True)
def _state_dir_is_the_tests(monkeypatch):
    assert os.environ.get("DOCC_STATE_DIR"), "make test sets DOCC_STATE_DIR for the e2e tier"
