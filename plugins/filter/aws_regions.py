# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter aws_regions: the regions where an AWS service exists, from botocore's own data."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def aws_regions(service, partition="aws"):
    """Sorted region names of ``service`` in ``partition`` (botocore's endpoint data, offline)."""
    try:
        import botocore.session
    except ImportError as exc:
        raise AnsibleFilterError("aws_regions needs botocore on the controller (pip install botocore)") from exc
    session = botocore.session.get_session()
    if partition not in session.get_available_partitions():
        raise AnsibleFilterError("aws_regions: unknown partition %r; botocore knows %s"
                                 % (partition, session.get_available_partitions()))
    return sorted(session.get_available_regions(service, partition_name=partition))


class FilterModule:
    def filters(self):
        return {"aws_regions": aws_regions}
