"""The systemd unit (deploy/systemd/): `systemd-analyze verify` accepts it, `systemd-analyze
security` rates its exposure low, the hardening the issue names is there, and the binary runs
under the unit's own command line with its settings and environment file, stops cleanly on
SIGTERM and reloads in place on SIGHUP.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, free_port, get, running, wait_http

UNIT = ROOT / "deploy" / "systemd" / "soapbridge.service"


def analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("needs systemd-analyze (Debian's systemd package)")
    return path


def unit_with_binary(tmp_path: Path, soapbridge: str) -> Path:
    unit = tmp_path / "soapbridge.service"
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/soapbridge", soapbridge))
    return unit


def directives() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key, []).append(value)
    return out


def test_unit_verifies(tmp_path, soapbridge):
    unit = unit_with_binary(tmp_path, soapbridge)
    r = subprocess.run([analyze(), "verify", str(unit)], capture_output=True, text=True)
    # verify exits 0 on a directive it ignores; that warning on stderr is a failure here.
    assert r.returncode == 0 and not r.stderr.strip(), r.stdout + r.stderr


def test_verify_is_live(tmp_path, soapbridge):
    unit = unit_with_binary(tmp_path, soapbridge)
    unit.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSystem=strikt"))
    r = subprocess.run([analyze(), "verify", str(unit)], capture_output=True, text=True)
    assert "strikt" in r.stderr


def test_exposure_is_low(tmp_path, soapbridge):
    unit = unit_with_binary(tmp_path, soapbridge)
    r = subprocess.run([analyze(), "security", "--offline=true", "--no-pager", str(unit)],
                       capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout + r.stderr)
    assert m, r.stdout + r.stderr
    print(f"systemd-analyze security exposure: {m.group(1)}")
    assert float(m.group(1)) <= 2.0


def test_hardening_the_issue_names():
    d = directives()
    assert d["DynamicUser"] == ["yes"]
    assert d["ProtectSystem"] == ["strict"]
    assert d["NoNewPrivileges"] == ["yes"]
    assert d["CapabilityBoundingSet"] == [""]
    assert d["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert d["Restart"] == ["on-failure"]
    assert d["EnvironmentFile"] == ["-/etc/soapbridge/soapbridge.env"]
    assert "StandardOutput" not in d and "StandardError" not in d  # the journal, the default


def test_env_file_holds_no_secret_value():
    for line in (ROOT / "deploy" / "systemd" / "soapbridge.env").read_text().splitlines():
        assert not line or line.startswith("#"), f"an active line in the shipped env file: {line}"


def env_file_values() -> dict[str, str]:
    out = {}
    for line in (ROOT / "deploy" / "systemd" / "soapbridge.env").read_text().splitlines():
        m = re.match(r"#([A-Z_]+)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_the_unit_command_serves_and_stops_cleanly(tmp_path, soapbridge):
    """ExecStartPre and ExecStart as the unit runs them, with /etc/soapbridge laid out in a
    temporary folder (the settings' absolute mappings path overridden by SOAPBRIDGE_MAPPINGS)."""
    etc = tmp_path / "etc"
    shutil.copytree(ROOT / "mappings", etc / "mappings")
    shutil.copytree(ROOT / "wsdl", etc / "wsdl")
    shutil.copy(ROOT / "deploy" / "systemd" / "soapbridge.yaml", etc / "soapbridge.yaml")
    d = directives()
    pre = d["ExecStartPre"][0].replace("/usr/local/bin/soapbridge", soapbridge).replace("/etc/soapbridge", str(etc))
    assert subprocess.run(pre.split(), capture_output=True).returncode == 0
    start = d["ExecStart"][0].replace("/usr/local/bin/soapbridge", soapbridge).replace("/etc/soapbridge", str(etc))
    port = free_port()
    upstream = f"http://127.0.0.1:{free_port()}/crm"  # nothing listens: a 502-class answer, not a mock
    env = {**env_file_values(), "CUSTOMER_URL": upstream, "SOAPBRIDGE_MAPPINGS": str(etc / "mappings"),
           "SOAPBRIDGE_LISTEN": f"127.0.0.1:{port}"}
    env.pop("CRM_PASSWORD", None)
    with running(start.split(), env=env, cwd=etc) as proc:
        wait_http(f"http://127.0.0.1:{port}/livez", proc=proc)
        status, _ = get(f"http://127.0.0.1:{port}/api/customer/customers/42")
        assert status in (502, 503, 504), status  # mock: false, so the unset-mock path is not taken
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=35) == 0
    # SIGHUP (the unit's ExecReload): reloaded in place, still serving, never ended by it.
    with running(start.split(), env=env, cwd=etc) as proc:
        wait_http(f"http://127.0.0.1:{port}/livez", proc=proc)
        proc.send_signal(signal.SIGHUP)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
        assert get(f"http://127.0.0.1:{port}/livez")[0] == 200
