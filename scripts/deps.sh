#!/usr/bin/env bash
# Installs the Debian packages vigil builds and tests with. Sourced by
# scripts/test, scripts/demo and scripts/fuzz; safe to run again (skips apt
# when everything is present).
set -euo pipefail

VIGIL_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang-14 libclang-rt-14-dev clang-format clang-tidy
  libnl-3-dev libnl-route-3-dev libnl-genl-3-dev
  libcurl4-openssl-dev libssl-dev libsystemd-dev libpcre2-dev
  libgtest-dev libgmock-dev googletest
  nlohmann-json3-dev libfmt-dev
  iproute2 procps psmisc time nftables ethtool python3 openssl
  python3-prometheus-client
  keepalived
  libsnmp-dev snmpd snmp snmptrapd
)

vigil_install_deps() {
  local missing=()
  for p in "${VIGIL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  vigil_install_promtool
  # Debian starts keepalived after installing it; vigil only uses its binary
  # (as an interop peer and for benchmarks), never the system service.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet keepalived 2>/dev/null; then
    systemctl stop keepalived || true
    systemctl disable keepalived >/dev/null 2>&1 || true
  fi
}

# promtool (Prometheus' own metrics linter) for the /metrics tests. Debian
# ships it only inside the `prometheus` package, whose install would start a
# Prometheus server: fetch the .deb instead and take usr/bin/promtool alone
# (a static Go binary) into a cache outside the work tree. Skipped when it is
# already there; a failed fetch only warns (the test then says it skipped).
VIGIL_PROMTOOL=/var/cache/vigil/promtool/promtool
export VIGIL_PROMTOOL

vigil_install_promtool() {
  [[ -x $VIGIL_PROMTOOL ]] && return 0
  local dir work
  dir=$(dirname "$VIGIL_PROMTOOL")
  work=$(mktemp -d)
  chmod 755 "$work" # apt-get download runs as _apt
  # A machine whose packages were all present never ran apt-get update here.
  if (cd "$work" && { apt-get download -qq prometheus >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get download -qq prometheus >/dev/null 2>&1; }; } &&
    dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x ./usr/bin/promtool); then
    mkdir -p "$dir"
    install -m 755 "$work/usr/bin/promtool" "$VIGIL_PROMTOOL"
    echo "== promtool: $("$VIGIL_PROMTOOL" --version 2>&1 | head -1)"
  else
    echo "warning: could not fetch promtool (apt-get download prometheus)" >&2
  fi
  rm -rf "$work"
}

# vigil_build DIR [cmake args...] [-- targets...]: configure and build with
# two jobs (CI has two cores).
vigil_build() {
  local dir=$1
  shift
  local args=() targets=()
  while (($#)); do
    if [[ $1 == -- ]]; then
      shift
      targets=("$@")
      break
    fi
    args+=("$1")
    shift
  done
  cmake -S "$VIGIL_ROOT" -B "$dir" -G Ninja "${args[@]}" >/dev/null
  ninja -C "$dir" -j2 "${targets[@]}"
}

VIGIL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VIGIL_ROOT
