#!/usr/bin/env bash
# Installs the peers `make bench` compares archivekit with, into a venv of their own under the user
# cache, so their dependencies never enter archivekit's lock. Idempotent: a stamp of the pinned
# versions skips the work when nothing changed. pandoc is not installed here: the bench uses the
# binary archivekit already ships with (pypandoc-binary).
set -euo pipefail

TYPST_VERSION=0.15.0
WEASYPRINT_VERSION=70.0

CACHE="${ARCHIVEKIT_BENCH_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/archivekit}"
VENV="$CACHE/bench-venv"
STAMP="$VENV/.peers-typst-$TYPST_VERSION-weasyprint-$WEASYPRINT_VERSION"
PYTHON="${PYTHON:-python3}"

if [[ -f "$STAMP" ]]; then
  exit 0
fi

# WeasyPrint draws text with Pango (and HarfBuzz for subsetting): Debian's shared libraries.
if command -v apt-get >/dev/null && ! ldconfig -p | grep -q 'libpango-1.0.so.0'; then
  echo "bench: installing Pango for WeasyPrint" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  PKGS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
  $SUDO apt-get install -y -q "${PKGS[@]}" >&2 || { $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q "${PKGS[@]}" >&2; }
fi

mkdir -p "$CACHE"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check \
  "typst==$TYPST_VERSION" "weasyprint==$WEASYPRINT_VERSION"
rm -f "$VENV"/.peers-* && touch "$STAMP"
echo "bench: peers installed in $VENV (typst $TYPST_VERSION, weasyprint $WEASYPRINT_VERSION)" >&2
