#!/usr/bin/env bash
# Debian packages archivekit needs to build and test, installed only when missing (idempotent).
# Fonts: Noto Serif/Sans CJK and Noto Serif (the PDF's typefaces). poppler (pdftotext, pdfinfo,
# pdffonts: the judges reading PDFs), qpdf and Ghostscript (preflight), Java (validators), Chromium (Ace, axe),
# liblouis with its tables and Python bindings (the braille edition).
# ARCHIVEKIT_APT_EXTRA adds packages; nothing is pinned here because Debian security updates
# replace exact versions, and an install that fails on a vanished version helps nobody.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_file() { [[ -e "$1" ]]; }
have_cmd pdftotext || need+=(poppler-utils)
have_cmd qpdf || need+=(qpdf)
have_cmd gs || need+=(ghostscript)
have_cmd java || need+=(openjdk-17-jre-headless)
have_cmd chromium || need+=(chromium)
have_cmd git || need+=(git)
have_file /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc || need+=(fonts-noto-cjk)
have_file /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf || need+=(fonts-noto-core)
# liblouis (braille edition): the library, its tables and the Python bindings archivekit loads by path.
have_file /usr/lib/python3/dist-packages/louis/__init__.py || need+=(python3-louis liblouis20)
have_file /usr/share/liblouis/tables/zhcn-cbs.ctb || need+=(liblouis-data)
have_cmd lou_translate || need+=(liblouis-bin)
# shellcheck disable=SC2206
need+=(${ARCHIVEKIT_APT_EXTRA:-})

if ((${#need[@]} == 0)); then
  exit 0
fi
echo "install-system: installing ${need[*]}" >&2
SUDO=""
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-system: run as root or install: ${need[*]}" >&2; exit 2; }
  SUDO=sudo
fi
if [[ -z "$(ls /var/lib/apt/lists/*_Packages 2>/dev/null | head -1)" ]]; then
  $SUDO apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null \
  || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"; }
