# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Provide ansible-test's pip bootstrap script from the local ensurepip.

ansible-test downloads get-pip-<version>.py from a CI file host that is unreachable here
and caches it as ~/.ansible/test/cache/get_pip_<version>.py. The stand-in written below
does the same job offline: ensurepip bootstraps pip from the wheel CPython ships, then pip
installs the requested packages from the configured package index.
"""

import os
import pathlib
import re

import ansible_test

STANDIN = '''"""Stand-in for get-pip.py written by docc.platform's make setup (offline bootstrap)."""
import os
import subprocess
import sys

import ensurepip

ensurepip.bootstrap(upgrade=True)
# ensurepip leaves PIP_CONFIG_FILE=/dev/null behind; without this pip would ignore the
# machine's pip configuration (certificates, index, constraints).
os.environ.pop("PIP_CONFIG_FILE", None)
# get-pip.py options that are not pip options.
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
'''


def main():
    source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    match = re.search(r"pip='([0-9.]+)'", source.read_text())
    if not match:
        raise SystemExit("cannot find ansible-test's pip version in %s" % source)
    version = match.group(1)
    cache = pathlib.Path(os.path.expanduser("~/.ansible/test/cache"))
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / ("get_pip_%s.py" % version.replace(".", "_"))
    if target.exists() and target.read_text() == STANDIN:
        print("    ok: %s present (pip %s)" % (target, version))
        return
    target.write_text(STANDIN)
    print("    ok: wrote %s (pip %s)" % (target, version))


if __name__ == "__main__":
    main()
