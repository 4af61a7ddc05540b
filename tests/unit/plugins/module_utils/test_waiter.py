# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one waiting primitive: backoff inside a deadline, early stops, skips."""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils._errors import Retryable
from ansible_collections.docc.platform.plugins.module_utils._waiter import Gate, SkipStage, StopStage, poll
from tests.unit.fake_clock import FakeClock


def _answers(*values):
    answers = list(values)

    def check():
        value = answers.pop(0)
        if isinstance(value, Exception):
            raise value
        return value
    return check


def test_poll_doubles_the_delay_up_to_the_cap_and_never_sleeps_past_the_deadline():
    clock = FakeClock()
    done, observed, polls, elapsed = poll(lambda: (False, "not yet"), timeout=20, initial=1, cap=4, clock=clock)
    assert not done and observed == "not yet"
    # FakeClock's jitter is the upper bound (1.0), so the delays are exact.
    assert clock.sleeps[:4] == [1, 2, 4, 4] and sum(clock.sleeps) == 20 and elapsed == 20
    assert polls == len(clock.sleeps) + 1


def test_a_retryable_error_is_not_yet_with_its_message_as_the_observation():
    clock = FakeClock()
    done, observed, polls, dummy = poll(_answers(Retryable("connection refused"), (True, "ok")), 60, clock=clock)
    assert done and observed == "ok" and polls == 2


def test_give_up_ends_the_wait_early_and_says_why():
    clock = FakeClock()
    done, observed, polls, dummy = poll(lambda: (False, "port closed"), 600, clock=clock,
                                        give_up=lambda: "process 42 exited with 1")
    assert not done and polls == 1 and observed == "process 42 exited with 1; port closed"


def test_a_gate_records_skips_stops_and_successes_on_one_deadline():
    clock = FakeClock()
    gate = Gate(timeout=30, initial_interval=1, max_interval=2, clock=clock)
    ok = gate.stage("api", _answers((False, "503"), (True, "200")), "200", "hint-api")
    stopped = gate.stage("auth", _answers(StopStage("401", reason="unauthorized")), "200", "hint-auth")
    skipped = gate.stage("lb", _answers(SkipStage("no load balancer here")), "active", "hint-lb")
    assert ok["ok"] and ok["polls"] == 2 and ok["observed"] == "200"
    assert not stopped["ok"] and stopped["stop_reason"] == "unauthorized" and stopped["polls"] == 1
    assert skipped["skipped"] and skipped["observed"] == "skipped: no load balancer here"
    late = gate.stage("nodes", lambda: (False, "0 Ready"), "1 Ready", "hint")
    assert not late["ok"] and gate.remaining() == 0 and clock.now() == 30
