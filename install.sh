#!/usr/bin/env bash
# Install ChipCommons on Debian and start the desktop app on the embedded demo centre.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip \
    ca-certificates openssh-client bubblewrap fonts-noto-cjk libegl1 libgl1 libopengl0 \
    libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 \
    libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 \
    libxcb-image0 libglib2.0-0 >/dev/null
[[ -x .venv/bin/python ]] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
if [[ -f .ci/install-scalesim.sh ]]; then bash .ci/install-scalesim.sh; fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && "${QT_QPA_PLATFORM:-}" != offscreen ]]; then
    echo "ChipCommons is installed, but this session has no display to open a window on."
    echo "Checking every screen offscreen instead; on a desktop, run .venv/bin/chipcommons."
    QT_QPA_PLATFORM=offscreen exec .venv/bin/chipcommons --self-test
fi
exec .venv/bin/chipcommons "$@"
