"""Shared helpers of the deployment checks (run by .ci/run: `target/deploy-tools/bin/pytest deploy/tests`).

Each check uses a real engine: hadolint, Helm's Go SDK, the Kubernetes OpenAPI schemas,
systemd-analyze, buildah/podman, the soapbridge binary itself. A check whose tool is missing on
this machine is skipped with the reason (pytest -rs prints it), never passed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "target" / "deploy-tools" / "bin"


def tool(name: str) -> str | None:
    """A tool from the checks' virtualenv, else from PATH."""
    local = TOOLS / name
    if local.exists():
        return str(local)
    return shutil.which(name)


@pytest.fixture(scope="session")
def soapbridge() -> str:
    """The soapbridge binary: $SOAPBRIDGE_BIN, else target/debug/soapbridge (built if missing)."""
    path = os.environ.get("SOAPBRIDGE_BIN") or str(ROOT / "target" / "debug" / "soapbridge")
    if not Path(path).exists():
        subprocess.run(["cargo", "build", "--quiet", "--locked"], cwd=ROOT, check=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """GET, returning (status, body) for any status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_http(url: str, deadline_s: float = 20.0, proc: subprocess.Popen | None = None) -> float:
    """Waits until `url` answers 200; returns the seconds it took. Fails on timeout or exit."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if proc is not None and proc.poll() is not None:
            out = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            pytest.fail(f"process exited with {proc.returncode} before {url} answered:\n{out}")
        try:
            if get(url, timeout=1.0)[0] == 200:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.02)
    pytest.fail(f"{url} did not answer 200 within {deadline_s} s")


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None):
    """A process for the duration of the block, stopped with SIGTERM (then killed) afterwards."""
    proc = subprocess.Popen(
        args,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
