"""`make test` on a fresh machine: the system packages the suite needs come first. Missing and
not root, it stops at once with the one command to run, before any test; present, the set-up
step is silent. (Installing as root is what .ci/run and CI exercise on a machine without them.)"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

COMMAND = "sudo apt-get update && sudo apt-get install -y chromium fonts-dejavu-core virtuoso-opensource"


def as_nobody(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.fail("needs root and setpriv (util-linux) to run a step as an unprivileged user")
    return subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *args],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env}, timeout=120)


def test_present_packages_pass_silently():
    result = subprocess.run(["sh", ".ci/system-packages"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_missing_chromium_not_as_root_stops_at_once_with_the_command():
    env = {"ZDG_CHROMIUM": "/nonexistent/chromium"}
    result = as_nobody(["sh", ".ci/system-packages"], env)
    assert result.returncode == 1
    assert "missing: chromium" in result.stderr and COMMAND in result.stderr


def test_make_test_stops_before_any_test(tmp_path):
    # make test as an unprivileged user on a machine "without" Chromium: the set-up step is
    # its first prerequisite, so make stops there; neither the install nor pytest starts.
    env = {"ZDG_CHROMIUM": "/nonexistent/chromium", "HOME": str(tmp_path)}
    result = as_nobody(["make", "--no-print-directory", "test"], env)
    assert result.returncode != 0
    assert COMMAND in result.stderr
    output = result.stdout + result.stderr
    assert "pytest" not in output and "installing" not in output and "passed" not in output
