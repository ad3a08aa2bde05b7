#!/bin/sh
# Tests/Packaging/systemd-guest.sh - guest script for Tests/VM/run.sh (Tests/Packaging/run.sh
# calls it): installs the .deb in the qemu guest, starts systemd there as PID 1 of a new
# PID namespace, and runs kizuna.service as shipped (all of its sandboxing) against a
# gpio-sim chip.
# usage (host): Tests/VM/run.sh Tests/Packaging/systemd-guest.sh KIZUNA.deb
#
# The test drop-in changes only what a VM needs: the qemu-gpio-sim config, --walk-test
# (the buzzer follows the PIR, so the GPIO round trip shows), logs to a file (no journald
# here), no boot-time dependencies. Type=notify and the watchdog stay as shipped when the
# binary speaks sd_notify (it names NOTIFY_SOCKET); until then the drop-in says Type=exec.
. "$KIZUNA_VM_LIB"
DEB=$1
OUT=$KIZUNA_VM_OUT
NAMES="PIR_LIVING PIR_KITCHEN PIR_BEDROOM PIR_BATHROOM PIR_ENTRANCE DOOR_ENTRANCE BUTTON_HELP BUZZER LED_STATUS - - - - - - -"
PIR=0 BUZZER=7

dpkg -i --force-depends "$DEB" > "$OUT/dpkg.log" 2>&1
vm_check "dpkg -i in the guest" test $? = 0
cat > /etc/kizuna/kizuna.yaml <<'EOF'
device: { id: kz-vm, flat: vm-1 }
board: qemu-gpio-sim
sensors:
  pir.living:    { line: PIR_LIVING }
  door.entrance: { line: DOOR_ENTRANCE }
outputs:
  buzzer:     { line: BUZZER }
store: { path: /var/lib/kizuna/kizuna.sqlite }
EOF
notify=no
grep -q NOTIFY_SOCKET /usr/bin/kizuna && notify=yes
vm_log "binary speaks sd_notify: $notify"
mkdir -p /etc/systemd/system/kizuna.service.d
{
	echo "[Unit]"
	echo "DefaultDependencies=no"
	echo "[Service]"
	[ $notify = yes ] || printf 'Type=exec\nWatchdogSec=0\n'
	echo "ExecStart="
	echo "ExecStart=/usr/bin/kizuna run --config /etc/kizuna/kizuna.yaml --walk-test"
	echo "StandardOutput=append:$OUT/kizuna.log"
	echo "StandardError=append:$OUT/kizuna.log"
} > /etc/systemd/system/kizuna.service.d/vm.conf
printf '[Unit]\nDefaultDependencies=no\nWants=kizuna.service\n' > /etc/systemd/system/kz-test.target

# (systemd logs to the kernel log: dmesg)
unshare --pid --fork --mount-proc /lib/systemd/systemd --system --unit=kz-test.target \
	--log-target=kmsg > /dev/null 2>&1 &
U=$!
vm_wait 10 test -n "$(cat /proc/$U/task/$U/children 2>/dev/null)"
SD=$(cat /proc/$U/task/$U/children | cut -d' ' -f1)
# systemd's PID namespace (its own /proc): systemctl, and the service's PIDs, are there.
in_ns() { SYSTEMD_IGNORE_CHROOT=1 nsenter -t "$SD" -p -m -r -w "$@"; }
sctl() { in_ns systemctl --no-pager "$@"; }
prop() { sctl show kizuna.service -p "$1" --value; }
vm_wait 30 test -S /run/systemd/private || { vm_log "systemd did not come up"; vm_finish; }

# No gpio-sim chip yet: exit 69, and systemd keeps trying.
restarted() { [ "$(prop NRestarts)" -ge "$1" ]; }
vm_check "no chip: systemd restarts it" vm_wait 30 restarted 1
exited_69() { dmesg | grep -q 'kizuna.service: Main process exited, code=exited, status=69'; }
vm_check "no chip: the service exited 69" vm_wait 10 exited_69

