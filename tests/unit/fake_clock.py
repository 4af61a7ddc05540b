# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A clock for _waiter that advances only when the code under test sleeps: waits are driven
by observed polls, never by wall time."""

from __future__ import annotations

from ansible_collections.docc.platform.plugins.module_utils._waiter import Clock


class FakeClock(Clock):
    def __init__(self, jitter=1.0, on_sleep=None):
        self.t = 0.0
        self.sleeps = []
        self._on_sleep = on_sleep
        super().__init__(sleep=self._sleep, now=lambda: self.t,
                         rand=(lambda a, b: jitter) if jitter is not None else (lambda a, b: a))

    def _sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds
        if self._on_sleep:
            self._on_sleep(self)
