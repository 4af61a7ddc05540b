# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one waiting primitive of docc.platform (private to the collection).

``poll`` calls a check with capped exponential backoff and full jitter inside a deadline,
never a fixed sleep. ``Gate`` strings stages on one total deadline and yields a record per
stage: {name, ok, skipped, observed, expected, hint, elapsed_s, polls}.
"""

from __future__ import annotations

import random
import time

from ansible_collections.docc.platform.plugins.module_utils._errors import Retryable


class SkipStage(Exception):
    """Raised by a check when the stage cannot apply here; the message is the reason."""


class StopStage(Exception):
    """Raised by a check when waiting cannot help; the message is the observation.

    ``reason`` names the kind of stop (for example ``unauthorized``) for callers that add
    a hint, so no caller searches the message text.
    """

    def __init__(self, observed, reason=None):
        super().__init__(observed)
        self.reason = reason


class Clock:
    """Time functions, injectable by tests (observed polls drive tests, not wall time)."""

    def __init__(self, sleep=time.sleep, now=time.monotonic, rand=random.uniform):
        self.sleep = sleep
        self.now = now
        self.rand = rand


def poll(check, timeout, initial=1.0, cap=15.0, clock=None, give_up=None):
    """Call ``check() -> (done, observed)`` until done or ``timeout`` seconds passed.

    Between calls it sleeps a jittered, doubling delay capped at ``cap`` and never past the
    deadline. A Retryable error counts as "not yet" with its message as the observation.
    ``give_up() -> str or None`` can end the wait early (a process that died, say).
    Returns (done, observed, polls, elapsed_seconds).
    """
    clock = clock or Clock()
    started = clock.now()
    deadline = started + timeout
    delay = initial
    polls = 0
    while True:
        polls += 1
        try:
            done, observed = check()
        except Retryable as exc:
            done, observed = False, exc.msg
        if done:
            break
        reason = give_up() if give_up else None
        if reason:
            observed = "%s; %s" % (reason, observed)
            break
        remaining = deadline - clock.now()
        if remaining <= 0:
            break
        clock.sleep(min(clock.rand(0.5, 1.0) * delay, remaining))
        delay = min(delay * 2, cap)
    return done, observed, polls, clock.now() - started


def polling_argument_spec(initial_interval=2.0, max_interval=30.0):
    """The gates' polling options (documented by the ``docc.platform.polling`` fragment)."""
    return dict(initial_interval=dict(type="float", default=initial_interval),
                max_interval=dict(type="float", default=max_interval))


class Gate:
    """Ordered readiness stages sharing one deadline."""

    def __init__(self, timeout, initial_interval=2.0, max_interval=30.0, clock=None):
        self.clock = clock or Clock()
        self.deadline = self.clock.now() + timeout
        self.initial = initial_interval
        self.cap = max_interval
        self.stages = []

    def remaining(self):
        return max(self.deadline - self.clock.now(), 0.0)

    def skip(self, name, expected, reason):
        """Record a stage that cannot apply here, with the reason."""
        record = dict(name=name, ok=False, skipped=True, observed="skipped: %s" % reason, expected=expected,
                      hint=None, elapsed_s=0.0, polls=0)
        self.stages.append(record)
        return record

    def stage(self, name, check, expected, hint):
        """Poll ``check() -> (ok, observed)`` until ok or the gate's deadline; return the record."""
        record = dict(name=name, ok=False, skipped=False, observed=None, expected=expected, hint=hint)
        outcome = {}

        def guarded():
            try:
                return check()
            except SkipStage as reason:
                outcome["skip"] = str(reason)
                return True, None
            except StopStage as final:
                outcome["stop"] = final
                return True, str(final)

        done, observed, polls, elapsed = poll(guarded, self.remaining(), self.initial, self.cap, self.clock)
        if "skip" in outcome:
            record.update(skipped=True, observed="skipped: %s" % outcome["skip"], hint=None)
        elif "stop" in outcome:
            record.update(observed=observed, stop_reason=outcome["stop"].reason)
        else:
            record.update(ok=done, observed=observed)
        record["elapsed_s"] = round(elapsed, 3)
        record["polls"] = polls
        self.stages.append(record)
        return record


def failure_message(gate_name, record):
    """The fail_json message for a stage that did not become ready."""
    return "%s: stage %s not ready after %ss. Observed: %s. Expected: %s. %s" % (
        gate_name, record["name"], record["elapsed_s"], record["observed"], record["expected"], record["hint"])
