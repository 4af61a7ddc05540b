# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install one collection from the `ansible` wheel on PyPI into a collections directory.

What `ansible-galaxy collection install <name>` does for a user with Galaxy access, for a
machine that reaches PyPI only: the `ansible` package bundles the collections, so its wheel
carries them. Used by `make setup` on the ansible-core 2.19 line, whose bundled
kubernetes.core (6.2) cannot drive Helm 4.
Usage: python collection_from_wheel.py 'ansible>=14.5,<15' kubernetes.core COLLECTIONS_DIR WHEEL_CACHE
"""

import json
import pathlib
import shutil
import subprocess
import sys
import zipfile


def main():
    spec, name, dest, cache = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4])
    namespace, collection = name.split(".")
    cache.mkdir(parents=True, exist_ok=True)
    # The wheel is pure Python but asks for Python >= 3.12: download it as for 3.13.
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--only-binary=:all:", "--python-version", "3.13", "--dest", str(cache), spec], check=True)
    wheel = sorted(cache.glob("ansible-*-py3-none-any.whl"))[-1]
    prefix = "ansible_collections/%s/%s/" % (namespace, collection)
    target = dest / namespace / collection
    with zipfile.ZipFile(wheel) as archive:
        manifest = json.loads(archive.read(prefix + "MANIFEST.json"))
        version = manifest["collection_info"]["version"]
        installed = target / "MANIFEST.json"
        if installed.exists() and json.loads(installed.read_text())["collection_info"]["version"] == version:
            print("    ok: %s %s already in %s" % (name, version, dest))
            return
        if target.exists():
            shutil.rmtree(target)
        for member in archive.namelist():
            if member.startswith(prefix) and not member.endswith("/"):
                path = target / member[len(prefix):]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(member))
    print("    ok: installed %s %s from %s into %s" % (name, version, wheel.name, dest))


if __name__ == "__main__":
    main()
