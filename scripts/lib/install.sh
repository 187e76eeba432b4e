# scripts/lib/install.sh: what scripts/test and scripts/demo install, sourced by both.
#
# Defines REPO_ROOT, the pinned versions, output helpers (stage, note, die) and install VENV...:
# Debian packages (ensure_apt), a pinned uv, Python 3.13.5 when ha2026 is asked for, and the
# named venvs under .venv/ (py311, ha2025, ha2026) from requirements/, each rebuilt only when its
# stamp changes. The sourcing script sets `set -euo pipefail` and SCRIPT_NAME first.
# shellcheck shell=bash

readonly UV_VERSION=0.13.9
readonly PY311_VERSION=3.11.7
readonly PY313_VERSION=3.13.0
readonly PY3135_VERSION=3.13.5
# The Debian 13 (trixie) source package Python 3.13.5 is built from: upstream 3.13.5 plus Debian's
# backported security fixes. Changing it rebuilds the interpreter and the venv on it.
readonly PY3135_DEBIAN_VERSION=3.13.5-2+deb13u5

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT
readonly TOOLS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/e2ee-nvr"

# uv must never fetch an interpreter of its own: only PyPI is reachable, and the point is to test
# on the pyenv interpreters named above.
export UV_PYTHON_DOWNLOADS=never
export UV_NO_PROGRESS=1

# ----------------------------------------------------------------------------- output helpers
stage() {
    printf '\n==================== %s ====================\n' "$*"
}

note() {
    printf -- '--- %s\n' "$*"
}

# die MESSAGE: SCRIPT_NAME is the sourcing script's name (scripts/test, scripts/demo).
die() {
    printf '%s: %s\n' "${SCRIPT_NAME:-${0##*/}}" "$*" >&2
    exit 1
}

# ----------------------------------------------------------------------------- system packages
APT_UPDATED=0

# ensure_apt PKG...: install the Debian packages that are not installed yet. Later work adds
# ffmpeg, chromium and gstreamer here; the package index is refreshed once, and only if needed.
ensure_apt() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]} == 0)) && return 0

    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    note "installing Debian packages: ${missing[*]}"
    if ((APT_UPDATED == 0)); then
        "${sudo[@]}" apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

# ----------------------------------------------------------------------------- interpreters and uv
# Interpreters are looked up only by the part that needs one, so `scripts/test --frontend` needs
# no Python at all and `--lint` none of pyenv's. The pinned versions come from pyenv where it is
# installed (call them by full path: the pyenv shims can fail); E2EE_NVR_PYTHON311/313/3135 name
# others.

# pyenv_python VERSION: the interpreter's full path, or nothing (status 1) when pyenv lacks it.
# `pyenv root` may be absent from PATH under CI, hence the fallback.
pyenv_python() {
    local root
    root=$(pyenv root 2>/dev/null || printf '%s' "${PYENV_ROOT:-$HOME/.pyenv}")
    local python="$root/versions/$1/bin/python3"
    [[ -x "$python" ]] || return 1
    printf '%s' "$python"
}

# python311: the agent's and the protocol's floor. pyenv's 3.11.7 where it exists, else the
# system's python3 if it is 3.11 or newer (Debian 12's is 3.11.2), installed with its venv module.
python311() {
    if [[ -n ${E2EE_NVR_PYTHON311:-} ]]; then
        printf '%s' "$E2EE_NVR_PYTHON311"
    elif ! pyenv_python "$PY311_VERSION"; then
        ensure_apt python3 python3-venv
        /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "need Python >= 3.11: pyenv install $PY311_VERSION, or set E2EE_NVR_PYTHON311"
        printf '%s' /usr/bin/python3
    fi
}

# python313: Home Assistant 2025.4.4's interpreter, only from pyenv (or E2EE_NVR_PYTHON313).
python313() {
    if [[ -n ${E2EE_NVR_PYTHON313:-} ]]; then
        printf '%s' "$E2EE_NVR_PYTHON313"
    else
        pyenv_python "$PY313_VERSION" ||
            die "Python $PY313_VERSION not found (pyenv install $PY313_VERSION, or set E2EE_NVR_PYTHON313)"
    fi
}

readonly PY3135_PREFIX="$TOOLS_DIR/python-$PY3135_VERSION"
PY3135=${E2EE_NVR_PYTHON3135:-$PY3135_PREFIX/bin/python3}
readonly PY3135

# ensure_uv: a pinned uv in a venv of its own, outside the repo, shared by every clone.
ensure_uv() {
    local venv="$TOOLS_DIR/uv-$UV_VERSION"
    UV="$venv/bin/uv"
    if [[ -x "$UV" ]] && "$UV" --version >/dev/null 2>&1; then
        return 0
    fi
    note "installing uv $UV_VERSION into $venv"
    rm -rf "$venv"
    local python
    python=$(python311)
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "uv==$UV_VERSION"
}

