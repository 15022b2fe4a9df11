#!/usr/bin/env bash
# Two "machines" for remote_failover_lab_test.cpp: directors d1 and d2 in
# namespaces P-d1/P-d2 (P: PREFIX, default h7r) that scripts/failover-lab
# --remote drives through `ip netns exec {host}` as it would drive real
# machines through ssh.
#
#   remote_machines.sh up DIR VIGILD [PREFIX]  namespaces, LANs, real server, configs
#   remote_machines.sh start NAME DIR  (inside NAME) links up, vigild unless running
#   remote_machines.sh kill NAME DIR   (inside NAME) SIGKILL vigild, links down;
#                                      notes when in DIR/kill.at (epoch)
#   remote_machines.sh skew NAME DIR MS  makes NAME's clock read MS ms ahead (or behind)
#   remote_machines.sh clock NAME DIR  NAME's clock for --clock: "EPOCH +HHMM", skewed
#   remote_machines.sh log NAME DIR    follows NAME's vigild log for --log, its
#                                      HH:MM:SS.mmm stamps skewed
#   remote_machines.sh down DIR        ends what DIR's pid files name; deletes namespaces
#
# The skew is how a machine with a wrong clock is faked: everything the lab
# reads of NAME's time (its clock and its log stamps) is MS ms off, as on a
# machine whose clock is; DIR/NAME.log keeps vigild's true stamps.
#
#   P-sw:   bridge brc  client LAN 10.87.1.0/24: cl .10, d1 .1, d2 .2, VIP .100
#           bridge brs  server LAN 10.87.2.0/24: d1 .1, d2 .2, rs .11; gateway .254
# There is no kernel IPVS here: each director DNATs VIP:9000 to rs:9000 with
# nftables, and the real server routes back through the floating gateway. A
# connection survives the takeover because the new master's conntrack picks
# it up mid-stream (nf_conntrack_tcp_loose) and NATs it to the same real
# server: the sessions figure of a hard failure is measurable without IPVS.
# A reply of the real server that reaches the new master before any client
# packet of its connection would be picked up un-NATed and make the client
# reset the connection, so replies outside a DNATed connection are dropped
# (the real server retransmits them).
# Each director also answers VIP:80 with its name, so polls show who holds
# the VIP. Every process is started here with its pid in DIR and ended by it.
set -euo pipefail
p=h7r
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../../.." && pwd)

plug() { # NODE IF BRIDGE ADDR
  ip -n "$p-sw" link add "$1$2" type veth peer name "$2" netns "$p-$1"
  ip -n "$p-sw" link set "$1$2" master "$3" up
  ip -n "$p-$1" addr add "$4" dev "$2"
  ip -n "$p-$1" link set "$2" up
}

spawn() { # DIR PIDNAME NS CMD...: a process in a session of its own
  local dir=$1 name=$2 ns=$3
  shift 3
  ip netns exec "$ns" setsid "$@" >"$dir/$name.out" 2>&1 </dev/null &
  echo $! >"$dir/$name.proc.pid"
}

config() { # NAME STATE PRIORITY
  cat <<CONF
global_defs {
    router_id $1
    dataplane none
    vip_lifetime 2
}
vrrp_instance VI_1 {
    state $2
    interface eth0
    virtual_router_id 87
    priority $3
    advert_int 0.1
    version 3
    virtual_ipaddress {
        10.87.1.100/24 dev eth0
        10.87.2.254/24 dev eth1
    }
}
CONF
}

