# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stages callback: a stage's time runs from its first task to the end of its last, overlaps
included; argument validation does not make a stage count; a play gets the times so far."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.docc.platform.plugins.callback.stages import CallbackModule


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def task(tags, action="ansible.builtin.debug"):
    return SimpleNamespace(tags=tags, action=action)


def run(callback, clock, the_task, seconds):
    callback.v2_playbook_on_task_start(the_task, False)
    clock.t += seconds
    callback.v2_runner_on_ok(SimpleNamespace(_task=the_task))


def test_a_stage_spans_its_tasks_and_the_stages_between_them():
    clock = Clock()
    callback = CallbackModule(clock=clock)
    run(callback, clock, task(["eks"]), 2)        # plan, apply in the background
    run(callback, clock, task(["image"]), 5)      # the image builds meanwhile
    run(callback, clock, task(["eks"]), 3)        # wait for the apply
    run(callback, clock, task(["dns", "always"]), 1)
    assert callback.seconds() == {"eks": 10.0, "image": 5.0, "dns": 1.0}


def test_argument_validation_and_untagged_tasks_do_not_count():
    clock = Clock()
    callback = CallbackModule(clock=clock)
    run(callback, clock, task(["eks", "always"], action="ansible.builtin.validate_argument_spec"), 1)
    run(callback, clock, task(["always"]), 1)
    assert callback.seconds() == {}


def test_a_play_receives_the_times_so_far():
    clock = Clock()
    callback = CallbackModule(clock=clock)
    run(callback, clock, task(["app"]), 1.25)
    play = SimpleNamespace(vars={})
    callback.v2_playbook_on_play_start(play)
    assert play.vars == {"docc_stage_seconds": {"app": 1.2}}
