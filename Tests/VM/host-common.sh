# shellcheck shell=bash
# Tests/VM/host-common.sh - shared host-side definitions for prepare.sh and run.sh.
# Sourced (bash), never run. Everything the harness builds lives in the cache dir,
# outside the git repository, keyed by the guest kernel version (KVER).

KIZUNA_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KIZUNA_VM_CACHE=${KIZUNA_VM_CACHE:-/var/cache/kizuna-vm}

die()  { echo "kizuna-vm: error: $*" >&2; exit 1; }
note() { echo "kizuna-vm: $*" >&2; }

# Guest kernel version: the ABI name Debian's linux-image-amd64 metapackage points at
# (e.g. 6.1.0-56-amd64), else the newest /lib/modules entry. KIZUNA_VM_KVER overrides.
# Note: this is NOT `uname -r` - the host may run any kernel; the guest runs Debian's.
vm_kver() {
	if [ -n "${KIZUNA_VM_KVER:-}" ]; then echo "$KIZUNA_VM_KVER"; return; fi
	local dep k
	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null || true)
	k=${dep%%[ ,]*}                      # "linux-image-6.1.0-56-amd64 (= ...)" -> first word
	k=${k#linux-image-}
	if [ -n "$k" ] && [ -d "/lib/modules/$k" ]; then echo "$k"; return; fi
	ls /lib/modules 2>/dev/null | sort -V | tail -n 1
}

# Version stamp of the initramfs: recipe revision (bump it when prepare.sh changes what goes
# in) + kernel + PID-1 script + the gpio-sim.ko inside it.
INITRAMFS_RECIPE=2
vm_initramfs_key() {   # KVER
	local c=$KIZUNA_VM_CACHE/$1
	{ echo "recipe=$INITRAMFS_RECIPE kver=$1"; sha256sum "$KIZUNA_VM_DIR/initramfs-init" | cut -d' ' -f1
	  sha256sum "$c/gpio-sim.ko" 2>/dev/null | cut -d' ' -f1; } | sha256sum | cut -c1-16
}

# True when everything run.sh needs for KVER is in the cache and current.
vm_cache_ready() {     # KVER
	local c=$KIZUNA_VM_CACHE/$1
	[ -n "$1" ] && [ -s "$c/vmlinux" ] && [ -s "$c/gpio-sim.ko" ] && [ -s "$c/initramfs.cpio.gz" ] &&
		[ "$(cat "$c/initramfs.key" 2>/dev/null)" = "$(vm_initramfs_key "$1")" ] &&
		command -v qemu-system-x86_64 >/dev/null
}
