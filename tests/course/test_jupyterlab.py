"""JupyterLab starts headless, serves the workspace notebooks, and shuts down cleanly."""

from __future__ import annotations

import json
import os
import re
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


def terminal_path(tmp_path: Path, extra_flags: list) -> tuple:
    """Start JupyterLab as make lab does (not from a terminal) with a marker folder first on PATH, open a
    terminal and return ``(marker, the PATH the terminal's shell sees)``."""
    import asyncio

    from tornado.websocket import websocket_connect

    marker = tmp_path / "course-bin"
    marker.mkdir(parents=True)
    port, token = free_port(), "course-terminal-test"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}", *extra_flags]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, PATH=f"{marker}:{os.environ['PATH']}", JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_DATA_DIR=str(tmp_path / "data"))
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                get_json(f"{base}/api/status", token)
                break
            except OSError:
                time.sleep(0.5)
        request = urllib.request.Request(f"{base}/api/terminals", data=b"{}", method="POST",
                                         headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            name = json.loads(response.read())["name"]

        async def run_echo() -> str:
            socket = await websocket_connect(f"ws://127.0.0.1:{port}/terminals/websocket/{name}?token={token}")
            socket.write_message(json.dumps(["stdin", "echo PATH=$PATH; echo DONE\r"]))
            seen, end = "", time.monotonic() + 20
            while "\nDONE" not in seen.replace("\r", "") and time.monotonic() < end:
                message = await asyncio.wait_for(socket.read_message(), timeout=20)
                if message is None:
                    break
                kind, *payload = json.loads(message)
                if kind == "stdout":
                    seen += payload[0]
            socket.close()
            return seen

        output = asyncio.run(run_echo()).replace("\r", "")
    finally:
        server.terminate()
        server.wait(timeout=30)
    values = [v for v in re.findall(r"PATH=([^\s;]+)", output) if not v.startswith("$")]  # not the echoed command
    return marker, (values[-1].split(":") if values else [])


@pytest.mark.slow
def test_a_jupyterlab_terminal_sees_the_path_make_lab_sets(tmp_path):
    """make lab puts the venv (and so `course`) on PATH and runs terminals as plain shells, which keep it."""
    commands = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "terminado_settings" in commands and "shell_command" in commands and 'PATH="' in commands
    marker, path = terminal_path(tmp_path / "plain", ["--ServerApp.terminado_settings={'shell_command': ['bash']}"])
    assert str(marker) in path, path
    profile = Path("/etc/profile")
    if profile.is_file() and "PATH=" in profile.read_text(errors="replace"):
        # Without the setting, a server not started from a terminal gives login shells, and this system's
        # /etc/profile resets PATH: the trap the setting avoids (so this test can fail).
        marker, path = terminal_path(tmp_path / "login", [])
        assert str(marker) not in path, path
