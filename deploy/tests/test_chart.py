"""The Helm chart (deploy/helm/soapbridge): linted by Helm's own linter (Helm v4's Go SDK, the code
`helm lint` runs), rendered by Helm's engine, every manifest validated against the Kubernetes
OpenAPI schemas in their strict variant (unknown fields are errors, as `kubeconform -strict`), the
ServiceMonitor against prometheus-operator's CRD types; then what the manifests must say: probes,
non-root read-only pods, spread, no secret value anywhere, and a config the binary accepts.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CHART = ROOT / "deploy" / "helm" / "soapbridge"
VALUE_FILES = [None, "ci/all-values.yaml", "ci/openshift-values.yaml"]
# The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion) and the newest schemas known.
KUBE_VERSIONS = ["1.25.0", "1.33.0"]

helm = pytest.importorskip("helm_python", reason="needs helm-python-sdk (pip install -r deploy/requirements.txt)")
from helm_python import _native  # noqa: E402

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="needs kubernetes-validate (pip install -r deploy/requirements.txt)"
)


def values_of(name: str | None) -> dict:
    return yaml.safe_load((CHART / name).read_text()) if name else {}


def render(values: dict, kube_version: str = "1.33.0") -> list[dict]:
    """Every manifest the chart renders for `values` on `kube_version` (NOTES.txt left out).

    The SDK's `Chart.render` has no parameter for the cluster's version; its C ABI takes it
    (`kube_version`, what `helm template --kube-version` sets), so it is called directly."""
    chart = helm.Chart.load(CHART)
    opts = {"name": "gw", "namespace": "legacy", "is_install": True, "kube_version": f"v{kube_version}"}
    out = json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(opts)))
    docs = []
    for path, text in sorted(out.items()):
        if path.endswith("NOTES.txt"):
            continue
        docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def gateway(docs: list[dict]) -> dict:
    [deployment] = [d for d in by_kind(docs, "Deployment") if not d["metadata"]["name"].endswith("-redis")]
    return deployment


@pytest.mark.parametrize("values_file", VALUE_FILES)
def test_helm_lint_strict(values_file):
    report = helm.lint(CHART, values_of(values_file), strict=True, namespace="legacy")
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert not problems, problems


def test_helm_lint_reports_a_broken_chart(tmp_path):
    """The linter is live: a template that does not parse is an error."""
    broken = tmp_path / "soapbridge"
    subprocess.run(["cp", "-r", str(CHART), str(broken)], check=True)
    (broken / "templates" / "service.yaml").write_text("{{ if }}\n")
    report = helm.lint(broken, {}, strict=True)
    assert report["errors"] or any(m["severity"] == 3 for m in report["messages"])


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("values_file", VALUE_FILES)
def test_every_manifest_validates_strictly(values_file, kube_version):
    docs = render(values_of(values_file), kube_version)
    assert docs
    for doc in docs:
        if doc["kind"] == "ServiceMonitor":
            continue  # a CRD: checked by test_service_monitor_matches_the_crd
        kubernetes_validate.validate(doc, kube_version, strict=True)


def test_strict_validation_rejects_an_unknown_field():
    """The schemas are strict: a misspelt field is an error, not ignored."""
    [service] = by_kind(render({}), "Service")
    service["spec"]["prots"] = service["spec"].pop("ports")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(service, "1.33.0", strict=True)


def _crd_round_trip(doc: dict) -> dict:
    from cloudcoil.models.prometheus_operator.v1 import ServiceMonitor

    model = ServiceMonitor.model_validate(doc)
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_service_monitor_matches_the_crd():
    pytest.importorskip("cloudcoil.models.prometheus_operator", reason="needs cloudcoil-models-prometheus-operator")
    [monitor] = by_kind(render(values_of("ci/all-values.yaml")), "ServiceMonitor")
    # Typed by the CRD's schema; a field the CRD does not know would be dropped by the round trip.
    assert _crd_round_trip(monitor) == monitor
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    misspelt = {**monitor, "spec": {**monitor["spec"], "endpoint": monitor["spec"]["endpoints"]}}
    assert _crd_round_trip(misspelt) != misspelt


def test_optional_parts_are_off_by_default_and_on_when_asked():
    kinds = {d["kind"] for d in render({})}
    assert kinds == {"ConfigMap", "Deployment", "Service", "ServiceAccount", "PodDisruptionBudget"}
    kinds = {d["kind"] for d in render(values_of("ci/all-values.yaml"))}
    assert {"Ingress", "HorizontalPodAutoscaler", "ServiceMonitor", "PodDisruptionBudget"} <= kinds
    # One pod: no PodDisruptionBudget (it would block every node drain).
    assert not by_kind(render({"replicaCount": 1}), "PodDisruptionBudget")


@pytest.mark.parametrize("values_file", VALUE_FILES)
def test_pods_are_probed_non_root_read_only_and_bounded(values_file):
    deployment = gateway(render(values_of(values_file)))
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["startupProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False
    assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # Every mount read-only: nothing in the pod writes to disk.
    assert all(m.get("readOnly") for m in container["volumeMounts"])


def test_pre_stop_sleep_only_where_kubernetes_has_it():
    def lifecycle(version):
        return gateway(render({}, version))["spec"]["template"]["spec"]["containers"][0].get("lifecycle")

    assert lifecycle("1.33.0") == {"preStop": {"sleep": {"seconds": 5}}}
    assert lifecycle("1.29.0") is None


def test_replicas_are_spread_over_nodes():
    soft = gateway(render({}))["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert soft["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    hard = gateway(render({"podAntiAffinity": "hard"}))["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert "requiredDuringSchedulingIgnoredDuringExecution" in hard
    assert "affinity" not in gateway(render({"podAntiAffinity": "none"}))["spec"]["template"]["spec"]


def test_bad_choices_fail_the_render():
    for values in ({"configReload": "sometimes"}, {"podAntiAffinity": "strong"}):
        with pytest.raises(helm.HelmError):
            render(values)


def test_no_secret_value_in_any_manifest():
    """Secrets come from Secret references only: no Secret is rendered, no env value holds one."""
    values = values_of("ci/all-values.yaml")
    docs = render(values)
    assert not by_kind(docs, "Secret")
    env = gateway(docs)["spec"]["template"]["spec"]["containers"][0]["env"]
    for var in env:
        if any(word in var["name"] for word in ("PASSWORD", "SECRET", "TOKEN", "KEY")):
            assert "secretKeyRef" in var.get("valueFrom", {}), var
    assert {"name": "CRM_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "crm-credentials", "key": "password"}}} in env
    redis_secret = render({"redis": {"existingSecret": "redis-credentials"}})
    [url] = [v for v in gateway(redis_secret)["spec"]["template"]["spec"]["containers"][0]["env"]
             if v["name"] == "SOAPBRIDGE_REDIS_URL"]
    assert url["valueFrom"]["secretKeyRef"] == {"name": "redis-credentials", "key": "redis-url"}


def test_redis_toggle_deploys_a_redis_and_points_the_gateway_at_it():
    docs = render({"redis": {"enabled": True}})
    redis = [d for d in docs if d["metadata"]["name"] == "gw-soapbridge-redis"]
    assert {d["kind"] for d in redis} == {"Deployment", "Service"}
    env = gateway(docs)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "SOAPBRIDGE_REDIS_URL", "value": "redis://gw-soapbridge-redis:6379"} in env
    # The settings share the rate limits through it (the URL from that variable), and keep
    # the limits the values set.
    docs = render({"redis": {"enabled": True},
                   "settings": {"rate_limits": {"per_client": {"requests": 100, "per_seconds": 60}}}})
    [cm] = [d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"] == "gw-soapbridge-settings"]
    limits = yaml.safe_load(cm["data"]["soapbridge.yaml"])["rate_limits"]
    assert limits == {"per_client": {"requests": 100, "per_seconds": 60},
                      "redis": {"url": "${SOAPBRIDGE_REDIS_URL}"}}
    [cm] = [d for d in by_kind(render({}), "ConfigMap") if d["metadata"]["name"] == "gw-soapbridge-settings"]
    assert "rate_limits" not in yaml.safe_load(cm["data"]["soapbridge.yaml"])
    # The gateway's Service and PodDisruptionBudget select the gateway only, never the Redis pod.
    [service] = [d for d in by_kind(docs, "Service") if d["metadata"]["name"] == "gw-soapbridge"]
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "gateway"


def _checksums(values: dict) -> dict:
    return gateway(render(values))["spec"]["template"]["metadata"].get("annotations", {})


def test_a_config_change_rolls_the_pods_in_rollout_mode_only():
    one = _checksums({"mappings": {"files": {"crm.yaml": "a"}}})
    two = _checksums({"mappings": {"files": {"crm.yaml": "b"}}})
    assert one["checksum/mappings"] != two["checksum/mappings"]
    assert one["checksum/settings"] == two["checksum/settings"]
    assert "checksum/mappings" not in _checksums({"configReload": "watch"})


def test_the_rendered_config_is_one_the_binary_accepts(tmp_path, soapbridge):
    """The sample's mapping and WSDLs through the chart's ConfigMaps, laid out as the pod mounts
    them, pass `soapbridge check`; the settings file is the one the pod reads."""
    files = {"mappings": {"files": {"crm.yaml": (ROOT / "mappings" / "crm.yaml").read_text()}},
             "wsdl": {"files": {p.name: p.read_text() for p in (ROOT / "wsdl").iterdir()}}}
    docs = render(files)
    mounts = {"gw-soapbridge-settings": "config", "gw-soapbridge-mappings": "mappings", "gw-soapbridge-wsdl": "wsdl"}
    for cm in by_kind(docs, "ConfigMap"):
        folder = tmp_path / mounts[cm["metadata"]["name"]]
        folder.mkdir()
        for name, text in cm.get("data", {}).items():
            (folder / name).write_text(text)
    settings = yaml.safe_load((tmp_path / "config" / "soapbridge.yaml").read_text())
    assert settings["mappings"] == "/etc/soapbridge/mappings" and settings["mock"] is False
    r = subprocess.run([soapbridge, "check", str(tmp_path / "mappings")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    digest = hashlib.sha256((tmp_path / "mappings" / "crm.yaml").read_bytes()).hexdigest()
    assert digest == hashlib.sha256((ROOT / "mappings" / "crm.yaml").read_bytes()).hexdigest()
