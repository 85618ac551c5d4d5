#!/usr/bin/env bash
# Private test networks for the partition end-to-end tests: N network namespaces ("hosts") on one bridge.
#
#   netns.sh check                      exit 0 if this process can create namespaces (root, iproute2), else say why
#   netns.sh create ID OCTET COUNT      namespaces crewp-ID-n1..nCOUNT, each with eth0 = 10.213.OCTET.(10+i)/24 and lo,
#                                       joined by bridge crewp-ID-br in the root namespace (veth crewp-ID-hI on the
#                                       bridge side); the bridge gets no address, so the root namespace cannot reach
#                                       the hosts and nothing is routed anywhere. Checks that every host reaches host 1.
#   netns.sh cut ID I                   pull host I's cable: set its bridge-side veth down
#   netns.sh restore ID I               plug it back in: set it up again
#   netns.sh exec ID I CMD...           run CMD in host I's namespace (same as ip netns exec crewp-ID-nI CMD...)
#   netns.sh destroy ID                 kill every process left in crewp-ID-* namespaces, delete them, the veths and
#                                       the bridge; safe to run more than once and on partial state
#   netns.sh selftest                   create, probe, cut, probe, restore, probe, destroy (with an EXIT trap)
#
# ID is [a-z0-9]{1,5} so that every interface name (crewp-ID-br, crewp-ID-hI) fits in 15 characters. Everything this
# script creates or deletes is named crewp-ID-*, so parallel runs with different IDs never touch each other.
# create and selftest undo their partial work on failure (EXIT trap).
set -uo pipefail

readonly PREFIX=crewp

die() {
    printf 'netns.sh: %s\n' "$*" >&2
    exit 1
}

check_id() {
    [[ ${1:-} =~ ^[a-z0-9]{1,5}$ ]] || die "bad ID '${1:-}': want 1 to 5 of [a-z0-9]"
}

ns_name() { printf '%s-%s-n%s' "$PREFIX" "$1" "$2"; }
veth_host() { printf '%s-%s-h%s' "$PREFIX" "$1" "$2"; }
veth_peer() { printf '%s-%s-p%s' "$PREFIX" "$1" "$2"; }
bridge_name() { printf '%s-%s-br' "$PREFIX" "$1"; }
host_ip() { printf '10.213.%s.%s' "$1" "$((10 + $2))"; }

cmd_check() {
    [ "$(id -u)" = 0 ] || die "not root (uid $(id -u)): cannot create network namespaces"
    command -v ip >/dev/null 2>&1 || die "no 'ip' command (iproute2) on PATH"
    ip netns list >/dev/null 2>&1 || die "'ip netns list' fails: no network namespace support"
    # A throwaway namespace proves we may really create one (a container may forbid it even as root).
    local probe
    probe="$PREFIX-chk$$-$RANDOM"
    probe="${probe:0:30}"
    if ! ip netns add "$probe" 2>/dev/null; then
        die "'ip netns add' is not permitted here"
    fi
    local ok=1
    ip link add "${PREFIX}-c$$" type veth peer name "${PREFIX}-d$$" 2>/dev/null || ok=0
    ip link del "${PREFIX}-c$$" 2>/dev/null
    ip netns del "$probe" 2>/dev/null
    [ "$ok" = 1 ] || die "cannot create veth pairs here"
    return 0
}

# probe NS IP: succeeds when IP answers from inside namespace NS. Port 9 (discard) is closed in our namespaces,
# so a reachable host answers with a reset at once ("Connection refused"); an unreachable one times out.
probe() {
    local ns="$1" ip="$2" out
    if out="$(ip netns exec "$ns" timeout 2 bash -c "exec 3<>/dev/tcp/$ip/9" 2>&1)"; then
        return 0 # something listens there: reachable all the same
    fi
    case "$out" in
        *"refused"*) return 0 ;;
    esac
    return 1 # timed out (no answer) or no route
}

cmd_create() {
    local id="$1" octet="$2" count="$3"
    check_id "$id"
    if ! [[ $octet =~ ^[0-9]{1,3}$ ]] || [ "$octet" -lt 1 ] || [ "$octet" -gt 254 ]; then
        die "bad OCTET '$octet' (1..254)"
    fi
    if ! [[ $count =~ ^[0-9]$ ]] || [ "$count" -lt 1 ]; then
        die "bad COUNT '$count' (1..9)"
    fi
    if ip link show "$(bridge_name "$id")" >/dev/null 2>&1; then
        die "bridge $(bridge_name "$id") exists already: ID in use"
    fi
    # Undo everything if any step fails.
    # shellcheck disable=SC2154 # rc is assigned inside the trap
    trap 'rc=$?; set +e; if [ "$rc" != 0 ]; then cmd_destroy "'"$id"'" >/dev/null 2>&1; fi' EXIT
    set -e
    local br i ns
    br="$(bridge_name "$id")"
    ip link add "$br" type bridge
    # No STP, no forwarding delay: ports forward as soon as they are up (also right after a restore).
    ip link set "$br" type bridge stp_state 0 forward_delay 0
    ip link set "$br" up
    for ((i = 1; i <= count; i++)); do
        ns="$(ns_name "$id" "$i")"
        ip netns add "$ns"
        ip link add "$(veth_host "$id" "$i")" type veth peer name "$(veth_peer "$id" "$i")"
        ip link set "$(veth_peer "$id" "$i")" netns "$ns"
        ip -n "$ns" link set "$(veth_peer "$id" "$i")" name eth0
        ip -n "$ns" addr add "$(host_ip "$octet" "$i")/24" dev eth0
        ip -n "$ns" link set lo up
        ip -n "$ns" link set eth0 up
        ip link set "$(veth_host "$id" "$i")" master "$br"
        ip link set "$(veth_host "$id" "$i")" up
    done
    set +e
    # Every host must reach host 1 (and host 1 the last one) before anyone relies on the network.
    local deadline=$((SECONDS + 10)) ok
    while :; do
        ok=1
        for ((i = 2; i <= count; i++)); do
            probe "$(ns_name "$id" "$i")" "$(host_ip "$octet" 1)" || ok=0
        done
        if [ "$count" -ge 2 ]; then
            probe "$(ns_name "$id" 1)" "$(host_ip "$octet" "$count")" || ok=0
        fi
        [ "$ok" = 1 ] && break
        if [ "$SECONDS" -ge "$deadline" ]; then
            printf 'netns.sh: hosts on bridge %s cannot reach each other (bridge netfilter? see sysctl net.bridge.bridge-nf-call-iptables)\n' "$br" >&2
            exit 1
        fi
        sleep 0.2
    done
    trap - EXIT
    for ((i = 1; i <= count; i++)); do
        printf '%s %s\n' "$(ns_name "$id" "$i")" "$(host_ip "$octet" "$i")"
    done
}

