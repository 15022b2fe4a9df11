#!/usr/bin/env bash
# Host packages the VM tier needs, on top of scripts/deps.sh. Sourced by
# tests/vm/run; safe to run again (skips apt when everything is present).
# The guest's own tools (kernel, busybox, ipvsadm) are not installed on the
# host: tests/vm/build-image downloads their .debs into the image cache.

VIGIL_VM_PACKAGES=(qemu-system-x86 python3 cpio xz-utils zstd)

vigil_vm_install_deps() {
  local missing=() p
  for p in "${VIGIL_VM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== vm: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
