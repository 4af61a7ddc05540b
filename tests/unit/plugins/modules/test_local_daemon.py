# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""local_daemon: idempotent start, honest check mode, restart on new arguments, stop."""

from __future__ import annotations

import sys

import pytest

from ansible_collections.docc.platform.plugins.module_utils import _process
from ansible_collections.docc.platform.plugins.modules import local_daemon
from tests.unit.conftest import free_port
from tests.unit.module_runner import run_module


@pytest.fixture()
def daemon(tmp_path):
    port = free_port()
    args = {
        "name": "web",
        "command": [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        "pidfile": str(tmp_path / "web.pid"),
        "ready": {"url": "http://127.0.0.1:%d/" % port},
        "timeout": 20,
    }
    yield args
    pid = _process.read_pid(args["pidfile"])
    if _process.pid_alive(pid):
        _process.stop(pid, 5)


def test_check_mode_reports_a_start_and_starts_nothing(daemon):
    failed, result = run_module(local_daemon.main, daemon, check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["diff"]["before"]["state"] == "stopped"
    assert _process.read_pid(daemon["pidfile"]) is None


def test_start_is_idempotent_and_stop_is_by_pid(daemon):
    failed, first = run_module(local_daemon.main, daemon)
    assert not failed and first["changed"] is True
    assert "answered 200" in first["observed"]
    failed, second = run_module(local_daemon.main, daemon)
    assert not failed and second["changed"] is False
    assert second["pid"] == first["pid"]
    failed, check = run_module(local_daemon.main, daemon, check_mode=True)
    assert check["changed"] is False

    stop_args = {"name": "web", "state": "stopped", "pidfile": daemon["pidfile"]}
    failed, check_stop = run_module(local_daemon.main, stop_args, check_mode=True)
    assert check_stop["changed"] is True and _process.pid_alive(first["pid"])
    failed, stopped = run_module(local_daemon.main, stop_args)
    assert not failed and stopped["changed"] is True and stopped["signals"] == ["SIGTERM"]
    assert not _process.pid_alive(first["pid"])
    failed, again = run_module(local_daemon.main, stop_args)
    assert again["changed"] is False


def test_changed_arguments_restart_the_process(daemon):
    first = run_module(local_daemon.main, daemon)[1]
    daemon["env"] = {"DOCC_FLAG": "2"}
    second = run_module(local_daemon.main, daemon)[1]
    assert second["changed"] is True
    assert second["pid"] != first["pid"]
    assert not _process.pid_alive(first["pid"])


def test_a_program_that_cannot_start_fails_with_its_log_tail(tmp_path):
    args = {
        "name": "broken",
        "command": [sys.executable, "-c", "import sys; sys.stderr.write('port already in use\\n'); sys.exit(1)"],
        "pidfile": str(tmp_path / "broken.pid"),
        "ready": {"type": "tcp", "port": free_port()},
        "timeout": 20,
    }
    failed, result = run_module(local_daemon.main, args)
    assert failed
    assert "exited before it answered" in result["msg"]
    assert "port already in use" in result["log_tail"]
    assert str(tmp_path / "broken.log") in result["msg"]


def test_a_missing_program_fails_clearly(tmp_path):
    args = {"name": "ghost", "command": ["/nonexistent/docc-ghost"], "pidfile": str(tmp_path / "g.pid")}
    failed, result = run_module(local_daemon.main, args)
    assert failed
    assert "Could not execute /nonexistent/docc-ghost" in result["msg"]
    assert "make setup" in result["msg"]
