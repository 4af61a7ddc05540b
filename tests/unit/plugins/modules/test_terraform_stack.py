# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""terraform_stack against real Terraform and a provider-less root module (terraform_data):
init only when needed, honest check mode, destructive plans refused, a killed apply reported
with what it completed, private state files, destroy."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading

import pytest

from ansible_collections.docc.platform.plugins.module_utils import _terraform as tf
from ansible_collections.docc.platform.plugins.modules import terraform_stack
from tests.unit.module_runner import ansible_module, run_module

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "terraform", "stack")

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")


@pytest.fixture()
def stack(tmp_path, fake_aws_env):
    def args(**kwargs):
        base = {"source": os.path.abspath(FIXTURE), "work_dir": str(tmp_path / "work"),
                "variables": {"name": "first"}, "protect": ["terraform_data"]}
        base.update(kwargs)
        return base
    return args


def _commands(result):
    return [c["command"].split()[1] for c in result["commands"]]


def test_check_mode_on_a_fresh_directory_plans_and_writes_nothing(stack, tmp_path):
    failed, result = run_module(terraform_stack.main, stack(), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] and result["has_changes"]
    assert result["counts"] == {"add": 2, "change": 0, "destroy": 0}
    assert "+ terraform_data.stateful" in result["diff"]["prepared"]
    assert not (tmp_path / "work").exists()


def test_apply_then_no_op_without_init_or_show(stack, tmp_path):
    failed, first = run_module(terraform_stack.main, stack())
    assert not failed, first
    assert first["changed"] and first["outputs"] == {"name": "first"}
    assert first["init"] == "no .terraform directory yet"
    work = tmp_path / "work"
    assert oct((work / "terraform.tfstate").stat().st_mode & 0o777) == "0o600"
    assert oct(work.stat().st_mode & 0o777) == "0o700"
    failed, second = run_module(terraform_stack.main, stack())
    assert not failed, second
    assert not second["changed"] and second["init"] is None
    # An empty plan is neither re-initialised nor shown again.
    assert _commands(second) == ["version", "plan"]
    assert second["outputs"] == {"name": "first"}
    state_before = (work / "terraform.tfstate").read_bytes()
    failed, check = run_module(terraform_stack.main, stack(), check_mode=True)
    assert not failed and not check["changed"], check
    # An empty check-mode plan still reports the state's outputs (later stages read them).
    assert check["outputs"] == {"name": "first"} and len(check["resources"]) == 2
    assert (work / "terraform.tfstate").read_bytes() == state_before


def test_a_destructive_plan_is_refused_naming_the_forcing_attribute(stack, tmp_path):
    assert not run_module(terraform_stack.main, stack())[0]
    failed, result = run_module(terraform_stack.main, stack(variables={"name": "second"}))
    assert failed
    assert result["reason"] == "destructive"
    assert 'terraform_data.stateful replaced (triggers_replace: "first" -> "second")' in result["msg"]
    state = json.loads((tmp_path / "work" / "terraform.tfstate").read_text())
    assert tf.state_addresses(state)  # nothing destroyed
    failed, result = run_module(terraform_stack.main, stack(variables={"name": "second"}, allow_destructive=True))
    assert not failed and result["outputs"] == {"name": "second"}


def test_plan_only_then_apply_the_saved_plan(stack):
    failed, plan = run_module(terraform_stack.main, stack(plan_only=True))
    assert not failed and not plan["changed"] and plan["has_changes"]
    failed, applied = run_module(terraform_stack.main, stack(plan_file=plan["plan_file"]))
    assert not failed and applied["changed"] and applied["outputs"] == {"name": "first"}


