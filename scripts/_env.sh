# shellcheck shell=bash
# Shared by scripts/demo, scripts/test and .ci/run (sourced, not run): a virtualenv with the project in it.
#
#   PYTHON   interpreter that creates the venv (default python3), e.g. PYTHON=python3.13
#   VENV     where the venv lives, relative to the repository (default .venv), e.g. VENV=.venv-py313
#   EXTRA_REQUIREMENTS  extra pip requirement specs, e.g. EXTRA_REQUIREMENTS="django>=6.1,<6.2"
#
# Fast when already set up: pip runs only when pyproject.toml, the example site's requirements, the
# interpreter or EXTRA_REQUIREMENTS changed since the last install (a stamp file in the venv records them).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
case "$VENV" in
    /*) ;;
    *) VENV="$REPO_ROOT/$VENV" ;;
esac
EXTRA_REQUIREMENTS="${EXTRA_REQUIREMENTS:-}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

caseflow_log() {
    printf '==> %s\n' "$*" >&2
}

# PYTHON as given when it runs; otherwise, for a name like python3.13, pyenv's build of that version (pyenv
# puts a shim for every installed version on PATH, but the shim only runs the versions selected globally).
caseflow_resolve_python() {
    if "$PYTHON" -V >/dev/null 2>&1; then
        return 0
    fi
    local name="${PYTHON##*/}" version candidate
    version="${name#python}"
    if [[ "$version" =~ ^3\.[0-9]+$ ]]; then
        for candidate in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/$version".*/bin/"python$version"; do
            if [ -x "$candidate" ] && "$candidate" -V >/dev/null 2>&1; then
                caseflow_log "Using $candidate for $PYTHON"
                PYTHON="$candidate"
                return 0
            fi
        done
    fi
    echo "error: $PYTHON does not run here (set PYTHON=... to an interpreter that does)" >&2
    return 1
}

caseflow_ensure_venv() {
    caseflow_resolve_python || return 1
    local wanted_version have_version=""
    wanted_version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    if [ -x "$VENV/bin/python" ]; then
        have_version="$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
    fi
    if [ "$have_version" != "$wanted_version" ]; then
        # Missing, broken, or made by another Python: start again rather than mix interpreters.
        caseflow_log "Creating $VENV with $PYTHON ($wanted_version)"
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
    fi

    local stamp="$VENV/.caseflow-installed" wanted_stamp
    wanted_stamp="$(
        {
            cat "$REPO_ROOT/pyproject.toml" "$REPO_ROOT/example_site/requirements.txt"
            echo "$EXTRA_REQUIREMENTS"
            "$VENV/bin/python" -VV
            echo "$REPO_ROOT"
        } | sha256sum | cut -d' ' -f1
    )"
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted_stamp" ]; then
        caseflow_log "Installing caseflow-wagtail (editable) with its test and example-site requirements into $VENV"
        local -a extra=()
        if [ -n "$EXTRA_REQUIREMENTS" ]; then
            read -r -a extra <<<"$EXTRA_REQUIREMENTS"
        fi
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet \
            -e "${REPO_ROOT}[test]" \
            -r "$REPO_ROOT/example_site/requirements.txt" \
            ${extra[@]+"${extra[@]}"}
        echo "$wanted_stamp" >"$stamp"
    fi
}

caseflow_ensure_chromium() {
    # Browser tests drive Debian's Chromium through Playwright; Playwright cannot download its own here.
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        caseflow_log "Installing Chromium for the browser tests (apt-get install chromium)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "note: /usr/bin/chromium is missing and this is not root, so the browser tests will be skipped." >&2
        echo "      Install it with: sudo apt-get install chromium" >&2
    fi
}

# What WeasyPrint (invoice and receipt PDFs) loads from the system: Pango, HarfBuzz's subsetter and a font.
CASEFLOW_PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

caseflow_ensure_pdf_libs() {
    local package missing=()
    for package in "${CASEFLOW_PDF_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        caseflow_log "Installing the libraries WeasyPrint needs for PDFs (apt-get install ${missing[*]})"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "note: ${missing[*]} missing and this is not root: invoice and receipt PDFs cannot be rendered." >&2
        echo "      Install them with: sudo apt-get install ${CASEFLOW_PDF_PACKAGES[*]}" >&2
    fi
}
