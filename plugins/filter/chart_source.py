# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter chart_source: where a Helm chart comes from, and how to tell it can be fetched."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six.moves.urllib.parse import urlsplit


def chart_source(chart):
    """{name, kind (path|oci|repo), path, url} of a chart given as {ref, repo_url, version}."""
    if not isinstance(chart, dict) or not chart.get("ref"):
        raise AnsibleFilterError("chart_source expects a dict with ref (and repo_url), got %r" % (chart,))
    ref = chart["ref"]
    if ref.startswith(("/", "./", "../")):
        return {"name": ref, "kind": "path", "path": ref, "url": None}
    if ref.startswith("oci://"):
        host = urlsplit(ref).netloc
        return {"name": ref, "kind": "oci", "path": None, "url": "https://%s/v2/" % host}
    repo = chart.get("repo_url")
    if not repo:
        raise AnsibleFilterError("chart %r is neither a path nor an OCI reference, so it needs a repository URL" % ref)
    return {"name": "%s from %s" % (ref, repo), "kind": "repo", "path": None, "url": repo.rstrip("/") + "/index.yaml"}


class FilterModule:
    def filters(self):
        return {"chart_source": chart_source}
