# shellcheck shell=bash
#
# What the tests need from the machine besides a JDK and Maven, sourced by bin/test.
#
#   crew_test_prereqs   install what is missing (as root, from Debian), or print one line naming it and exit 1
#
# The tests drive real tools: headless Chromium (the dashboard), tmux (coordinator top), Python's Prometheus
# text parser (/metrics), iproute2's ip (network namespaces for the partition test), util-linux's setsid
# (exec's process groups). No test skips itself when one is missing; this check runs first instead.
#
# Environment:
#   CREW_TEST_PREREQS=skip   do not check (a run of only the unit tests of one module, say)

# "what to look for|Debian package" pairs; what to look for is an executable path, or python3:MODULE.
CREW_TEST_TOOLS=(
    "/usr/bin/chromium|chromium"
    "/usr/bin/tmux|tmux"
    "python3:prometheus_client|python3-prometheus-client"
    "/usr/sbin/ip|iproute2"
    "/usr/bin/setsid|util-linux"
)

# crew_tool_present WHAT: 0 when WHAT (a path, or python3:MODULE for /usr/bin/python3's module) is there.
crew_tool_present() {
    case "$1" in
        python3:*)
            [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ${1#python3:}" >/dev/null 2>&1
            ;;
        *)
            [ -x "$1" ]
            ;;
    esac
}

# Prints the Debian packages whose tool is missing, one per line.
crew_missing_test_packages() {
    local entry
    for entry in "${CREW_TEST_TOOLS[@]}"; do
        crew_tool_present "${entry%%|*}" || printf '%s\n' "${entry##*|}"
    done
}

crew_test_prereqs() {
    [ "${CREW_TEST_PREREQS:-}" = skip ] && return 0
    local -a missing
    mapfile -t missing < <(crew_missing_test_packages)
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        crew_die "the tests need ${missing[*]} (Debian package names); install them, or run bin/test as root on Debian to have them installed"
    fi
    printf 'crew: installing what the tests need: %s\n' "${missing[*]}" >&2
    local log
    log="$(mktemp)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        "${missing[@]}"; } </dev/null >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        rm -f "$log"
        crew_die "could not install ${missing[*]} with apt-get (last lines above)"
    fi
    rm -f "$log"
    mapfile -t missing < <(crew_missing_test_packages)
    [ "${#missing[@]}" -eq 0 ] || crew_die "installed, but still missing: ${missing[*]}"
}
