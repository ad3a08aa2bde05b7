#!/bin/bash
# Tests/VM/run.sh - run a guest shell script inside a qemu VM (Debian's 6.1 kernel, TCG)
# that has the kernel's real gpio-sim and i2c-stub drivers, and exit with its status.
#
# usage: run.sh [-t SECONDS] GUEST_SCRIPT [ARGS...]
#
# The guest sees the host's root filesystem (virtio-9p, read-only, with a throw-away
# tmpfs overlay on top), so host binaries such as .build/debug/kizuna and /opt/swift's
# libraries run unchanged. Before GUEST_SCRIPT starts: gpio-sim.ko, i2c-stub
# (chip_addr=$KIZUNA_VM_I2C_ADDR, default 0x76) and i2c-dev are loaded, configfs, sysfs,
# proc, dev, debugfs mounted; /run is a fresh tmpfs (and /tmp, /var/tmp with
# KIZUNA_VM_ROOT=ro); the working directory is the caller's. GUEST_SCRIPT is run with /bin/sh (or directly if
# executable); helpers for it: . "$KIZUNA_VM_LIB" (Tests/VM/lib.sh).
# The guest console (script output included) is copied to stdout.
#
# Exit status: the guest script's exit status (0-255), or
#   124  the guest did not finish within the timeout
#   125  harness failure (qemu, boot, mounts, modules - see the output)
#
# Environment (host side):
#   KIZUNA_VM_OUT=DIR        host directory shared read-write at the same path in the guest
#                            (created if missing); guest results/logs go here
#   KIZUNA_VM_TIMEOUT=120    seconds before the VM is killed (also: -t SECONDS)
#   KIZUNA_VM_I2C_ADDR=0x76  i2c-stub chip addresses, comma-separated (max 10)
#   KIZUNA_VM_PASSENV="A B"  host variables to export into the guest script's environment
#   KIZUNA_VM_LOG=FILE       also write the console output to FILE
#   KIZUNA_VM_QUIET=1        do not copy the console to stdout (use with KIZUNA_VM_LOG)
#   KIZUNA_VM_MEM=512 KIZUNA_VM_SMP=1 KIZUNA_VM_CPU=qemu64   guest RAM (MiB), vCPUs, CPU model
#   KIZUNA_VM_ROOT=overlay|ro  writable throw-away root (default) or the bare read-only share
#   KIZUNA_VM_APPEND="..."   extra kernel command line
#   KIZUNA_VM_CACHE=/var/cache/kizuna-vm  KIZUNA_VM_KVER=...   see prepare.sh
set -eu -o pipefail
. "$(dirname "$0")/host-common.sh"

usage() { grep -m1 '^# usage:' "$0" | sed 's/^# //' >&2; exit 2; }
help() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
TIMEOUT=${KIZUNA_VM_TIMEOUT:-120}
while [ $# -gt 0 ]; do
	case $1 in
		-t) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift 2 ;;
		-h|--help) help; exit 0 ;;
		--) shift; break ;;
		-*) echo "run.sh: unknown option $1" >&2; usage ;;
		*) break ;;
	esac
done
[ $# -ge 1 ] || usage
case $TIMEOUT in ''|*[!0-9]*) die "timeout must be whole seconds, got '$TIMEOUT'" ;; esac