up() {
  local dir=$1 n i
  echo "$2" >"$dir/vigild"
  echo "$p" >"$dir/prefix"
  for n in sw d1 d2 rs cl; do
    ip netns add "$p-$n"
    ip -n "$p-$n" link set lo up
  done
  for n in brc brs; do
    ip -n "$p-sw" link add "$n" type bridge
    ip -n "$p-sw" link set "$n" up
  done
  for i in 1 2; do
    plug "d$i" eth0 brc "10.87.1.$i/24"
    plug "d$i" eth1 brs "10.87.2.$i/24"
    ip netns exec "$p-d$i" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_tcp_be_liberal=1
    ip netns exec "$p-d$i" nft -f - <<NFT
table ip ${p}nat {
    chain pre { type nat hook prerouting priority -100; ip daddr 10.87.1.100 tcp dport 9000 dnat to 10.87.2.11:9000; }
    chain replies { type filter hook forward priority 0; iifname "eth1" ct status ! dnat drop; }
}
NFT
    spawn "$dir" "web-d$i" "$p-d$i" python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(64)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[1].encode() + b"\n"); c.close()' "d$i"
  done
  config d1 MASTER 150 >"$dir/d1.conf"
  config d2 BACKUP 100 >"$dir/d2.conf"
  plug rs eth0 brs 10.87.2.11/24
  ip -n "$p-rs" route add default via 10.87.2.254
  spawn "$dir" echo-rs "$p-rs" python3 "$src/tests/vm/data/failover_tcp.py" echo 0.0.0.0 9000
  plug cl eth0 brc 10.87.1.10/24
}

running() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() { # runs inside the director's namespace
  local name=$1 dir=$2
  ip link set eth0 up
  ip link set eth1 up
  running "$dir/$name.pid" && return 0
  setsid "$(cat "$dir/vigild")" -n -l -f "$dir/$name.conf" -p "$dir/$name.pid" \
    -r "$dir/$name-vrrp.pid" -c "$dir/$name-check.pid" >>"$dir/$name.log" 2>&1 </dev/null &
  # Bounded: the pid file is how kill and down find this vigild.
  local i
  for ((i = 0; i < 100; i++)); do
    running "$dir/$name.pid" && return 0
    sleep 0.05
  done
  echo "vigild $name wrote no pid file" >&2
  return 1
}

kill_director() { # SIGKILL to the supervisor's group, then each process by pid
  local name=$1 dir=$2 f
  if running "$dir/$name.pid"; then kill -KILL -- "-$(cat "$dir/$name.pid")" 2>/dev/null || true; fi
  for f in "$dir/$name.pid" "$dir/$name-vrrp.pid" "$dir/$name-check.pid"; do
    if running "$f"; then kill -KILL "$(cat "$f")" 2>/dev/null || true; fi
  done
}

skew_ms() { cat "$2/$1.skew_ms" 2>/dev/null || echo 0; }

clock() { # NAME DIR
  date +'%s.%N %z' | awk -v ms="$(skew_ms "$1" "$2")" '{ printf "%.6f %s\n", $1 + ms / 1000, $2 }'
}

follow_log() { # NAME DIR: the log, each leading HH:MM:SS.mmm moved by the skew
  local skew l t
  skew=$(skew_ms "$1" "$2")
  tail -s 0.05 -n +1 -F "$2/$1.log" | while IFS= read -r l; do
    if [[ $l =~ ^([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})(\ .*)$ ]]; then
      t=$((((10#${BASH_REMATCH[1]} * 60 + 10#${BASH_REMATCH[2]}) * 60 + 10#${BASH_REMATCH[3]}) * 1000))
      t=$((((t + 10#${BASH_REMATCH[4]} + skew) % 86400000 + 86400000) % 86400000))
      l=$(printf '%02d:%02d:%02d.%03d%s' $((t / 3600000)) $((t / 60000 % 60)) \
        $((t / 1000 % 60)) $((t % 1000)) "${BASH_REMATCH[5]}")
    fi
    printf '%s\n' "$l"
  done
}

case $1 in
  up)
    p=${4:-$p}
    up "$2" "$3"
    ;;
  start) start "$2" "$3" ;;
  skew) echo "$4" >"$3/$2.skew_ms" ;;
  clock) clock "$2" "$3" ;;
  log) follow_log "$2" "$3" ;;
  kill)
    date +%s.%N >"$3/kill.at"
    kill_director "$2" "$3"
    ip link set eth0 down
    ip link set eth1 down
    ;;
  down)
    p=$(cat "$2/prefix" 2>/dev/null || echo "$p")
    for n in d1 d2; do kill_director "$n" "$2"; done
    for f in "$2"/*.proc.pid; do
      [[ -e $f ]] || continue
      kill -KILL "$(cat "$f")" 2>/dev/null || true
    done
    for n in sw d1 d2 rs cl; do ip netns del "$p-$n" 2>/dev/null || true; done
    ;;
  *) echo "usage: see the header of $0" >&2; exit 2 ;;
esac
