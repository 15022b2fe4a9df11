#!/usr/bin/env bash
# Host packages the VM tier needs, on top of scripts/deps.sh. Sourced by
# tests/vm/run; safe to run again (skips apt when everything is present).
# The guest's own tools (kernel, busybox, ipvsadm) are not installed on the
# host: tests/vm/build-image downloads their .debs into the image cache.

VIGIL_VM_PACKAGES=(qemu-system-x86 python3 cpio xz-utils zstd)

vigil_vm_install_deps() {
  # ctest runs the vm tests two at a time (-j2): on a machine without qemu
  # the first one installs it while the others wait here, instead of failing
  # on dpkg's lock (seen on a fresh machine). apt-get also waits for a dpkg
  # lock held by anything else.
  local lock
  exec {lock}>/var/lock/vigil-vm-deps.lock
  if ! flock -w 900 "$lock"; then
    echo "== vm: another run held /var/lock/vigil-vm-deps.lock for 15 min" >&2
    exec {lock}>&-
    return 1
  fi
  local missing=() p status=0
  for p in "${VIGIL_VM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== vm: installing ${missing[*]}" >&2
    local apt=(apt-get -o DPkg::Lock::Timeout=600)
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || status=$?
  fi
  exec {lock}>&-
  return "$status"
}
