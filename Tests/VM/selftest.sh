#!/bin/sh
# Tests/VM/selftest.sh - guest script proving the VM harness: the real gpio-sim and
# i2c-stub drivers driven with the stock tools (gpiod 1.6, i2c-tools 4.3) and lib.sh.
# Run it through run-selftest.sh, or:  Tests/VM/run.sh Tests/VM/selftest.sh
# Exit status = number of failed checks. With KIZUNA_VM_OUT set, writes selftest.result there.
set -u
# shellcheck source=lib.sh
. "${KIZUNA_VM_LIB:?run me through Tests/VM/run.sh}"

vm_log "kernel $(uname -r), gpio-sim + i2c-stub self test"

# ---------------------------------------------------------------- gpio-sim chip
gpiosim_create kizuna kizuna-sim 8 \
	PIR_LIVING PIR_BEDROOM DOOR_ENTRANCE BUTTON_HELP BUZZER LED_STATUS - - || exit 90
C=$GPIOSIM_CHIP
vm_log "gpio-sim chip live: $C at $GPIOSIM_DIR"
gpioinfo "$C"
vm_check_eq "$(gpiodetect | grep -c "^$C \[kizuna-sim\] (8 lines)")" 1 "gpiodetect lists $C [kizuna-sim] with 8 lines"
vm_check_eq "$(gpiofind PIR_LIVING)" "$C 0" "gpiofind PIR_LIVING"
vm_check_eq "$(gpiofind LED_STATUS)" "$C 5" "gpiofind LED_STATUS"
vm_check_eq "$(gpiosim_sysfs_dir)" "$GPIOSIM_DIR" "gpiosim_sysfs_dir"

# inputs: the simulator's pull is the outside world
gpiosim_pull 2 up;   vm_check_eq "$(gpioget "$C" 2)" 1 "DOOR_ENTRANCE reads 1 after pull up"
gpiosim_pull 2 down; vm_check_eq "$(gpioget "$C" 2)" 0 "DOOR_ENTRANCE reads 0 after pull down"
vm_check_eq "$(gpiosim_get_pull 2)" pull-down "gpiosim_get_pull"

# edges: 4 toggles of PIR_LIVING -> 4 events, alternating rising/falling
gpiomon --num-events=4 --line-buffered --format='%o %e' "$C" 0 > /tmp/mon.txt 2>&1 &
MON=$!
vm_check "gpiomon has requested PIR_LIVING" gpiosim_wait_requested 0 10
for p in up down up down; do gpiosim_pull 0 "$p"; sleep 0.05; done
i=0; while kill -0 "$MON" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null
vm_check_eq "$(tr '\n' ' ' < /tmp/mon.txt)" "0 1 0 0 0 1 0 0 " "gpiomon saw rising,falling,rising,falling on line 0"
# writing the value the line already has is not an edge
gpiomon --num-events=1 --format='%o %e' "$C" 1 > /tmp/mon1.txt 2>&1 &
MON=$!
gpiosim_wait_requested 1 10
gpiosim_pull 1 down; sleep 0.3
vm_check_eq "$(wc -l < /tmp/mon1.txt)" 0 "pull down on a low line makes no edge"
gpiosim_pull 1 up
vm_check "gpiomon saw the rising edge on line 1" vm_wait 5 grep -qx '1 1' /tmp/mon1.txt
kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null

# outputs: what a program drives is visible in sim_gpioN/value
gpioset --mode=signal "$C" 4=1 5=0 &
SET=$!
vm_check "BUZZER driven high by gpioset" gpiosim_wait_value 4 1 5
vm_check_eq "$(gpiosim_value 5)" 0 "LED_STATUS driven low by gpioset"
kill "$SET"; wait "$SET" 2>/dev/null
vm_check "BUZZER falls back to its pull (down) when released" gpiosim_wait_value 4 0 5

# a bias requested by the consumer sets the simulator's pull
vm_check_eq "$(gpioget --bias=pull-up "$C" 3)" 1 "BUTTON_HELP with bias pull-up reads 1"
vm_check_eq "$(gpiosim_get_pull 3)" pull-up "the requested bias became the simulated pull"
gpiosim_pull 3 down
vm_check_eq "$(gpioget "$C" 3)" 0 "sysfs pull overrides it again"

# a second chip, then tear down
gpiosim_create extra kizuna-extra 2 X0 X1 || exit 91
vm_check_eq "$(gpiofind X1)" "$GPIOSIM_CHIP 1" "second chip $GPIOSIM_CHIP"
gpiosim_destroy extra
vm_check_eq "$(gpiodetect | grep -c kizuna-extra)" 0 "second chip destroyed"
gpiosim_use kizuna

# ---------------------------------------------------------------- i2c-stub
N=$(i2cstub_bus) || exit 92
vm_log "i2c-stub is /dev/i2c-$N (chips: $(i2cstub_addrs))"
vm_check_eq "$(i2cstub_dev)" "/dev/i2c-$N" "i2cstub_dev"
vm_check_eq "$(i2cdetect -y "$N" | awk '$1 == "70:" { print $8 }')" 76 "i2cdetect finds 0x76"
i2cstub_set 0x76 0xd0 0x60
vm_check_eq "$(i2cstub_get 0x76 0xd0)" 0x60 "byte register 0xd0 (BME280 chip id)"
i2cstub_set 0x76 0xfa 0xbeef w
vm_check_eq "$(i2cstub_get 0x76 0xfa w)" 0xbeef "word register 0xfa"
i2cset -y "$N" 0x76 0x88 0x70 0x6b 0x43 i
vm_check_eq "$(i2cget -y "$N" 0x76 0x88 i 3)" "0x70 0x6b 0x43" "I2C block write/read at 0x88"
vm_check "no chip at 0x77" vm_not i2cget -y "$N" 0x77 0xd0

# the chip disappears and comes back (module reload: registers reset)
vm_check "i2cstub_remove 0x76" i2cstub_remove 0x76
vm_check "0x76 no longer answers" vm_not i2cget -y "$(i2cstub_bus)" 0x76 0xd0
vm_check_eq "$(i2cstub_addrs)" "" "no chip addresses left (bus parked at 0x03)"
vm_check "i2cstub_restore 0x76" i2cstub_restore 0x76
vm_check_eq "$(i2cstub_get 0x76 0xd0)" 0x00 "0x76 answers again, registers reset to 0"
vm_check_eq "$(i2cstub_bus)" "$N" "same bus number after the reload"
exec 3<> "$(i2cstub_dev)"
vm_check "i2cstub_remove refuses while /dev/i2c-N is held open" vm_not i2cstub_remove 0x76
exec 3>&-

if [ -n "${KIZUNA_VM_OUT:-}" ]; then
	echo "failures=$VM_FAILS" > "$KIZUNA_VM_OUT/selftest.result"
fi
vm_finish
