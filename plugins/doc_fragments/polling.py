# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared documentation of the readiness gates' polling options.

The argument spec that goes with it is ``_waiter.polling_argument_spec()``; each gate keeps
its own ``timeout`` (how long is reasonable differs per gate).
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  initial_interval:
    description: First wait between polls, in seconds. Later waits double, with jitter, up to O(max_interval).
    type: float
    default: 2.0
  max_interval:
    description: Longest wait between polls, in seconds.
    type: float
    default: 30.0
"""
