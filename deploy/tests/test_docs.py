"""The README's Deploy section says what the files say: the Helm values table is the one generated
from values.yaml, and the `FROM soapbridge` example is deploy/docker/Dockerfile.mappings."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_values_table_is_current():
    r = subprocess.run([sys.executable, str(ROOT / "deploy" / "values_table.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_every_chart_value_is_documented():
    import yaml

    values = yaml.safe_load((ROOT / "deploy" / "helm" / "soapbridge" / "values.yaml").read_text())
    readme = (ROOT / "README.md").read_text()
    for key, value in values.items():
        if isinstance(value, dict) and value and key not in ("settings", "resources", "podSecurityContext", "securityContext"):
            for sub in value:
                assert f"| `{key}.{sub}` |" in readme, f"{key}.{sub}"
        else:
            assert f"| `{key}` |" in readme, key


def test_from_soapbridge_example_is_the_shipped_dockerfile():
    readme = (ROOT / "README.md").read_text()
    [example] = re.findall(r"```dockerfile\n(.*?)```", readme, re.S)
    shipped = (ROOT / "deploy" / "docker" / "Dockerfile.mappings").read_text()
    instructions = [l for l in shipped.splitlines() if l and not l.startswith(("#", "ARG"))]
    instructions[0] = "FROM soapbridge:0.1.0"  # the ARG's default, spelt out
    assert example.strip().splitlines() == instructions
