# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception base of docc.platform's module_utils (private to the collection).

Lower layers raise a subclass of DoccError with a message that says what failed, why and
what to do, in the calling module's option names, plus ``details`` for fail_json. Only a
module's main() turns them into fail_json (see ``fail_on_error``).
"""

from __future__ import annotations

import contextlib


class DoccError(Exception):
    """Base of every error the collection's module_utils raise."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class Retryable(DoccError):
    """An error that waiting may cure (an API not reachable yet): gates keep polling."""


@contextlib.contextmanager
def fail_on_error(module, prefix=None):
    """In main(): turn a DoccError raised inside the block into fail_json."""
    try:
        yield
    except DoccError as exc:
        msg = "%s: %s" % (prefix, exc.msg) if prefix else exc.msg
        module.fail_json(msg=msg, **exc.details)
