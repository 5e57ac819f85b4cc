"""The compose demo (compose.yaml, deploy/compose/): its Prometheus config checked by promtool,
and the same stack run on this host for real: the spyne service (deploy/compose/spyne/serve.py),
soapbridge with the demo's settings, mapping and WSDL, and Prometheus (Debian's) with the demo's
scrape config, the container names replaced by loopback addresses. `compose up` itself needs the
base images (python, prom/prometheus, grafana) from a container registry, which CI cannot reach:
it is not run here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, free_port, running, wait_http

COMPOSE = ROOT / "deploy" / "compose"


def test_compose_file_wires_the_services():
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = spec["services"]
    assert set(services) == {"soapbridge", "spyne", "prometheus", "grafana"}
    bridge = services["soapbridge"]
    assert bridge["environment"]["INTEROP_URL"] == "http://spyne:8765/"
    assert bridge["read_only"] is True and bridge["cap_drop"] == ["ALL"]
    for volume in bridge["volumes"] + services["prometheus"]["volumes"] + services["grafana"]["volumes"]:
        source = volume.split(":", 1)[0]
        assert (ROOT / source).exists(), source
        assert volume.endswith(":ro"), volume
    scrape = yaml.safe_load((COMPOSE / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["static_configs"][0]["targets"] == ["soapbridge:8080"]
    assert scrape["metrics_path"] == "/metrics"


def test_promtool_accepts_the_config():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("needs promtool (Debian's prometheus package)")
    r = subprocess.run([promtool, "check", "config", str(COMPOSE / "prometheus.yml")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def prometheus_query(port: int, query: str) -> list:
    url = f"http://127.0.0.1:{port}/api/v1/query?query={urllib.request.quote(query)}"
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]["result"]


def post_json(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.load(r)


def test_the_stack_on_this_host(tmp_path, soapbridge):
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("needs prometheus (Debian's prometheus package)")
    if subprocess.run(["python3", "-c", "import spyne"], capture_output=True).returncode != 0:
        pytest.skip("needs spyne (pip install -r tests/interop/requirements.txt)")
    # The spyne container's /srv: the service and its launcher side by side.
    srv = tmp_path / "srv"
    srv.mkdir()
    shutil.copy(ROOT / "tests" / "interop" / "spyne_service.py", srv)
    shutil.copy(COMPOSE / "spyne" / "serve.py", srv)
    spyne_port, bridge_port, prom_port = free_port(), free_port(), free_port()
    config = yaml.safe_load((COMPOSE / "prometheus.yml").read_text())
    config["scrape_configs"][0]["static_configs"][0]["targets"] = [f"127.0.0.1:{bridge_port}"]
    config["global"]["scrape_interval"] = "1s"
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    env = {"INTEROP_URL": f"http://127.0.0.1:{spyne_port}/", "SOAPBRIDGE_LISTEN": f"127.0.0.1:{bridge_port}",
           "SOAPBRIDGE_MAPPINGS": str(COMPOSE / "mappings")}
    with running(["python3", "-u", "serve.py", "127.0.0.1", str(spyne_port)], cwd=srv) as spyne, \
         running([soapbridge, "serve", "--config", str(COMPOSE / "soapbridge.yaml")], env=env) as bridge, \
         running([prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
                  f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prom_port}"]) as prom:
        wait_http(f"http://127.0.0.1:{spyne_port}/?wsdl", proc=spyne)
        wait_http(f"http://127.0.0.1:{bridge_port}/readyz", proc=bridge)
        status, answer = post_json(f"http://127.0.0.1:{bridge_port}/api/interop/add", {"a": 2, "b": 40})
        assert (status, answer) == (200, 42)
        wait_http(f"http://127.0.0.1:{prom_port}/-/ready", deadline_s=30, proc=prom)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            up = prometheus_query(prom_port, 'up{job="soapbridge"}')
            if up and up[0]["value"][1] == "1":
                series = prometheus_query(prom_port, '{job="soapbridge",__name__=~".+"}')
                names = {s["metric"]["__name__"] for s in series}
                if len(names) > 5:  # scrape bookkeeping (up, scrape_*) and soapbridge's own
                    break
            time.sleep(0.5)
        else:
            pytest.fail(f"Prometheus never scraped soapbridge: {up}")
        own = {n for n in names if not n.startswith(("up", "scrape_"))}
        assert own, names

