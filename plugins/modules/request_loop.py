#!/usr/bin/python
# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: request_loop
short_description: Probe an endpoint in a bounded loop and count the failed requests
version_added: 0.3.0
description:
  - Sends C(GET) O(url) every O(interval) seconds until the file O(stop_file) exists or O(duration)
    seconds passed, whichever comes first, and counts the requests that failed (no answer within
    O(request_timeout), or a status of 500 or more).
  - Run it in the background (C(async), C(poll 0)) around a change the service must survive, then
    create O(stop_file) and collect the counts (C(async_status)). C(playbooks/upgrade.yml) does so
    around the control plane, add-on and node steps.
author:
  - docc.platform maintainers (@docc-platform)
options:
  url:
    description: What to request.
    type: str
    required: true
  duration:
    description: Longest run, in seconds.
    type: int
    default: 7200
  interval:
    description: Seconds between requests.
    type: float
    default: 1.0
  request_timeout:
    description: Seconds one request may take.
    type: float
    default: 5.0
  stop_file:
    description: The loop ends when this file exists (it is removed then).
    type: path
extends_documentation_fragment:
  - docc.platform.attributes
  - docc.platform.attributes.read_only
"""

EXAMPLES = r"""
- name: Probe the service during the upgrade
  docc.platform.request_loop:
    url: http://service.docc.domain.io/healthz
    stop_file: /tmp/docc-upgrade.stop
  async: 7200
  poll: 0
  register: __loop
"""

RETURN = r"""
requests:
  description: Requests sent.
  returned: always
  type: int
  sample: 412
failed:
  description: Requests that got no answer in time or a status of 500 or more.
  returned: always
  type: int
  sample: 0
failures:
  description: The first ten failures, each with its time (seconds from the start) and what happened.
  returned: always
  type: list
  elements: dict
  sample: [{"at_s": 31.2, "error": "HTTP 503"}]
seconds:
  description: How long the loop ran.
  returned: always
  type: float
  sample: 412.7
"""

import os
import time
from urllib.error import HTTPError, URLError

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url


def probe(url, timeout):
    """None when the endpoint answered below 500, else what went wrong."""
    try:
        response = open_url(url, timeout=timeout, validate_certs=True, follow_redirects="safe")
        response.read(1024)
        status = getattr(response, "status", None) or response.getcode()
        return None if status < 500 else "HTTP %d" % status
    except HTTPError as exc:
        return None if exc.code < 500 else "HTTP %d" % exc.code
    except (URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))


def loop(url, duration, interval, timeout, stop_file, clock=time.monotonic, sleep=time.sleep, get=probe):
    started = clock()
    requests, failures = 0, []
    while clock() - started < duration:
        if stop_file and os.path.exists(stop_file):
            os.remove(stop_file)
            break
        requests += 1
        error = get(url, timeout)
        if error:
            failures.append({"at_s": round(clock() - started, 1), "error": error})
        sleep(interval)
    return {"requests": requests, "failed": len(failures), "failures": failures[:10],
            "seconds": round(clock() - started, 1)}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            duration=dict(type="int", default=7200),
            interval=dict(type="float", default=1.0),
            request_timeout=dict(type="float", default=5.0),
            stop_file=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if module.check_mode:
        module.exit_json(changed=False, requests=0, failed=0, failures=[], seconds=0.0)
    module.exit_json(changed=False, **loop(p["url"], p["duration"], p["interval"], p["request_timeout"],
                                           p["stop_file"]))


if __name__ == "__main__":
    main()