cmd_cut() {
    check_id "$1"
    ip link set "$(veth_host "$1" "$2")" down || die "cannot cut host $2 of $1"
}

cmd_restore() {
    check_id "$1"
    ip link set "$(veth_host "$1" "$2")" up || die "cannot restore host $2 of $1"
}

cmd_exec() {
    check_id "$1"
    local ns
    ns="$(ns_name "$1" "$2")"
    shift 2
    exec ip netns exec "$ns" "$@"
}

cmd_destroy() {
    local id="$1" ns pid link pids round
    check_id "$id"
    # 1. Processes still inside our namespaces (only the test's own children can be there): TERM, then KILL.
    for round in TERM KILL; do
        pids=""
        for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-$id-n[0-9]+$"); do
            pids="$pids $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
        done
        pids="$(printf '%s' "$pids" | xargs)"
        [ -z "$pids" ] && break
        # shellcheck disable=SC2086
        kill -"$round" $pids 2>/dev/null
        for _ in $(seq 1 50); do
            local alive=0
            for pid in $pids; do
                kill -0 "$pid" 2>/dev/null && alive=1
            done
            [ "$alive" = 0 ] && break
            sleep 0.1
        done
    done
    # 2. The namespaces (their veth ends go with them, and so do the bridge-side peers).
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-$id-n[0-9]+$"); do
        ip netns del "$ns" 2>/dev/null || printf 'netns.sh: could not delete namespace %s\n' "$ns" >&2
    done
    # 3. Any interface of ours still in the root namespace (veths whose namespace never got them, the bridge).
    for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^$PREFIX-$id-"); do
        ip link del "$link" 2>/dev/null
    done
    # 4. Report anything left.
    local left
    left="$( (ip netns list 2>/dev/null | awk '{print $1}'; ip -o link show 2>/dev/null | awk -F': ' '{print $2}') |
        sed 's/@.*//' | grep -E "^$PREFIX-$id-")"
    if [ -n "$left" ]; then
        printf 'netns.sh: left after destroy %s: %s\n' "$id" "$(printf '%s' "$left" | xargs)" >&2
        return 1
    fi
    return 0
}

cmd_selftest() {
    cmd_check || exit 1
    local id octet
    id="t$(printf '%04x' $((RANDOM % 65536)))"
    octet=$((100 + RANDOM % 150))
    trap 'cmd_destroy '"$id"'' EXIT
    ( cmd_create "$id" "$octet" 3 ) || die "create failed"
    probe "$(ns_name "$id" 2)" "$(host_ip "$octet" 3)" || die "2 -> 3 unreachable after create"
    cmd_cut "$id" 3
    if probe "$(ns_name "$id" 2)" "$(host_ip "$octet" 3)"; then die "2 -> 3 still reachable after cut"; fi
    probe "$(ns_name "$id" 2)" "$(host_ip "$octet" 1)" || die "2 -> 1 unreachable while 3 is cut"
    cmd_restore "$id" 3
    local deadline=$((SECONDS + 10))
    until probe "$(ns_name "$id" 2)" "$(host_ip "$octet" 3)"; do
        [ "$SECONDS" -lt "$deadline" ] || die "2 -> 3 unreachable after restore"
        sleep 0.2
    done
    printf 'netns.sh selftest: ok (id %s, 10.213.%s.0/24)\n' "$id" "$octet"
}

main() {
    local cmd="${1:-}"
    shift || true
    case "$cmd" in
        check) cmd_check ;;
        create) [ $# = 3 ] || die "usage: create ID OCTET COUNT"; cmd_create "$@" ;;
        cut) [ $# = 2 ] || die "usage: cut ID I"; cmd_cut "$@" ;;
        restore) [ $# = 2 ] || die "usage: restore ID I"; cmd_restore "$@" ;;
        exec) [ $# -ge 3 ] || die "usage: exec ID I CMD..."; cmd_exec "$@" ;;
        destroy) [ $# = 1 ] || die "usage: destroy ID"; cmd_destroy "$@" ;;
        selftest) cmd_selftest ;;
        *) die "usage: netns.sh check | create ID OCTET COUNT | cut ID I | restore ID I | exec ID I CMD... | destroy ID | selftest" ;;
    esac
}

main "$@"
