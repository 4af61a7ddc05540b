# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared documentation of docc.platform's module attributes.

Every module extends ``docc.platform.attributes`` (the descriptions) and states its own
``support`` and ``details``; read-only modules extend ``docc.platform.attributes.read_only``
instead of repeating them.
"""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  idempotent:
    description: Running it twice with the same arguments reports no change the second time.
"""

    # Modules that only read: info modules and readiness gates.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Read-only; it does the same reads in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
"""
