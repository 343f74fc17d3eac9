#!/usr/bin/env bash
# SCALE-Sim 3.0.0 crashes on numpy 2.4, which the app itself uses; it gets its own virtual
# environment beside the app's, where the npu-scalesim backend finds it (.venv-scalesim).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv-scalesim/bin/python ]] || "${PYTHON:-python3}" -m venv .venv-scalesim
.venv-scalesim/bin/pip install -q --upgrade pip
.venv-scalesim/bin/pip install -q "scalesim==3.0.0" "numpy>=2.0,<2.4"
.venv-scalesim/bin/python -c "import scalesim.scale_sim" >/dev/null
