#!/bin/bash
# Captures VRRP adverts from the system keepalived into tests/data/vrrp/*.hex.
# Runs as root; everything lives in a network namespace this script creates
# and deletes. Each case runs one keepalived (VRRP only, -P) as MASTER for a
# few seconds, stops it with SIGTERM (so its priority-0 advert is captured
# too) and keeps every VRRP/AH packet seen on the veth end it sends from.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ns=vgcap$$
work=$(mktemp -d)
cleanup() {
  if [[ -f $work/kad.pid ]]; then kill "$(cat "$work/kad.pid")" 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add v0 type veth peer name v1
ip -n "$ns" link set v0 address 02:00:00:00:00:01
ip -n "$ns" link set v1 address 02:00:00:00:00:02
ip -n "$ns" addr add 10.9.0.1/24 dev v0
ip -n "$ns" -6 addr add fe80::1/64 dev v0 nodad
ip -n "$ns" link set v0 up
ip -n "$ns" link set v1 up
# The unicast peer: a neighbour entry only, so the advert leaves through v0.
ip -n "$ns" neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
sleep 1

# capture NAME CONFIG-BODY SECONDS
capture() {
  local name=$1 body=$2 secs=$3
  printf '%s\n' "global_defs {" "  router_id vgcap" "  enable_script_security" "}" "$body" >"$work/$name.conf"
  ip netns exec "$ns" tcpdump -i v0 -w "$work/$name.pcap" -U \
    'ip proto 112 or ip proto 51 or ip6 proto 112' 2>/dev/null &
  local tcpdump_pid=$!
  sleep 1
  ip netns exec "$ns" /usr/sbin/keepalived -n -l -P -f "$work/$name.conf" \
    -p "$work/kad.pid" -r "$work/vrrp.pid" >"$work/$name.log" 2>&1 &
  local kad_pid=$!
  sleep "$secs"
  kill -TERM "$kad_pid"
  wait "$kad_pid" || true
  rm -f "$work/kad.pid"
  sleep 1
  kill -INT "$tcpdump_pid"
  wait "$tcpdump_pid" || true
  python3 "$here/pcap_to_hex.py" "$work/$name.pcap" "$name" "$work/$name.conf" >"$here/$name.hex"
  grep -q 'Entering MASTER STATE' "$work/$name.log" || { cat "$work/$name.log" >&2; exit 1; }
}

capture v2_pass 'vrrp_instance VI_1 {
  state MASTER
  interface v0
  virtual_router_id 51
  priority 150
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret12
  }
  virtual_ipaddress {
    10.9.0.100/24
  }
}' 5

capture v2_noauth 'vrrp_instance VI_1 {
  state MASTER
  interface v0
  virtual_router_id 52
  priority 200
  advert_int 2
  virtual_ipaddress {
    10.9.0.101/24
    10.9.0.102/24
    192.168.77.1/32
  }
}' 9

capture v2_ah 'vrrp_instance VI_1 {
  state MASTER
  interface v0
  virtual_router_id 53
  priority 120
  advert_int 1
  authentication {
    auth_type AH
    auth_pass ahkey
  }
  virtual_ipaddress {
    10.9.0.103/24
  }
}' 5

capture v3_ipv4 'vrrp_instance VI_1 {
  state MASTER
  interface v0
  version 3
  virtual_router_id 54
  priority 100
  advert_int 0.25
  virtual_ipaddress {
    10.9.0.104/24
    10.9.0.105/24
  }
}' 3

capture v3_ipv6 'vrrp_instance VI_6 {
  state MASTER
  interface v0
  version 3
  virtual_router_id 55
  priority 180
  advert_int 1
  virtual_ipaddress {
    fe80::55/64
    2001:db8::55/64
  }
}' 5

capture v3_unicast 'vrrp_instance VI_U {
  state MASTER
  interface v0
  version 3
  virtual_router_id 56
  priority 90
  advert_int 1
  unicast_src_ip 10.9.0.1
  unicast_peer {
    10.9.0.2
  }
  virtual_ipaddress {
    10.9.0.106/24
  }
}' 5
