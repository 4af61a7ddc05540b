# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster tier: the local Kubernetes cluster that local_env starts (the one way to start it),
as a control plane alone and as a single node that runs pods.

Without the assets (kube-apiserver under KUBEBUILDER_ASSETS or the setup-envtest directory),
local_env publishes why, and the tier prints that line as SKIPPED: <reason>.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.playbook_runner import local_env, state_dir

_SKIP_REASON = []


def published():
    with open(os.path.join(state_dir(), "local-env.json")) as handle:
        return json.load(handle)


def start(*extra):
    """Start the engines (twice: the second start must change nothing); the published endpoints."""
    # Tests start from an empty registry: a version tag an earlier run pushed from other
    # sources would (rightly) be refused as a move of a published tag.
    shutil.rmtree(os.path.join(state_dir(), "registry", "data"), ignore_errors=True)
    first = local_env(*extra)
    if first.rc != 0:
        local_env("-e", "local_env_state=absent")  # a failed fixture never reaches its teardown
    assert first.rc == 0, first
    endpoints = published()
    if endpoints["kubernetes"]["mode"] == "skip":
        reason = endpoints["kubernetes"]["skip_reason"]
        stop()
        _SKIP_REASON.append(reason)
        pytest.skip(reason)
    second = local_env(*extra)
    if not (second.rc == 0 and second.recap["changed"] == 0):
        local_env("-e", "local_env_state=absent")  # a failed fixture never reaches its teardown
    assert second.rc == 0 and second.recap["changed"] == 0, second
    return endpoints


def stop():
    down = local_env("-e", "local_env_state=absent")
    assert down.rc == 0, down
    return down


def pytest_terminal_summary(terminalreporter):
    if _SKIP_REASON:
        terminalreporter.write_line("SKIPPED: %s" % _SKIP_REASON[0])
