"""JupyterLab starts headless, serves the workspace notebooks, and shuts down cleanly."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import REPO
from course_lib.exercises.workspace import update_workspace


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_jupyter_lab_serves_the_workspace(tmp_path):
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    port, token = free_port(), "course-smoke-test"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workspace}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = get_json(f"{base}/api/status", token)
                break
            except OSError:
                time.sleep(0.5)
        assert status is not None, f"JupyterLab did not answer /api/status (exit code {server.poll()})"
        listing = get_json(f"{base}/api/contents/notebooks", token)
        names = {item["name"] for item in listing["content"]}
        assert "00_getting_started.ipynb" in names
        notebook = get_json(f"{base}/api/contents/notebooks/00_getting_started.ipynb", token)
        assert notebook["type"] == "notebook" and notebook["content"]["cells"]
        lab = urllib.request.urlopen(urllib.request.Request(f"{base}/lab", headers={
            "Authorization": f"token {token}"}), timeout=10)
        assert lab.status == 200
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert server.returncode is not None, "JupyterLab did not shut down"
    assert "Traceback" not in output, output[-2000:]