# ----------------------------------------------------------------------------- Python 3.13.5
# Home Assistant 2026.x needs Python >= 3.13.2; pyenv here stops at 3.13.0 and only Debian's
# archive and PyPI are reachable. So Python 3.13.5 is built from Debian 13's python3.13 source
# package, once (~3 minutes on 2 cores), into ~/.cache/e2ee-nvr/python-3.13.5, shared by every
# clone; later runs only check that it still works.

# The C extension modules Home Assistant and its wheels need. A build that lacks a -dev package
# succeeds anyway and silently leaves the module out, so the result is checked, not assumed.
readonly PY3135_MODULES="ssl, sqlite3, lzma, bz2, ctypes, uuid, readline, zlib"

# python_ok PYTHON: the interpreter runs and imports every module of PY3135_MODULES.
python_ok() {
    [[ -x $1 ]] && "$1" -c "import $PY3135_MODULES" >/dev/null 2>&1
}

# trixie_source_list FILE: write a one-line-format apt source list naming Debian 13's deb-src
# archives, derived at run time from this machine's /etc/apt/sources.list.d/debian.sources: the
# same URIs and keyring, this release's suites renamed (bookworm -> trixie, bookworm-updates ->
# trixie-updates, bookworm-security -> trixie-security). No archive host is written into the repo,
# and a machine with a mirror configured keeps using its mirror.
trixie_source_list() {
    local sources=/etc/apt/sources.list.d/debian.sources codename
    [[ -r $sources ]] || die "$sources is missing: cannot find Debian's archive for python3.13's source"
    codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
    [[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release"
    # deb822: stanzas separated by blank lines, "Key: value" fields, # comments.
    awk -v from="$codename" -v to=trixie '
        BEGIN { RS = ""; FS = "\n" }
        {
            uris = ""; suites = ""; comps = ""; signed = ""; enabled = "yes"
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^[ \t]*#/ || $i !~ /:/) continue
                key = tolower($i); sub(/:.*/, "", key); gsub(/[ \t]/, "", key)
                val = $i; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
                if (key == "uris") uris = val
                else if (key == "suites") suites = val
                else if (key == "components") comps = val
                else if (key == "signed-by") signed = val
                else if (key == "enabled") enabled = tolower(val)
            }
            if (uris == "" || suites == "" || enabled == "no") next
            opt = (signed == "" ? "" : " [signed-by=" signed "]")
            n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
            for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) {
                if (index(s[b], from) != 1) continue
                printf "deb-src%s %s %s%s %s\n", opt, u[a], to, substr(s[b], length(from) + 1), comps
            }
        }' "$sources" >"$1"
    [[ -s $1 ]] || die "no '$codename' suite in $sources to derive trixie's deb-src lines from"
}

