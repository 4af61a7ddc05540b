# Copyright (c) docc.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every documented tag, run alone, selects exactly the tasks it names.

The tags come from the documentation itself (the stage table of the README and the
"Tags:" line of each role README), and ``ansible-playbook --list-tasks --tags T`` says what
Ansible would run. For a role tag, the test names the task files the tag stands for (an
include of the stage lifecycle as ``stage:<entry point>``); for a stage tag, the tasks of the
stages play tagged with it. Role argument validation is tagged ``always`` by ansible-core
itself and is left out of the comparison.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).parents[2]
INVENTORY = ROOT / "inventories" / "local" / "hosts.yml"
CORE_VALIDATION = "Validating arguments against arg spec"
BARE = "\0"  # marks a task name --list-tasks prints without its role

# What each documented role tag stands for: the task files it runs (besides its preflight).
ROLE_TAGS = {
    "eks_cluster": {
        "eks_cluster": ["preflight", "stage:terraform", "finish", "destroy"],
        "eks_cluster_preflight": ["preflight"],
    },
    "container_image": {
        "container_image": ["preflight", "source", "login", "build", "push", "report"],
        "container_image_preflight": ["preflight"],
        "container_image_build": ["preflight", "source", "build", "report"],
        "container_image_push": ["preflight", "source", "login", "build", "push", "report"],
    },
    "ingress_controller": {
        "ingress_controller": ["preflight", "edge", "controllers", "export", "destroy"],
        "ingress_controller_preflight": ["preflight"],
        "ingress_controller_edge": ["preflight", "edge", "export"],
        "ingress_controller_helm": ["preflight", "controllers", "export"],
    },
    "app_deploy": {
        "app_deploy": ["preflight", "connect", "apply", "render", "posture", "export", "destroy"],
        "app_deploy_preflight": ["preflight"],
        "app_deploy_render": ["preflight", "connect", "render", "export"],
        "app_deploy_posture": ["preflight", "connect", "posture"],
    },
    "dns_record": {
        "dns_record": ["preflight", "zone", "record"],
        "dns_record_preflight": ["preflight"],
    },
    "local_env": {
        "local_env": ["preflight", "up", "down"],
        "local_env_preflight": ["preflight"],
        "local_env_up": ["preflight", "up"],
        "local_env_down": ["preflight", "down"],
    },
}


def list_tasks(playbook, tags=None, with_tags=False):
    """{play name: [task names]} that ``--list-tasks`` prints (optionally for ``--tags``);
    with_tags: [(task name, {its tags})]."""
    args = ["ansible-playbook", str(playbook), "-i", str(INVENTORY), "--list-tasks"]
    if tags:
        args += ["--tags", tags]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False,
                          env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), NO_COLOR="1"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plays, current = {}, None
    for line in proc.stdout.splitlines():
        play = re.match(r"^\s+play #\d+ \([^)]*\): (.*?)\tTAGS:", line)
        task = re.match(r"^ {6}(.*?)\tTAGS: \[(.*)\]", line)
        if play:
            current = plays.setdefault(play.group(1), [])
        elif task and current is not None and CORE_VALIDATION not in task.group(1):
            tags_of = {t.strip() for t in task.group(2).split(",") if t.strip()}
            current.append((task.group(1), tags_of) if with_tags else task.group(1))
    return plays


def _task_names(tasks, role_tasks_dir):
    names = []
    for task in tasks or []:
        if "block" in task:
            # --list-tasks prints a block's tasks, not its rescue or always sections.
            names += _task_names(task["block"], role_tasks_dir)
            continue
        imported = task.get("ansible.builtin.import_tasks")
        if imported:
            names += file_tasks(role_tasks_dir, imported)
        elif "ansible.builtin.include_role" in task:
            names.append(BARE + task["name"])  # --list-tasks names an include_role task without the role
        else:
            # A task, or a dynamic include (--list-tasks lists the include, not its tasks; its
            # apply: tags give them the include's tags when it runs).
            names.append(task["name"])
    return names


def file_tasks(role_tasks_dir, name):
    """Task names of one task file of a role, imports expanded."""
    path = role_tasks_dir / (name if name.endswith(".yml") else name + ".yml")
    return _task_names(yaml.safe_load(path.read_text()), role_tasks_dir)


def documented_role_tags(role):
    text = (ROOT / "roles" / role / "README.md").read_text()
    line = re.search(r"^Tags: (.*?)(?:\n\n|\Z)", text, re.M | re.S)
    assert line, "roles/%s/README.md has no 'Tags:' line" % role
    return set(re.findall(r"`([a-z0-9_]+)`", line.group(1)))


@pytest.mark.parametrize("role", sorted(ROLE_TAGS))
def test_the_tags_this_test_knows_are_the_documented_ones(role):
    assert documented_role_tags(role) == set(ROLE_TAGS[role])


ROLE_CASES = [(role, tag) for role in sorted(ROLE_TAGS) for tag in sorted(ROLE_TAGS[role])]


@pytest.mark.parametrize("role, tag", ROLE_CASES, ids=["%s:%s" % case for case in ROLE_CASES])
def test_a_role_tag_alone_runs_exactly_its_task_files(role, tag, tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"name": "Role %s" % role, "hosts": "localhost", "gather_facts": False,
                                         "roles": ["docc.platform.%s" % role]}]))
    tasks_dir = ROOT / "roles" / role / "tasks"
    main = yaml.safe_load((tasks_dir / "main.yml").read_text())
    order = [(t.get("ansible.builtin.import_tasks") or t["ansible.builtin.include_tasks"]["file"])[:-len(".yml")]
             if "ansible.builtin.include_role" not in t else
             "stage:" + t["ansible.builtin.include_role"]["tasks_from"] for t in main]
    assert set(ROLE_TAGS[role][tag]) <= set(order)
    expected = []
    for part, task in zip(order, main):
        if part in ROLE_TAGS[role][tag]:
            names = file_tasks(tasks_dir, part) if "ansible.builtin.import_tasks" in task else _task_names([task], None)
            expected += [name[len(BARE):] if name.startswith(BARE) else "docc.platform.%s : %s" % (role, name)
                         for name in names]
    listed = list_tasks(playbook, tag)["Role %s" % role]
    assert listed == expected


def documented_stage_tags():
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"^\| `([a-z]+)` \|", readme, re.M)


def test_the_readme_documents_each_stage_of_site_yml():
    assert documented_stage_tags() == ["eks", "image", "ingress", "app", "dns", "verify"]


@pytest.mark.parametrize("playbook", ["site.yml", "teardown.yml"])
@pytest.mark.parametrize("tag", ["eks", "ingress", "image", "app", "dns", "verify"])
def test_a_stage_tag_alone_runs_its_tasks_and_the_always_ones(playbook, tag):
    path = ROOT / "playbooks" / playbook
    everything = list_tasks(path, with_tags=True)
    selected = list_tasks(path, tag, with_tags=True)
    wanted = {play: [task for task in tasks if {tag, "always"} & task[1]] for play, tasks in everything.items()}
    assert {play: tasks for play, tasks in selected.items() if tasks} == {
        play: tasks for play, tasks in wanted.items() if tasks}
    if playbook == "site.yml" or tag not in ("image", "verify"):
        assert any(tag in task[1] for tasks in selected.values() for task in tasks), "the tag selects nothing"
