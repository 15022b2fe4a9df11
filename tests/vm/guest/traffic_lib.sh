# shellcheck shell=bash disable=SC2016,SC2034
# Helpers for the VM tier's traffic tests (tests/vm/ipvs_traffic.sh): name
# servers on real servers, requests from a client namespace, and polling the
# kernel's IPVS table. Source after "$VM_LIB".

# traffic_httpd NS NAME: busybox httpd on port 80 in NS answering every
# request with NAME (one line). It runs in the foreground (-f) of a
# background job; `ip netns exec` execs it, so $traffic_pid is httpd's own PID.
traffic_httpd() {
  local ns=$1 name=$2
  mkdir -p "/tmp/www-$name"
  echo "$name" >"/tmp/www-$name/index.html"
  ip netns exec "$ns" busybox httpd -f -p 0.0.0.0:80 -h "/tmp/www-$name" </dev/null >/dev/null 2>&1 &
  traffic_pid=$!
}

# traffic_requests NS ADDR COUNT [PORT]: COUNT sequential HTTP/1.0 requests
# to ADDR:PORT (default 80) from NS, each on a new connection, in one bash
# process (bash's /dev/tcp: no fork per request, which under TCG costs about
# a second). Prints the answers (the body's last line) on one line,
# space-separated, "-" for a request that failed. Bounded: 5 s per request.
traffic_requests() {
  vm_nsx "$1" timeout $((5 * $3)) bash -c '
    addr=$1 count=$2 port=$3 out=()
    for ((i = 0; i < count; i++)); do
      answer=-
      {
        printf "GET / HTTP/1.0\r\nHost: %s\r\n\r\n" "$addr" >&3
        while IFS= read -r -t 5 line <&3 || [[ -n $line ]]; do
          answer=${line%$'"'"'\r'"'"'}
          line=""
        done
      } 3<>"/dev/tcp/$addr/$port" 2>/dev/null
      out+=("$answer")
    done
    echo "${out[*]}"' _ "$2" "$3" "${4:-80}"
}

# traffic_assert_rr LABEL "ANSWERS" A B: the answers alternate strictly
# between A and B (round-robin over two destinations), so each answered
# half the requests.
traffic_assert_rr() {
  local label=$1 answers=$2 a=$3 b=$4 prev="" w na=0 nb=0
  for w in $answers; do
    case $w in
      "$a") na=$((na + 1)) ;;
      "$b") nb=$((nb + 1)) ;;
      *) vm_fail "$label: unexpected answer '$w' in: $answers" ;;
    esac
    [[ $w != "$prev" ]] || vm_fail "$label: '$w' answered twice in a row (not round-robin): $answers"
    prev=$w
  done
  ((na > 0 && nb > 0 && na - nb <= 1 && nb - na <= 1)) ||
    vm_fail "$label: $a answered $na, $b answered $nb: $answers"
  vm_log "$label: $a $na, $b $nb, alternating"
}

# traffic_table_has NS SERVICE DEST...: `ipvsadm -Ln` in NS lists SERVICE
# (e.g. "TCP  10.0.1.100:80 rr") with exactly the destinations DEST, each
# given as "ADDR:PORT FORWARD WEIGHT" (e.g. "10.0.2.11:80 Masq 1"), in any
# order (the kernel lists the newest destination first).
traffic_table_has() {
  local ns=$1 service=$2 table got want
  shift 2
  table=$(vm_nsx "$ns" ipvsadm -Ln) || return 1
  got=$(awk -v svc="$service" '
    /^(TCP|UDP|SCTP|FWM) / { inside = ($0 == svc || index($0, svc " ") == 1); next }
    inside && $1 == "->" { print $2, $3, $4 }' <<<"$table" | sort)
  want=$(printf '%s\n' "$@" | sort)
  [[ $got == "$want" ]]
}

# A topology is described first and set up at once by traffic_apply, in one
# `ip -batch` for the root namespace and one per namespace: under TCG every
# exec costs tens of milliseconds (seconds on a loaded host), and the vm_*
# helpers spend several per interface.
#   traffic_netns NAME...           namespaces, loopback up
#   traffic_bridge NAME             a bridge in the root namespace, up
#   traffic_plug NS IF ADDR BRIDGE  veth NS:IF (ADDR) <-> root NS-IF on BRIDGE
#   traffic_in NS IP-ARGS...        one more `ip` command in NS ("route add ...")
traffic_root=()
traffic_order=()
declare -A traffic_cmds
traffic_netns() {
  local ns
  for ns; do
    traffic_root=("netns add $ns" "${traffic_root[@]}")
    traffic_order+=("$ns")
    traffic_cmds[$ns]="link set lo up"$'\n'
  done
}
traffic_bridge() { traffic_root+=("link add $1 type bridge" "link set $1 up"); }
traffic_plug() {
  traffic_root+=("link add $1-$2 type veth peer name $2 netns $1" "link set $1-$2 master $4 up")
  traffic_in "$1" link set "$2" up
  traffic_in "$1" addr add "$3" dev "$2"
}
traffic_in() {
  local ns=$1
  shift
  traffic_cmds[$ns]+="$*"$'\n'
}
# The NAT server LAN of the traffic tests: bridge brs with the director d
# (eth1, 10.0.2.1, the real servers' default gateway, so their replies come
# back through d to be un-NATed) and rs1, rs2 at 10.0.2.11 and .12. Queued
# like the calls it makes; traffic_apply runs it.
traffic_nat_server_lan() {
  traffic_bridge brs
  traffic_plug d eth1 10.0.2.1/24 brs
  traffic_plug rs1 eth0 10.0.2.11/24 brs
  traffic_plug rs2 eth0 10.0.2.12/24 brs
  traffic_in rs1 route add default via 10.0.2.1
  traffic_in rs2 route add default via 10.0.2.1
}
traffic_apply() {
  local ns
  printf '%s\n' "${traffic_root[@]}" | ip -batch -
  for ns in "${traffic_order[@]}"; do
    printf '%s' "${traffic_cmds[$ns]}" | ip -n "$ns" -batch -
  done
}
