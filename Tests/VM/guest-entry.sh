#!/bin/sh
# Tests/VM/guest-entry.sh - stage 2 of the guest boot; runs INSIDE the VM as root, chrooted
# into the host's root filesystem (see initramfs-init). Not meant to be run on the host.
#
# Mounts configfs/debugfs, checks that gpio-sim, i2c-stub and i2c-dev are there (the
# initramfs loaded them), exports the KIZUNA_VM_* variables, then exec's the guest
# script with its arguments. Its exit status becomes run.sh's exit status.
set -u
JOB=/run/kizuna-vm
fail() { echo "kizuna-vm: harness error: $*"; exit 125; }

. "$JOB/env" || fail "cannot read $JOB/env"

grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs configfs /sys/kernel/config ||
	fail "mounting configfs failed"
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -d /sys/kernel/config/gpio-sim ] || fail "gpio-sim is not loaded (no /sys/kernel/config/gpio-sim)"

[ -d /sys/module/i2c_stub ] || fail "i2c-stub is not loaded"
[ -d /sys/class/i2c-dev ] || fail "i2c-dev is not loaded"

export KIZUNA_VM=1 KIZUNA_VM_DIR KIZUNA_VM_LIB="$KIZUNA_VM_DIR/lib.sh" KIZUNA_VM_OUT KIZUNA_VM_I2C_ADDR \
	KIZUNA_VM_CACHE KIZUNA_VM_SCRIPT
[ -f "$JOB/passenv" ] && . "$JOB/passenv"      # exports of KIZUNA_VM_PASSENV variables

cd "$KIZUNA_VM_CWD" 2>/dev/null || cd /
. "$JOB/args" || fail "cannot read $JOB/args"   # set -- 'arg1' 'arg2' ...
echo "kizuna-vm[$(cut -d' ' -f1 /proc/uptime)s]: modules loaded, running $KIZUNA_VM_SCRIPT $*"
if [ -x "$KIZUNA_VM_SCRIPT" ]; then
	exec "$KIZUNA_VM_SCRIPT" "$@"
fi
exec /bin/sh "$KIZUNA_VM_SCRIPT" "$@"
