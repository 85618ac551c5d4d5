# shellcheck shell=bash
#
# A private Docker engine for the deploy tests, sourced by deploy/test/compose:
#
#   crew_engine_start DIR   installs docker.io if needed, starts dockerd with all its state under DIR and its own
#                           socket (exported as DOCKER_HOST); no iptables rules, no masquerading, no docker0 bridge
#   crew_engine_stop        removes every container left, stops that dockerd by its PID and waits for it
#
# CREW_DOCKER is set to Debian's docker client, which matches the engine's API.

crew_apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    echo "installing ${missing[*]} from Debian"
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
        "${missing[@]}" >/dev/null
}

crew_engine_start() {
    CREW_ENGINE_DIR="$1"
    crew_apt_install docker.io
    CREW_DOCKER=/usr/bin/docker
    mkdir -p "$CREW_ENGINE_DIR"
    export DOCKER_HOST="unix://$CREW_ENGINE_DIR/docker.sock"
    dockerd --iptables=false --ip-masq=false --bridge=none \
        --data-root "$CREW_ENGINE_DIR/data" --exec-root "$CREW_ENGINE_DIR/exec" \
        --pidfile "$CREW_ENGINE_DIR/dockerd.pid" --host "$DOCKER_HOST" \
        >"$CREW_ENGINE_DIR/dockerd.log" 2>&1 &
    CREW_ENGINE_PID=$!
    local deadline=$((SECONDS + 60))
    until "$CREW_DOCKER" info >/dev/null 2>&1; do
        if ! kill -0 "$CREW_ENGINE_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 20 "$CREW_ENGINE_DIR/dockerd.log" >&2
            echo "dockerd did not start" >&2
            return 1
        fi
        sleep 0.5
    done
}

crew_engine_stop() {
    [ -n "${CREW_ENGINE_PID:-}" ] || return 0
    local left
    left="$("$CREW_DOCKER" ps -aq 2>/dev/null || true)"
    if [ -n "$left" ]; then
        # shellcheck disable=SC2086 # one id per word
        "$CREW_DOCKER" rm -f $left >/dev/null 2>&1 || true
    fi
    kill -TERM "$CREW_ENGINE_PID" 2>/dev/null || true
    wait "$CREW_ENGINE_PID" 2>/dev/null || true
    CREW_ENGINE_PID=""
}
