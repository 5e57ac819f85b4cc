"""The container image: the Dockerfiles linted by hadolint; the image built from the release
binaries by buildah and run by podman (non-root, read-only root, HEALTHCHECK, start-up time, the
README's curl examples answered as the binary answers them, the `FROM soapbridge` pattern).

The image is built with BINARY_FROM=prebuilt (dist/image/, from `deploy/release.sh --image`): the
`build` stage needs the rust image from a container registry, which this machine cannot reach.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, free_port, get, running, tool, wait_http

DOCKERFILES = ["Dockerfile", "deploy/docker/Dockerfile.mappings", "deploy/compose/spyne/Dockerfile"]
IMAGE = "localhost/soapbridge:ci"
DIST = ROOT / "dist" / "image"
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]


def hadolint() -> str:
    path = tool("hadolint")
    if path is None:
        pytest.skip("needs hadolint (pip install -r deploy/requirements.txt)")
    return path


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_dockerfile_passes_hadolint(dockerfile):
    r = subprocess.run([hadolint(), dockerfile], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_hadolint_flags_a_bad_dockerfile(tmp_path):
    """The linter is live: root user, unpinned latest image, apt without -y are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get install curl\nUSER root\n")
    r = subprocess.run([hadolint(), str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    for rule in ("DL3006", "DL3014", "DL3002"):
        assert rule in r.stdout


# ---------------------------------------------------------------- image

def engine() -> tuple[str, list[str]]:
    """buildah and the podman command line that works on this machine, or skip."""
    buildah, podman = shutil.which("buildah"), shutil.which("podman")
    if not (buildah and podman):
        pytest.skip("needs buildah and podman (Debian packages; .ci/run installs them)")
    if not (DIST / "soapbridge").exists():
        pytest.skip("needs dist/image/ (deploy/release.sh --image)")
    # vfs storage works on any filesystem; runc, since crun refuses this machine's hybrid cgroups;
    # rlimits at or below the machine's hard limits (raising them needs CAP_SYS_RESOURCE).
    podman_cmd = [podman, "--storage-driver", "vfs"]
    if shutil.which("runc"):
        podman_cmd += ["--runtime", "runc"]
    return buildah, podman_cmd


RUN_LIMITS = ["--ulimit", "nofile=16384:16384", "--ulimit", "nproc=4096:4096"]


@pytest.fixture(scope="module")
def image():
    buildah, podman = engine()
    r = subprocess.run(
        [buildah, "--storage-driver", "vfs", "bud", "--format", "docker", "--isolation", "chroot",
         "--build-arg", "BINARY_FROM=prebuilt", "--build-arg", f"VERSION={VERSION}",
         "-t", IMAGE, "."],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    yield podman
    subprocess.run(podman + ["rmi", "-f", IMAGE], capture_output=True)


def inspect(podman, fmt: str) -> str:
    r = subprocess.run(podman + ["image", "inspect", IMAGE, "--format", fmt],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip()


def test_image_metadata(image):
    assert inspect(image, "{{.Config.User}}") == "65532:65532"
    health = json.loads(inspect(image, "{{json .Config.Healthcheck}}"))
    assert health["Test"] == ["CMD", "/usr/local/bin/soapbridge-healthcheck"]
    labels = json.loads(inspect(image, "{{json .Labels}}"))
    assert labels["org.opencontainers.image.version"] == VERSION
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    for key in ("title", "description", "source", "revision", "created"):
        assert f"org.opencontainers.image.{key}" in labels
    size = int(inspect(image, "{{.Size}}"))
    print(f"image size: {size / 1e6:.1f} MB")
    assert size < 30e6, f"image is {size} bytes"


def readme_curls(port: int) -> list[str]:
    """The README's first curl examples, each one command, pointed at `port`."""
    text = (ROOT / "README.md").read_text()
    block = text.split("Then, in another terminal:", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    # A command starts with `curl`; the lines after it (a `\` continuation, or a quoted argument
    # running on) belong to it; a ` # ` comment ends a line.
    commands: list[str] = []
    for line in block.splitlines():
        line = re.sub(r"\s+# .*$", "", line).rstrip()
        if line.startswith("curl "):
            commands.append(line)
        elif line and commands:
            commands[-1] += "\n" + line
    assert len(commands) >= 5, commands
    return [c.replace("localhost:8080", f"127.0.0.1:{port}") + " -w '\\n%{http_code}'" for c in commands]


def answers(port: int) -> list[tuple[str, str]]:
    out = []
    for cmd in readme_curls(port):
        r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=20)
        body, _, status = r.stdout.rpartition("\n")
        out.append((status, body))
    return out


@pytest.fixture
def container(image):
    podman = image
    name = f"soapbridge-ci-{os.getpid()}"
    port = free_port()
    t0 = time.monotonic()
    r = subprocess.run(
        podman + ["run", "-d", "--name", name, *RUN_LIMITS, "--read-only",
                  "-p", f"127.0.0.1:{port}:8080", IMAGE,
                  "serve", "--config", "/usr/share/soapbridge/sample/soapbridge.yaml"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr
    try:
        # From the container running (`run -d` returned) to /livez answering 200: soapbridge's
        # own start-up; t0 also counts the engine creating the container.
        started = wait_http(f"http://127.0.0.1:{port}/livez", deadline_s=20)
        yield podman, name, port, time.monotonic() - t0, started
    finally:
        subprocess.run(podman + ["rm", "-f", name], capture_output=True)


def test_container_runs_non_root_read_only_and_answers_like_the_binary(container, soapbridge):
    podman, name, port, with_engine, started = container
    print(f"container running to /livez 200: {started:.3f} s ({with_engine:.3f} s from `podman run`)")
    assert started < 1.0, f"took {started:.2f} s"
    pid = subprocess.run(podman + ["inspect", "--format", "{{.State.Pid}}", name],
                         capture_output=True, text=True, check=True).stdout.strip()
    status = Path(f"/proc/{pid}/status").read_text()
    assert re.search(r"^Uid:\s+65532\s", status, re.M), status
    assert re.search(r"^CapEff:\s+0+$", status, re.M), status
    in_container = answers(port)
    assert [s for s, _ in in_container] == ["200", "200", "200", "400", "201", "200"], in_container
    # The same examples against the binary on the host, with the same sample and the same mock.
    host_port = free_port()
    with running([soapbridge, "serve", "--mock", "--listen", f"127.0.0.1:{host_port}",
                  "--mappings", "mappings"], cwd=ROOT) as proc:
        wait_http(f"http://127.0.0.1:{host_port}/livez", proc=proc)
        on_host = answers(host_port)
    assert in_container == on_host


def test_healthcheck_and_graceful_stop(container):
    podman, name, _, _, _ = container
    r = subprocess.run(podman + ["healthcheck", "run", name], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    health = subprocess.run(podman + ["inspect", "--format", "{{.State.Health.Status}}", name],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert health == "healthy"
    subprocess.run(podman + ["stop", "-t", "10", name], capture_output=True, check=True)
    code = subprocess.run(podman + ["inspect", "--format", "{{.State.ExitCode}}", name],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert code == "0", "SIGTERM should drain and exit 0"


def test_healthcheck_fails_without_a_server():
    probe = DIST / "soapbridge-healthcheck"
    if not probe.exists():
        pytest.skip("needs dist/image/ (deploy/release.sh --image)")
    env = {**os.environ, "SOAPBRIDGE_HEALTHCHECK_ADDR": f"127.0.0.1:{free_port()}"}
    r = subprocess.run([str(probe)], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "cannot connect" in r.stderr


def derived_image(podman_image: str, mappings_dir: Path, tag: str) -> subprocess.CompletedProcess:
    buildah, _ = engine()
    return subprocess.run(
        [buildah, "--storage-driver", "vfs", "bud", "--format", "docker", "--isolation", "chroot",
         "--build-arg", f"SOAPBRIDGE_IMAGE={podman_image}", "-f",
         str(ROOT / "deploy/docker/Dockerfile.mappings"), "-t", tag, str(mappings_dir)],
        capture_output=True, text=True,
    )


def test_from_soapbridge_pattern_checks_mappings_at_build_time(image):
    podman = image
    with tempfile.TemporaryDirectory() as d:
        ctx = Path(d)
        shutil.copytree(ROOT / "mappings", ctx / "mappings")
        shutil.copytree(ROOT / "wsdl", ctx / "wsdl")
        ok = derived_image(IMAGE, ctx, "localhost/soapbridge-derived:ci")
        assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr[-2000:]
        port = free_port()
        name = f"soapbridge-derived-{os.getpid()}"
        r = subprocess.run(
            podman + ["run", "-d", "--name", name, *RUN_LIMITS, "--read-only", "-e",
                      "SOAPBRIDGE_MOCK=true", "-p", f"127.0.0.1:{port}:8080",
                      "localhost/soapbridge-derived:ci"],
            capture_output=True, text=True,
        )
        try:
            assert r.returncode == 0, r.stderr
            wait_http(f"http://127.0.0.1:{port}/livez")
            status, body = get(f"http://127.0.0.1:{port}/api/customer/customers/42")
            assert status == 200 and json.loads(body)["customerId"] == 42
        finally:
            subprocess.run(podman + ["rm", "-f", name], capture_output=True)
            subprocess.run(podman + ["rmi", "-f", "localhost/soapbridge-derived:ci"], capture_output=True)
        # A mapping naming an operation the WSDL does not have fails the build.
        crm = ctx / "mappings" / "crm.yaml"
        crm.write_text(crm.read_text().replace("  GetCustomer:\n", "  GetCustomerX:\n", 1))
        bad = derived_image(IMAGE, ctx, "localhost/soapbridge-derived-bad:ci")
        assert bad.returncode != 0
        assert "GetCustomerX" in bad.stdout + bad.stderr