def _slow_resource_running(terraform_pid):
    """True once the slow resource's provisioner (a `sleep` under Terraform) runs: the
    stateful resource before it has completed by then (observed, not timed)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                argv = handle.read().split(b"\0")
            with open("/proc/%s/stat" % entry) as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if argv and argv[0].endswith(b"sleep"):
            # the sleep's parent is the shell local-exec started, whose parent is Terraform
            try:
                with open("/proc/%d/stat" % ppid) as handle:
                    grandparent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if terraform_pid in (ppid, grandparent):
                return True
    return False


def test_a_killed_apply_fails_with_what_it_completed_and_the_next_run_reports_it(stack, tmp_path):
    """SIGKILL Terraform once the first resource has completed (its successor's provisioner
    runs); the apply fails naming it, and the next plan carries the journal."""
    work = tmp_path / "work"
    killed = {}

    def kill_when_first_resource_done():
        while "pid" not in killed:
            try:
                journal = json.loads((work / tf.JOURNAL_FILE).read_text())
            except (OSError, ValueError):
                continue
            if journal.get("pid") and journal.get("status") == "running" and _slow_resource_running(journal["pid"]):
                os.kill(journal["pid"], signal.SIGKILL)
                killed["pid"] = journal["pid"]

    watcher = threading.Thread(target=kill_when_first_resource_done, daemon=True)
    watcher.start()
    failed, result = run_module(terraform_stack.main, stack(variables={"name": "first", "slow_seconds": 60}))
    watcher.join(5)
    assert failed, result
    assert "terraform apply killed by SIGKILL" in result["msg"]
    assert "create terraform_data.stateful" in result["msg"]
    assert result["journal"]["status"] == "killed by SIGKILL"
    failed, again = run_module(terraform_stack.main, stack(variables={"name": "first"}, plan_only=True))
    assert not failed, again
    assert again["previous_apply"]["status"] == "killed by SIGKILL"


def test_sigint_to_the_module_stops_terraform_gracefully_and_is_reported(stack, tmp_path):
    """A Ctrl-C reaches the module's process (Terraform runs in its own session): the module
    forwards it once, Terraform stops and writes its state, and the failure says so."""
    work = tmp_path / "work"
    script = (
        "import sys, json; sys.path.insert(0, %r)\n"
        "from ansible_collections.docc.platform.plugins.module_utils import _terraform as tf\n"
        "from ansible.module_utils.basic import AnsibleModule\n"
        "from ansible.module_utils.testing import patch_module_args\n"
        "with patch_module_args({}):\n"
        "    module = AnsibleModule(argument_spec={})\n"
        "ws = tf.Workspace(%r, %r, module.run_command, backend={'type': 'local', 'config': {'path': %r}})\n"
        "ws.sync({'name': 'first', 'slow_seconds': 60}); ws.init(ws.version()); ws.plan()\n"
        "print('PLANNED', flush=True)\n"
        "try:\n"
        "    ws.apply()\n"
        "except tf.TerraformError as exc:\n"
        "    print('FAILED ' + json.dumps(exc.details['journal']), flush=True)\n"
    ) % (os.environ.get("DOCC_COLLECTIONS_ROOT", _collections_root()), os.path.abspath(FIXTURE), str(work),
         str(work / "terraform.tfstate"))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "PLANNED"
    journal_file = work / tf.JOURNAL_FILE
    while True:
        if proc.poll() is not None:
            pytest.fail("the apply ended before it could be interrupted")
        try:
            pid = json.loads(journal_file.read_text()).get("pid")
        except (OSError, ValueError):
            continue
        if pid and _slow_resource_running(pid):
            break
    proc.send_signal(signal.SIGINT)
    out, dummy = proc.communicate(timeout=60)
    journal = json.loads(out.split("FAILED ", 1)[1])
    assert journal["status"] == "interrupted by SIGINT"
    assert "create terraform_data.stateful" in journal["completed"]


def _collections_root():
    from ansible_collections.docc import platform

    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(platform.__file__))))


def test_destroy_uses_the_applied_variables_and_an_empty_state_costs_no_init(stack, tmp_path):
    assert not run_module(terraform_stack.main, stack(variables={"name": "kept"}))[0]
    # The inputs are gone by teardown time: the destroy uses the variables it applied with.
    failed, result = run_module(terraform_stack.main, stack(variables={}, state="absent"))
    assert not failed and result["changed"]
    assert "terraform_data.stateful" in result["destroyed"]
    failed, again = run_module(terraform_stack.main, stack(variables={}, state="absent"))
    assert not failed and not again["changed"]
    assert _commands(again) == ["version"]


def test_init_runs_again_only_when_its_inputs_change(tmp_path):
    ws = tf.Workspace(os.path.abspath(FIXTURE), str(tmp_path / "w"), ansible_module().run_command,
                      backend={"type": "local", "config": {"path": str(tmp_path / "w" / "s.tfstate")}})
    ws.sync({"name": "first"})
    version = ws.version()
    assert ws.init_needed(version) == (True, "no .terraform directory yet")
    ws.init(version)
    assert ws.init_needed(version) == (False, None)
    assert ws.init_needed("0.0.1")[0]
    other = tf.Workspace(os.path.abspath(FIXTURE), str(tmp_path / "w"), ansible_module().run_command,
                         backend={"type": "local", "config": {"path": str(tmp_path / "w" / "t.tfstate")}})
    why = "the Terraform version, the backend or the provider requirements changed"
    assert other.init_needed(version) == (True, why)


def test_sync_writes_only_what_changed_and_removes_stale_files(tmp_path):
    ws = tf.Workspace(os.path.abspath(FIXTURE), str(tmp_path / "w"), ansible_module().run_command)
    assert sorted(ws.sync({"name": "a"})) == [tf.VARS_FILE, "main.tf"]
    assert ws.sync({"name": "a"}) == []
    assert ws.files_in_step({"name": "a"})
    (tmp_path / "w" / "old.tf").write_text("# stale\n")
    assert ws.sync({"name": "b"}) == [tf.VARS_FILE, "old.tf"]
    assert not (tmp_path / "w" / "old.tf").exists()
    assert ws.sync({}, keep_variables=True) == []
    assert json.loads((tmp_path / "w" / tf.VARS_FILE).read_text()) == {"name": "b"}


LOG_GROUP_FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "terraform", "eks_log_group")


def test_a_log_group_eks_made_again_is_adopted_not_created(fake_aws_env, moto_server, tmp_path):
    """After a destroy, EKS writes to /aws/eks/<cluster>/cluster again and so makes the group again
    (untagged, no retention; terraform-aws-eks #2486, #2763); creating it then fails with
    ResourceAlreadyExistsException (CreateLogGroup). The stage expects it and imports it."""
    import boto3

    fake_aws_env.setenv("AWS_ENDPOINT_URL", moto_server)
    boto3.client("logs").create_log_group(logGroupName="/aws/eks/docc/cluster")
    args = {"source": os.path.abspath(LOG_GROUP_FIXTURE), "work_dir": str(tmp_path / "work"),
            "variables": {"cluster_name": "docc"}}
    failed, without = run_module(terraform_stack.main, dict(args, work_dir=str(tmp_path / "plain")))
    assert failed and "ResourceAlreadyExistsException" in without["msg"], without
    expected = [{"address": "aws_cloudwatch_log_group.cluster", "id": "/aws/eks/docc/cluster"}]
    failed, result = run_module(terraform_stack.main, dict(args, adopt_existing=expected))
    assert not failed, result
    assert result["adopted_existing"] == ["aws_cloudwatch_log_group.cluster <- /aws/eks/docc/cluster"]
    group = boto3.client("logs").describe_log_groups(logGroupNamePrefix="/aws/eks/docc/cluster")["logGroups"][0]
    assert group["retentionInDays"] == 7  # the stack's settings now apply to it
    failed, again = run_module(terraform_stack.main, dict(args, adopt_existing=expected))
    assert not failed and not again["changed"] and "adopted_existing" not in again
