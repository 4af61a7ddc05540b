# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared documentation of docc.platform's module attributes."""

from __future__ import annotations


class ModuleDocFragment:
    # Modules that only read: info modules and readiness gates.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Read-only; it does the same reads in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description: Running it twice with the same arguments reports no change the second time.
    support: full
"""