# The chip appears (and gets the group 60-kizuna.rules gives it): the service comes up
# on its own at the next retry.
# shellcheck disable=SC2086
gpiosim_create kz kizuna-gpio-sim 16 $NAMES || vm_finish
chgrp kizuna "/dev/$GPIOSIM_CHIP" && chmod 0660 "/dev/$GPIOSIM_CHIP"
vm_check "the service takes the lines once the chip is there" gpiosim_wait_requested $PIR 30
vm_wait 10 test "$(prop ActiveState)" = active
vm_check_eq "$(prop ActiveState)" active "kizuna.service is active"
vm_check_eq "$(prop StartLimitIntervalUSec)" 0 "no start limit"

gpiosim_pull $PIR up
vm_check "under the sandbox: PIR up, buzzer on (walk test)" gpiosim_wait_value $BUZZER 1 5
gpiosim_pull $PIR down
vm_check "under the sandbox: PIR down, buzzer off" gpiosim_wait_value $BUZZER 0 5

pid=$(prop MainPID)
st=/tmp/kizuna-status
in_ns cat "/proc/$pid/status" > "$st"
vm_check_eq "$(awk '$1 == "Uid:" { print $2 }' "$st")" "$(id -u kizuna)" "runs as user kizuna"
vm_check_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' "$st")" 1 "NoNewPrivs"
vm_check_eq "$(awk '$1 == "Seccomp:" { print $2 }' "$st")" 2 "seccomp filter on"
vm_check_eq "$(awk '$1 == "CapBnd:" { print $2 }' "$st")" 0000000000000000 "empty capability bounding set"
for g in gpio i2c; do
	vm_check "supplementary group $g" grep -qE "^Groups:.*( |	)$(getent group $g | cut -d: -f3)( |$)" "$st"
done
vm_check_eq "$(stat -c '%a %U %G' /run/kizuna 2>&1)" "750 kizuna kizuna" "/run/kizuna 750 kizuna kizuna"
vm_check_eq "$(stat -c '%a %U %G' /var/lib/kizuna 2>&1)" "750 kizuna kizuna" "/var/lib/kizuna 750 kizuna kizuna"

# A crash: restarted.
n=$(prop NRestarts)
in_ns kill -KILL "$pid"
vm_check "killed with SIGKILL: restarted" vm_wait 20 restarted $((n + 1))
vm_check "killed with SIGKILL: the lines are taken again" gpiosim_wait_requested $PIR 30
vm_wait 10 test "$(prop ActiveState)" = active

# A store torn by a power cut (not a database any more): set aside, a fresh one started,
# and the service watches on, not a restart loop with nobody watched.
sctl stop kizuna.service
vm_check "the store was created" test -s /var/lib/kizuna/kizuna.sqlite
rm -f /var/lib/kizuna/kizuna.sqlite-wal /var/lib/kizuna/kizuna.sqlite-shm
head -c 8192 /dev/urandom > /var/lib/kizuna/kizuna.sqlite
chown kizuna:kizuna /var/lib/kizuna/kizuna.sqlite
sctl start kizuna.service
vm_check "a damaged store: the service takes the lines" gpiosim_wait_requested $PIR 30
vm_check "a damaged store: logged as set aside" vm_wait 10 grep -q "kizuna.sqlite is damaged" "$OUT/kizuna.log"
vm_check "a damaged store: its bytes kept aside" sh -c 'ls /var/lib/kizuna/kizuna.sqlite.corrupt-* > /dev/null'
gpiosim_pull $PIR up
vm_check "a damaged store: watching (PIR up, buzzer on)" gpiosim_wait_value $BUZZER 1 5
gpiosim_pull $PIR down
vm_wait 10 test "$(prop ActiveState)" = active
vm_check_eq "$(prop NRestarts)" 0 "a damaged store: no restart (systemctl start counts them from 0)"

# SIGTERM: a clean stop.
sctl stop kizuna.service
vm_check_eq "$(prop Result)" success "systemctl stop: clean exit (Result=success)"

if [ "$VM_FAILS" -gt 0 ]; then
	vm_log "systemd log:"; dmesg | grep 'systemd\[' | tail -n 30
	vm_log "kizuna log:"; tail -n 30 "$OUT/kizuna.log"
fi
vm_finish
