# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""git_revision_info reads the last commit touching a directory and its local changes."""

from __future__ import annotations

import os
import subprocess

from ansible_collections.docc.platform.plugins.modules import git_revision_info
from tests.unit.module_runner import run_module


def _git(repo, *args, epoch="1700000000"):
    env = dict(os.environ, GIT_AUTHOR_DATE="@" + epoch, GIT_COMMITTER_DATE="@" + epoch,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def test_reports_the_commit_of_the_directory_not_head(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "main.go").write_text("package main\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "sample")
    sample_rev = _git(tmp_path, "rev-parse", "HEAD").strip()
    (tmp_path / "other.txt").write_text("x")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "other", epoch="1800000000")

    failed, result = run_module(git_revision_info.main, {"path": str(tmp_path / "sample")}, check_mode=True)
    assert not failed
    assert result == {**result, "found": True, "revision": sample_rev, "commit_epoch": 1700000000,
                      "dirty": False, "changed": False}

    (tmp_path / "sample" / "main.go").write_text("package main // edited\n")
    assert run_module(git_revision_info.main, {"path": str(tmp_path / "sample")})[1]["dirty"] is True


def test_outside_git_it_reports_not_found(tmp_path):
    failed, result = run_module(git_revision_info.main, {"path": str(tmp_path)})
    assert not failed
    assert result["found"] is False and result["revision"] == "unknown" and result["commit_epoch"] == 0
