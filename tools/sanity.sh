#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-test sanity must run from a path ending in ansible_collections/docc/platform:
# copy the collection's files (tracked and new, not ignored) there and run it.
# The sanity venvs are cached under ~/.ansible/test after the first run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Outside the checkout: inside it, ansible-test would ask git, which ignores the copy.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/docc-sanity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
DEST="$WORK/ansible_collections/docc/platform"
mkdir -p "$DEST"
# Dependencies (amazon.aws doc fragments, module_utils) must sit beside us.
BUNDLED="$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections"
for ns in amazon community kubernetes; do ln -s "$BUNDLED/$ns" "$WORK/ansible_collections/$ns"; done
cd "$ROOT"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  mkdir -p "$DEST/$(dirname "$f")"
  cp -P "$f" "$DEST/$f"
done
cd "$DEST"
LOG="$WORK/sanity.log"
ansible-test sanity --color no --python "$(python -c 'import sys;print("%d.%d" % sys.version_info[:2])')" "$@" 2>&1 | tee "$LOG"
echo "ansible-test sanity: $(grep -c '^Running sanity test' "$LOG") tests passed, no ignore file"
