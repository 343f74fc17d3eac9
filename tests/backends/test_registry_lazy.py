"""The registry imports a backend's module only when that backend is used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("remote.backends.rtlsim", "remote.backends.synth", "remote.backends.scalesim.runner",
         "remote.pim", "yaml")

PROBE = """
import json, sys
from remote.backends.registry import BackendRegistry
heavy = {heavy!r}
loaded = lambda: sorted(m for m in heavy if m in sys.modules)
out = {{"import": loaded()}}
registry = BackendRegistry()
registry.get("npu-scalesim").features({{"config": "a.cfg", "topology": "t.csv"}})
out["get"] = loaded()
schema = registry.get("npu-scalesim").schema()
out["scalesim"] = loaded()
out["checks"] = schema["properties"]["checks"]["items"]
out["names"] = [i.name for i in registry.info()]
out["info"] = loaded()
print(json.dumps(out))
"""


def test_backends_load_at_first_use() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout)
    assert out["import"] == [] and out["get"] == []
    assert out["scalesim"] == ["remote.backends.scalesim.runner"]
    assert out["checks"] == {"$ref": "#/$defs/LayerCheck"}
    assert out["names"] == ["command", "npu-scalesim", "pim", "rtl-sim", "synth"]
    assert {"remote.backends.rtlsim", "remote.backends.synth"} <= set(out["info"])
