# Sourced by the set-up and test scripts: find_python X.Y prints the path of a CPython X.Y.
find_python() {
    local version=$1 var="PYTHON${1/./}" candidates=()
    [ -n "${!var:-}" ] && candidates+=("${!var}")
    candidates+=("python$version")
    if command -v pyenv >/dev/null 2>&1; then
        local root; root=$(pyenv root)
        for d in "$root"/versions/"$version".*; do [ -x "$d/bin/python$version" ] && candidates+=("$d/bin/python$version"); done
    fi
    for d in "$HOME"/.pyenv/versions/"$version".* /root/.pyenv/versions/"$version".*; do
        [ -x "$d/bin/python$version" ] && candidates+=("$d/bin/python$version")
    done
    local c
    for c in "${candidates[@]}"; do
        if "$c" -c "import sys, venv; assert '%d.%d' % sys.version_info[:2] == '$version'" >/dev/null 2>&1; then
            command -v "$c" 2>/dev/null || echo "$c"
            return 0
        fi
    done
    return 1
}