# show_build_logs DIR: the end of each build log, for a failure in CI where DIR is gone.
show_build_logs() {
    local log
    for log in "$1"/*.log; do
        [[ -f $log ]] || continue
        printf -- '--- last lines of %s\n' "$log" >&2
        tail -n 25 "$log" >&2
    done
}

# build_python_3135: fetch the source package with apt-get, apply Debian's backported upstream
# fixes, build and install into PY3135_PREFIX. apt works from a private source list, index and
# cache (-o Dir::...) so the system's own apt state is never touched; it checks the downloaded
# files against the signed index, as for any package.
build_python_3135() {
    # The -dev packages are the ones the Python modules in PY3135_MODULES are built against.
    ensure_apt build-essential pkg-config xz-utils patch libssl-dev libffi-dev zlib1g-dev \
        libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev libncurses-dev uuid-dev

    local started=$SECONDS
    local work="$TOOLS_DIR/build-python-$PY3135_VERSION"
    rm -rf "$work"
    mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/download" \
        "$work/debian" "$work/src"
    trixie_source_list "$work/apt/trixie-src.list"
    local apt_opts=(
        -o "Dir::Etc::SourceList=$work/apt/trixie-src.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$work/apt/lists"
        -o "Dir::Cache=$work/apt/cache"
    )
    # As root, apt downloads as its unprivileged _apt user, which must be able to write there.
    if ((EUID == 0)) && id _apt >/dev/null 2>&1; then
        chown _apt "$work/download"
    fi
    note "fetching python3.13 $PY3135_DEBIAN_VERSION, Debian 13's source package"
    apt-get -qq "${apt_opts[@]}" update
    (cd "$work/download" && apt-get -qq "${apt_opts[@]}" source --download-only \
        "python3.13=$PY3135_DEBIAN_VERSION") || die "apt-get source python3.13 failed"

    local orig="$work/download/python3.13_$PY3135_VERSION.orig.tar.xz"
    local debian="$work/download/python3.13_$PY3135_DEBIAN_VERSION.debian.tar.xz"
    [[ -f $orig && -f $debian ]] || die "apt-get source did not leave ${orig##*/} and ${debian##*/}"
    tar -xf "$orig" -C "$work/src" --strip-components=1
    tar -xf "$debian" -C "$work/debian"

    # Debian's patch series mixes its packaging patches (install layout, multiarch paths, a
    # disabled ensurepip: written for debian/rules' build, not for a --prefix install) with
    # backports of upstream CPython commits (the CVE and crash fixes of the deb13uN updates).
    # Apply only the backports: the patches in `git format-patch` form, "From <commit>" first.
    local patches="$work/debian/debian/patches" name applied=0
    while read -r name _; do
        [[ -z $name || $name == \#* ]] && continue
        head -n 1 "$patches/$name" | grep -qE '^From [0-9a-f]{40} ' || continue
        patch -d "$work/src" -p1 -s --forward <"$patches/$name" || die "Debian's $name does not apply"
        applied=$((applied + 1))
    done <"$patches/series"
    note "applied $applied upstream backports from Debian's patch series"

    # No --enable-optimizations: PGO would triple the build time for a test interpreter. Install
    # into a staging root first, so an interrupted build never leaves a half-installed prefix.
    note "building Python $PY3135_VERSION: configure, make -j$(nproc), make install (~3 minutes)"
    (cd "$work/src" &&
        ./configure --prefix="$PY3135_PREFIX" >"$work/configure.log" 2>&1 &&
        make -j"$(nproc)" >"$work/make.log" 2>&1 &&
        make install DESTDIR="$work/stage" >"$work/install.log" 2>&1) || {
        show_build_logs "$work"
        die "building Python $PY3135_VERSION failed (logs in $work)"
    }
    python_ok "$work/stage$PY3135_PREFIX/bin/python3" || {
        show_build_logs "$work"
        die "the Python $PY3135_VERSION build lacks one of: $PY3135_MODULES (a -dev package?)"
    }
    rm -rf "$PY3135_PREFIX"
    mv "$work/stage$PY3135_PREFIX" "$PY3135_PREFIX"
    printf '%s\n' "$PY3135_DEBIAN_VERSION" >"$PY3135_PREFIX/.e2ee-nvr-build"
    rm -rf "$work"
    note "Python $PY3135_VERSION ready in $((SECONDS - started)) s"
}

# ensure_python_3135: the cached interpreter if it was built from PY3135_DEBIAN_VERSION and still
# works, else a fresh build. E2EE_NVR_PYTHON3135 names an interpreter to use instead.
ensure_python_3135() {
    if [[ -n ${E2EE_NVR_PYTHON3135:-} ]]; then
        python_ok "$PY3135" || die "E2EE_NVR_PYTHON3135=$PY3135 does not import $PY3135_MODULES"
        return 0
    fi
    if [[ "$(cat "$PY3135_PREFIX/.e2ee-nvr-build" 2>/dev/null)" == "$PY3135_DEBIAN_VERSION" ]] &&
        python_ok "$PY3135"; then
        note "reusing Python $PY3135_VERSION in $PY3135_PREFIX"
        return 0
    fi
    build_python_3135
}

# ----------------------------------------------------------------------------- project venvs
# venv_stamp PYTHON LOCK VENV [PROJECT]: everything a venv's content depends on, hashed: the
# interpreter, uv and the lock; where it lives (a venv records its own absolute path: a moved
# clone rebuilds). With PROJECT also what the editable install depends on: the repo it points
# into, pyproject.toml, setup.py and the list of the installed packages' files (the strict
# editable install links each file, so a file added or removed needs a reinstall). The Home
# Assistant venvs install no project, so a git worktree that links .venv/ to the main checkout's
# shares them as they are instead of rebuilding them under another worktree's running tests.
venv_stamp() {
    {
        printf 'venv %s\nuv %s\npython %s ' "$(realpath -m "$3")" "$UV_VERSION" "$1"
        "$1" -c 'import sys; print(sys.version)'
        cat "$2"
        if [[ -n ${4:-} ]]; then
            printf 'repo %s\n' "$REPO_ROOT"
            cat "$REPO_ROOT/pyproject.toml" "$REPO_ROOT/setup.py"
            (cd "$REPO_ROOT" && find camera_agent custom_components/e2ee_nvr/protocol -type f \
                ! -path '*/__pycache__/*' | LC_ALL=C sort)
        fi
    } | sha256sum | cut -d' ' -f1
}

# ensure_venv NAME PYTHON LOCK [project]: .venv/NAME holding exactly LOCK, plus this project when
# the fourth argument is `project`. Only the 3.11 venv installs the project (the agent, and the
# protocol as `e2ee_nvr_protocol`); the Home Assistant venvs must not, so that the integration's
# tests only ever see the protocol as custom_components.e2ee_nvr.protocol (one import name per
# process, see pyproject.toml).
ensure_venv() {
    local name=$1 python=$2 lock=$3 project=${4:-}
    local venv="$REPO_ROOT/.venv/$name"
    local stamp_file="$venv/.e2ee-nvr-stamp"
    local stamp
    stamp=$(venv_stamp "$python" "$lock" "$venv" "$project")
    if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" && -x "$venv/bin/python" ]]; then
        note "reusing .venv/$name (stamp matches)"
        return 0
    fi

    local started=$SECONDS
    note "building .venv/$name from ${lock#"$REPO_ROOT/"} (stamp changed or venv missing)"
    rm -f "$stamp_file"
    "$UV" venv --quiet --clear --python "$python" "$venv"
    # sync, not install: a package dropped from the lock leaves the venv too.
    "$UV" pip sync --quiet --python "$venv/bin/python" "$lock"
    if [[ $project == project ]]; then
        # Strict editable mode: a tree of links under build/ rather than an import hook, so mypy
        # resolves `e2ee_nvr_protocol` to the very files in custom_components/e2ee_nvr/protocol/.
        rm -rf "$REPO_ROOT/build/__editable__."*
        "$UV" pip install --quiet --python "$venv/bin/python" --no-deps \
            --config-settings editable_mode=strict --editable "$REPO_ROOT"
    fi
    printf '%s\n' "$stamp" >"$stamp_file"
    note ".venv/$name ready in $((SECONDS - started)) s"
}

# ensure_frontend_deps: Node >= 20 and npm, Debian's chromium (never a downloaded browser), and
# frontend/node_modules from package-lock.json, npm ci again only when the lock or Node changed.
# Returns 1, with a note saying why, when something is missing.
ensure_frontend_deps() {
    local dir="$REPO_ROOT/frontend"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        ensure_apt nodejs npm
    fi
    ensure_apt chromium
    if (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
        note "Node $(node --version) is too old: vitest 4 needs Node >= 20"
        return 1
    fi
    local stamp stamp_file="$dir/node_modules/.e2ee-nvr-stamp"
    stamp=$({ node --version; cat "$dir/package-lock.json"; } | sha256sum | cut -d' ' -f1)
    if [[ ! -f $stamp_file || "$(cat "$stamp_file")" != "$stamp" ]]; then
        note "npm ci in frontend/ (package-lock.json or Node changed)"
        if ! (cd "$dir" && npm ci --no-audit --no-fund); then
            note "npm ci in frontend/ failed"
            return 1
        fi
        printf '%s\n' "$stamp" >"$stamp_file"
    fi
}

# install NAME...: the Debian packages, uv, and the named parts: the venvs py311, ha2025 and
# ha2026, and `frontend` (ensure_frontend_deps; a failure there is left to the stages and tests
# that need it, which fail saying so, rather than stopping every stage).
install() {
    stage "Install"
    # openssl: tests open the PKCS#12 backups with `openssl pkcs12`, as a user would.
    ensure_apt openssl ca-certificates
    # systemd-analyze: tests/addon checks the standalone agent's unit file with systemd's parser.
    ensure_apt systemd
    # tests/faults moves the agent's wall clock mid-run with Debian's libfaketime (LD_PRELOAD).
    ensure_apt faketime
    # Capture tests: real ffmpeg, and a GStreamer RTSP test camera run by /usr/bin/python3 (gi).
    ensure_apt ffmpeg python3-gst-1.0 gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 \
        gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
        gstreamer1.0-plugins-ugly gstreamer1.0-libav
    ensure_uv
    local name python
    for name in "$@"; do
        case $name in
            py311)
                python=$(python311)
                ensure_venv py311 "$python" "$REPO_ROOT/requirements/py311.txt" project
                ;;
            ha2025)
                python=$(python313)
                ensure_venv ha2025 "$python" "$REPO_ROOT/requirements/ha2025.txt"
                ;;
            ha2026)
                ensure_python_3135
                ensure_venv ha2026 "$PY3135" "$REPO_ROOT/requirements/ha2026.txt"
                ;;
            frontend) ensure_frontend_deps || note "frontend dependencies are missing (above)" ;;
            *) die "install: unknown part $name" ;;
        esac
    done
}
