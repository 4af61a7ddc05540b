# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The EKS Kubernetes version support calendar (private to docc.platform).

``fetch`` asks DescribeClusterVersions; ``assess`` is a pure function that says whether a
version exists, whether it is in standard or extended support, and how long is left. The
eks_version_info module and the cluster gate share both. Where the API cannot be asked (the
local emulator has no DescribeClusterVersions), ``builtin`` is a dated copy of AWS's calendar,
and the caller says that it used it.
"""

from __future__ import annotations

import datetime

from ansible_collections.docc.platform.plugins.module_utils import _aws

# USD per cluster-hour of the EKS control plane (aws.amazon.com/eks/pricing).
STANDARD_PRICE = 0.10
EXTENDED_PRICE = 0.60
WARN_DAYS = 60

# AWS's EKS Kubernetes release calendar, copied on this date (EKS user guide, "Understand the
# Kubernetes version lifecycle on EKS", and "Review release notes for Kubernetes versions on
# standard support"; see docs/aws-rules.md): version, EKS release, end of standard support, end of
# extended support. Used only where DescribeClusterVersions cannot be asked.
BUILTIN_DATE = "2026-12-04"
BUILTIN = (
    ("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
    ("1.32", "2025-01-23", "2026-03-23", "2027-03-23"),
    ("1.33", "2025-05-29", "2026-07-29", "2027-07-29"),
    ("1.34", "2025-10-02", "2026-12-02", "2027-12-02"),
    ("1.35", "2026-01-27", "2027-03-27", "2028-03-27"),
    ("1.36", "2026-06-02", "2027-08-02", "2028-08-02"),
)


def _day(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def minor_key(version):
    """(major, minor) of '1.36' for ordering; raises ValueError on other shapes."""
    major, minor = str(version).split(".")[:2]
    return int(major), int(minor)


def normalise(entry):
    """One DescribeClusterVersions entry as plain data."""
    status = entry.get("versionStatus") or (entry.get("status") or "").upper().replace("-", "_")
    return {
        "version": entry["clusterVersion"],
        "status": status,
        "default": bool(entry.get("defaultVersion")),
        "release_date": str(_day(entry.get("releaseDate")) or "") or None,
        "end_of_standard_support": str(_day(entry.get("endOfStandardSupportDate")) or "") or None,
        "end_of_extended_support": str(_day(entry.get("endOfExtendedSupportDate")) or "") or None,
    }


def builtin(today):
    """The dated built-in calendar as DescribeClusterVersions would answer on ``today``."""
    today = _day(today)
    versions = []
    for version, released, standard_end, extended_end in BUILTIN:
        status = ("STANDARD_SUPPORT" if today < _day(standard_end) else
                  "EXTENDED_SUPPORT" if today < _day(extended_end) else "UNSUPPORTED")
        versions.append({"version": version, "status": status, "default": False, "release_date": released,
                         "end_of_standard_support": standard_end, "end_of_extended_support": extended_end})
    return versions


def fetch(eks):
    """(versions, reason): every EKS version with its support dates, or (None, why not)."""
    from botocore.exceptions import ClientError  # botocore is present wherever an AWS client exists

    try:
        pages = _aws.paginate(eks, "describe_cluster_versions", clusterType="eks", includeAll=True)
    except ClientError as exc:
        if _aws.is_not_implemented(exc):
            return None, "the EKS API at %s does not implement DescribeClusterVersions (%s)" % (
                _aws.endpoint_of(eks), _aws.error_code(exc) or "not implemented")
        raise
    versions = [normalise(v) for v in pages.get("clusterVersions", [])]
    return sorted(versions, key=lambda v: minor_key(v["version"])), None


def assess(version, versions, today, allow_extended=False, warn_days=WARN_DAYS):
    """{level, message, ...} for ``version`` against the calendar ``versions``.

    level: ok | warn (standard support ends within ``warn_days``) | extended (in extended
    support and not allowed) | unsupported | unknown. ``message`` states the facts about the
    version; callers add the remedy in their own option names.
    """
    today = _day(today)
    supported = [v["version"] for v in versions if v["status"] in ("STANDARD_SUPPORT", "EXTENDED_SUPPORT")]
    entry = next((v for v in versions if v["version"] == str(version)), None)
    result = {"version": str(version), "supported_versions": supported, "entry": entry, "days_left": None}
    if entry is None:
        result.update(level="unknown", message="Kubernetes %s is not an EKS version; EKS offers %s"
                      % (version, ", ".join(supported) or "none"))
        return result
    if entry["status"] == "UNSUPPORTED":
        result.update(level="unsupported", message="Kubernetes %s is no longer supported by EKS (extended support "
                      "ended %s); EKS offers %s" % (version, entry["end_of_extended_support"], ", ".join(supported)))
        return result
    if entry["status"] == "EXTENDED_SUPPORT":
        result.update(
            level="ok" if allow_extended else "extended",
            message="Kubernetes %s is in EKS extended support (standard support ended %s, extended support ends %s): "
                    "the control plane costs $%.2f per hour instead of $%.2f (%d times as much)"
                    % (version, entry["end_of_standard_support"], entry["end_of_extended_support"], EXTENDED_PRICE,
                       STANDARD_PRICE, round(EXTENDED_PRICE / STANDARD_PRICE)))
        return result
    end = _day(entry["end_of_standard_support"])
    left = (end - today).days if end else None
    result["days_left"] = left
    if left is not None and left <= warn_days:
        result.update(level="warn", message="Kubernetes %s leaves EKS standard support on %s (in %s days); after that "
                      "it costs $%.2f per hour instead of $%.2f" % (version, end, left, EXTENDED_PRICE,
                                                                    STANDARD_PRICE))
        return result
    until = " until %s (%s days left)" % (end, left) if end else ""
    result.update(level="ok", message="Kubernetes %s is in EKS standard support%s" % (version, until))
    return result


def step_problem(current, wanted):
    """Why moving a cluster from ``current`` to ``wanted`` is refused, or None.

    EKS upgrades one minor version at a time and never downgrades.
    """
    if not current or str(current) == str(wanted):
        return None
    cur, new = minor_key(current), minor_key(wanted)
    if new < cur:
        return "a downgrade from %s to %s: EKS cannot downgrade a cluster" % (current, wanted)
    if new[0] != cur[0] or new[1] > cur[1] + 1:
        return ("an upgrade from %s to %s skips a minor version: EKS upgrades one minor version at a time "
                "(next: %d.%d)" % (current, wanted, cur[0], cur[1] + 1))
    return None
