# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: stages
type: aggregate
short_description: Times each docc.platform stage for the run summary
version_added: 0.3.0
description:
  - A stage is every task of C(playbooks/site.yml) tagged with its name (eks, image, ingress, app,
    dns, verify; the stage's role import carries the tag). Its time runs from the start of its
    first task that ran to the end of its last, so the eks stage spans the image stage, which
    builds while the cluster is made.
  - When a play starts, the callback gives it the variable C(docc_stage_seconds), a mapping of
    each stage that ran so far to its seconds, which the summary play prints and keeps. No task
    keeps a clock.
  - Tasks that only validate a role's arguments (tagged always) do not make a stage count as run.
  - Enable it with C(callbacks_enabled = docc.platform.stages) in C(ansible.cfg) (this repository's
    does); without it the summary says so instead of the times.
requirements:
  - Enabled in the C(callbacks_enabled) setting.
author:
  - docc.platform maintainers (@docc-platform)
"""

import time  # noqa: E402 - ansible-test wants the documentation before any import

from ansible.plugins.callback import CallbackBase  # noqa: E402

STAGES = ("eks", "image", "ingress", "app", "dns", "verify")
NOT_WORK = ("validate_argument_spec",)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "docc.platform.stages"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, clock=time.monotonic):
        super().__init__(display=display)
        self._clock, self._spans = clock, {}

    def seconds(self):
        return {stage: round(end - start, 1) for stage, (start, end) in self._spans.items()}

    def _mark(self, task):
        stage = next((t for t in task.tags if t in STAGES), None)
        if stage is None or task.action.rsplit(".", 1)[-1] in NOT_WORK:
            return
        now = self._clock()
        start, _end = self._spans.get(stage, (now, now))
        self._spans[stage] = (start, now)

    def v2_playbook_on_play_start(self, play):
        play.vars["docc_stage_seconds"] = self.seconds()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._mark(task)

    def v2_runner_on_ok(self, result):
        self._mark(result._task)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._mark(result._task)

    def v2_runner_on_skipped(self, result):
        self._mark(result._task)

    def v2_runner_on_unreachable(self, result):
        self._mark(result._task)
