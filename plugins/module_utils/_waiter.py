# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Staged readiness waits (private to docc.platform).

A gate is an ordered list of stages sharing one total deadline. Each stage polls a check
with capped exponential backoff and jitter, never a fixed sleep, and yields
{name, ok, skipped, observed, expected, hint, elapsed_s, polls}.
"""

from __future__ import annotations

import random
import time


class SkipStage(Exception):
    """Raised by a check when the stage cannot apply here; the message is the reason."""


class StopStage(Exception):
    """Raised by a check when waiting cannot help (e.g. HTTP 401); the message is the observation."""


class Gate:
    def __init__(self, timeout, initial_interval=2.0, max_interval=30.0, sleep=time.sleep, clock=time.monotonic,
                 rand=random.uniform):
        self.clock = clock
        self.sleep = sleep
        self.rand = rand
        self.deadline = clock() + timeout
        self.initial = initial_interval
        self.cap = max_interval
        self.stages = []

    def remaining(self):
        return max(self.deadline - self.clock(), 0.0)

    def stage(self, name, check, expected, hint):
        """Poll ``check() -> (ok, observed)`` until ok or the gate's deadline.

        Returns the stage record (also kept in self.stages).
        """
        started = self.clock()
        delay = self.initial
        polls = 0
        record = dict(name=name, ok=False, skipped=False, observed=None, expected=expected, hint=hint)
        while True:
            polls += 1
            try:
                ok, observed = check()
            except SkipStage as reason:
                record.update(skipped=True, observed="skipped: %s" % reason, hint=None)
                break
            except StopStage as final:
                record["observed"] = str(final)
                break
            record["observed"] = observed
            if ok:
                record["ok"] = True
                break
            if self.remaining() <= 0:
                break
            # Full jitter on a capped exponential schedule, never past the deadline.
            self.sleep(min(self.rand(0.5, 1.0) * delay, self.remaining()))
            delay = min(delay * 2, self.cap)
        record["elapsed_s"] = round(self.clock() - started, 3)
        record["polls"] = polls
        self.stages.append(record)
        return record


def failure_message(gate_name, record):
    """The fail_json message for a stage that did not become ready."""
    return "%s: stage %s not ready after %ss. Observed: %s. Expected: %s. %s" % (
        gate_name, record["name"], record["elapsed_s"], record["observed"], record["expected"], record["hint"])
