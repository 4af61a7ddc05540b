# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_process starts real processes, probes them, and stops them by PID."""

from __future__ import annotations

import os
import sys
import time

import pytest

from ansible_collections.docc.platform.plugins.module_utils import _process
from tests.unit.conftest import free_port
from tests.unit.fake_clock import FakeClock
from tests.unit.module_runner import ansible_module


def start(*args, **kwargs):
    """_process.start through a real AnsibleModule's run_command."""
    return _process.start(ansible_module().run_command, *args, **kwargs)


def gone(pid, timeout=5):
    """True once ``pid`` has ended (it is not our child: the launcher forked it)."""
    deadline = time.monotonic() + timeout
    while _process.pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture()
def http_server_argv():
    port = free_port()
    return port, [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]


def test_start_probe_stop_round_trip(tmp_path, http_server_argv):
    port, argv = http_server_argv
    pidfile = str(tmp_path / "srv.pid")
    pid = start(argv, pidfile, str(tmp_path / "srv.log"), fingerprint="f1")
    try:
        assert _process.read_pid(pidfile) == pid
        assert oct(os.stat(pidfile).st_mode & 0o777) == "0o600"
        elapsed, observed = _process.wait_ready({"type": "http", "url": "http://127.0.0.1:%d/" % port}, 20)
        assert "answered 200" in observed
        assert elapsed < 20
        assert _process.running_pid(pidfile, argv) == pid
        assert _process.read_state(pidfile)["fingerprint"] == "f1"
        assert os.getsid(pid) == pid  # its own session: a Ctrl-C to the play does not reach it
    finally:
        signals = _process.stop(pid, grace=5)
    assert signals == ["SIGTERM"]
    assert gone(pid)
    assert _process.probe({"type": "tcp", "host": "127.0.0.1", "port": port})[0] is False


def test_running_pid_ignores_a_reused_pid(tmp_path):
    """A PID file naming a live process with other arguments is not ours."""
    pidfile = tmp_path / "x.pid"
    pidfile.write_text("%d\n" % os.getpid())  # alive, but pytest, not our daemon
    assert _process.running_pid(str(pidfile), ["server", "--port", "1"]) is None


def test_running_pid_ignores_a_dead_pid(tmp_path):
    pid = start([sys.executable, "-c", "pass"], str(tmp_path / "d.pid"), str(tmp_path / "d.log"))
    assert gone(pid)
    assert _process.running_pid(str(tmp_path / "d.pid"), [sys.executable, "-c", "pass"]) is None


def test_wait_ready_reports_a_process_that_died(tmp_path):
    pid = start([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"],
                str(tmp_path / "e.pid"), str(tmp_path / "e.log"))
    with pytest.raises(_process.ProcessError, match="exited before it answered"):
        _process.wait_ready({"type": "tcp", "host": "127.0.0.1", "port": free_port()}, 20,
                            is_alive=lambda: _process.pid_alive(pid))
    assert "boom" in _process.log_tail(str(tmp_path / "e.log"))


def test_wait_ready_times_out_with_the_last_observation():
    port = free_port()
    started = time.monotonic()
    with pytest.raises(_process.ProcessError, match=r"Not ready after 1 s; last probe: tcp probe failed"):
        _process.wait_ready({"type": "tcp", "host": "127.0.0.1", "port": port}, 1)
    assert time.monotonic() - started < 3


def test_wait_ready_backs_off_exponentially_with_a_cap():
    clock = FakeClock()
    sleeps = clock.sleeps
    with pytest.raises(_process.ProcessError):
        _process.wait_ready({"type": "tcp", "host": "127.0.0.1", "port": free_port()}, 30, clock=clock)
    assert max(sleeps) <= 2.0
    assert sleeps[0] <= 0.1
    # Doubling delays: far fewer probes than a fixed 0.1 s poll over 30 s would make.
    assert len(sleeps) < 40


def test_stop_escalates_to_sigkill_for_a_process_ignoring_sigterm(tmp_path):
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    log = tmp_path / "k.log"
    pid = start([sys.executable, "-c", code], str(tmp_path / "k.pid"), str(log))
    deadline = time.monotonic() + 10
    while "up" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _process.stop(pid, grace=0.5) == ["SIGTERM", "SIGKILL"]
    assert gone(pid)


def test_a_program_that_cannot_run_is_named(tmp_path):
    with pytest.raises(_process.ProcessError, match="Could not execute /nonexistent/daemon: .*No such file"):
        start(["/nonexistent/daemon"], str(tmp_path / "n.pid"), str(tmp_path / "n.log"))
    assert not (tmp_path / "n.pid").exists()