# Paths the guest replaces with its own tmpfs/proc/sys/dev: host files there are invisible.
# /tmp and /var/tmp are hidden only with KIZUNA_VM_ROOT=ro (the overlay root keeps them).
guest_hidden() {
	case $1 in /run|/run/*|/proc/*|/sys/*|/dev/*) return 0 ;; esac
	if [ "${KIZUNA_VM_ROOT:-overlay}" = ro ]; then case $1 in /tmp|/tmp/*|/var/tmp|/var/tmp/*) return 0 ;; esac; fi
	return 1
}

SCRIPT=$(realpath -e -- "$1" 2>/dev/null) || die "guest script '$1' not found"
shift
[ -f "$SCRIPT" ] && [ -r "$SCRIPT" ] || die "guest script '$SCRIPT' is not a readable file"
guest_hidden "$SCRIPT" && die "guest script '$SCRIPT' is under a path the guest replaces (/run; /tmp and /var/tmp with KIZUNA_VM_ROOT=ro); put it elsewhere"
guest_hidden "$KIZUNA_VM_DIR" && die "the harness ($KIZUNA_VM_DIR) is under a path the guest replaces (/run; /tmp with KIZUNA_VM_ROOT=ro)"

KVER=$(vm_kver)
if ! vm_cache_ready "$KVER"; then
	note "VM cache not ready for kernel '${KVER:-?}': running prepare.sh"
	"$KIZUNA_VM_DIR/prepare.sh" >&2 || die "prepare.sh failed"
	KVER=$(vm_kver)
	vm_cache_ready "$KVER" || die "VM cache still not ready after prepare.sh"
fi
C=$KIZUNA_VM_CACHE/$KVER

OUT=${KIZUNA_VM_OUT:-}
if [ -n "$OUT" ]; then
	mkdir -p -- "$OUT" || die "cannot create KIZUNA_VM_OUT=$OUT"
	OUT=$(realpath -e -- "$OUT")
	case $OUT in /proc/*|/sys/*|/dev/*) die "KIZUNA_VM_OUT=$OUT cannot be under /proc, /sys or /dev" ;; esac
fi
CWD=$PWD
guest_hidden "$CWD" && CWD=/

# ---- job directory: shared with the guest (9p tag kizunajob), holds env, args, status
JOB=$(mktemp -d "${TMPDIR:-/tmp}/kizuna-vm-job.XXXXXX")
QPID=
cleanup() { [ -n "$QPID" ] && kill -TERM "$QPID" 2>/dev/null; rm -rf "$JOB"; }
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

sq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }   # single-quote for sh
{
	echo "KIZUNA_VM_ROOT=$(sq "${KIZUNA_VM_ROOT:-overlay}")"
	echo "KIZUNA_VM_DIR=$(sq "$KIZUNA_VM_DIR")"
	echo "KIZUNA_VM_ENTRY=$(sq "$KIZUNA_VM_DIR/guest-entry.sh")"
	echo "KIZUNA_VM_SCRIPT=$(sq "$SCRIPT")"
	echo "KIZUNA_VM_OUT=$(sq "$OUT")"
	echo "KIZUNA_VM_CWD=$(sq "$CWD")"
	echo "KIZUNA_VM_I2C_ADDR=$(sq "${KIZUNA_VM_I2C_ADDR:-0x76}")"
	echo "KIZUNA_VM_CACHE=$(sq "$KIZUNA_VM_CACHE")"
} > "$JOB/env"
{
	printf 'set --'
	for a in "$@"; do printf ' %s' "$(sq "$a")"; done
	echo
} > "$JOB/args"
: > "$JOB/passenv"
for v in ${KIZUNA_VM_PASSENV:-}; do
	case $v in ''|[0-9]*|*[!A-Za-z0-9_]*) die "KIZUNA_VM_PASSENV: bad variable name '$v'" ;; esac
	[ -n "${!v+set}" ] && echo "export $v=$(sq "${!v}")" >> "$JOB/passenv"
done

# ---- qemu
SHARE="security_model=none,multidevs=remap"
# shellcheck disable=SC2054  # commas inside qemu option values, not array separators
QEMU=(qemu-system-x86_64
	-accel tcg -machine pc -cpu "${KIZUNA_VM_CPU:-qemu64}"
	-m "${KIZUNA_VM_MEM:-512}" -smp "${KIZUNA_VM_SMP:-1}"
	-nodefaults -no-user-config -display none -serial stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-fsdev "local,id=hostroot,path=/,readonly=on,$SHARE" -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=job,path=$JOB,$SHARE" -device virtio-9p-pci,fsdev=job,mount_tag=kizunajob
	-kernel "$C/vmlinux" -initrd "$C/initramfs.cpio.gz"
	-append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init ${KIZUNA_VM_APPEND:-}")
if [ -n "$OUT" ]; then
	# shellcheck disable=SC2054
	QEMU+=(-fsdev "local,id=out,path=$OUT,$SHARE" -device virtio-9p-pci,fsdev=out,mount_tag=kizunaout)
fi

# console: qemu -> fifo -> (strip CRs) -> console.log [+ stdout]
mkfifo "$JOB/console"
if [ "${KIZUNA_VM_QUIET:-0}" = 1 ]; then
	sed -u 's/\r$//' < "$JOB/console" > "$JOB/console.log" &
else
	sed -u 's/\r$//' < "$JOB/console" | tee "$JOB/console.log" &
fi
READER=$!
T0=$(date +%s%N)
timeout -k 5 "$TIMEOUT" "${QEMU[@]}" < /dev/null > "$JOB/console" 2>&1 &
QPID=$!
QRC=0; wait "$QPID" || QRC=$?
QPID=
wait "$READER" || true
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
[ -n "${KIZUNA_VM_LOG:-}" ] && cp "$JOB/console.log" "$KIZUNA_VM_LOG"

# ---- verdict: the guest writes its exit status to the job share (reliable, full 0-255);
# isa-debug-exit + the console marker are the fallback.
STATUS=$(cat "$JOB/status" 2>/dev/null || true)
if [ -z "$STATUS" ] && [ $((QRC % 2)) = 1 ] && [ "$QRC" -lt 256 ]; then
	M=$(sed -n 's/.*KIZUNA_VM_EXIT=\([0-9][0-9]*\)$/\1/p' "$JOB/console.log" | tail -n 1)
	[ -n "$M" ] && STATUS=$(( (QRC - 1) / 2 ))
	[ -n "$M" ] && [ "$STATUS" = 127 ] && STATUS=$M
fi
case $STATUS in
	[0-9]|[0-9][0-9]|[0-9][0-9][0-9])
		note "guest exit status $STATUS ($((MS / 1000)).$(printf %03d $((MS % 1000))) s, kernel $KVER)"
		exit "$STATUS" ;;
esac
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
	note "error: guest timed out after ${TIMEOUT}s (raise with -t or KIZUNA_VM_TIMEOUT)"
	exit 124
fi
note "error: no verdict from the guest (qemu exit status $QRC after $MS ms; 0 = powered off or kernel panic)"
exit 125
