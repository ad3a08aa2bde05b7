#!/bin/sh
# Tests/Packaging/udev-guest.sh - guest script for Tests/VM/run.sh (Tests/Packaging/run.sh
# calls it): puts 60-kizuna.rules in place and asks `udevadm test` what it makes of a
# real gpiochip (gpio-sim) and a real i2c-dev bus (i2c-stub).
# usage (host): Tests/VM/run.sh Tests/Packaging/udev-guest.sh udev/60-kizuna.rules
# The guest's root is a throw-away overlay of the host's: the groups and the rules file
# added here are gone afterwards.
. "$KIZUNA_VM_LIB"
RULES=$1

for g in kizuna gpio i2c dialout; do
	getent group "$g" >/dev/null || groupadd --system "$g"
done
mkdir -p /etc/udev/rules.d
cp "$RULES" /etc/udev/rules.d/60-kizuna.rules

gpiosim_create kizuna kizuna-sim 4 PIR_LIVING - - BUZZER || vm_finish
chip=$(gpiosim_chip)
bus=$(i2cstub_bus) || vm_finish
kgid=$(getent group kizuna | cut -d: -f3)
igid=$(getent group i2c | cut -d: -f3)

# What udev would apply: its debug output names the rule file and line of each action.
udevadm test --action=add "/sys/bus/gpio/devices/$chip" > /tmp/gpio.log 2>&1
udevadm test --action=add "/sys/class/i2c-dev/i2c-$bus" > /tmp/i2c.log 2>&1

# The rules must parse: udev reports errors with the file name and line.
vm_check "60-kizuna.rules parses without complaint" \
	vm_not grep -iE '60-kizuna.rules.*(invalid|error|unknown|ignoring|failed)' /tmp/gpio.log /tmp/i2c.log
vm_check "/dev/$chip: 60-kizuna.rules sets GROUP kizuna" grep -qE "60-kizuna.rules:[0-9]+ GROUP $kgid" /tmp/gpio.log
vm_check "/dev/$chip: 60-kizuna.rules sets MODE 0660" grep -qE '60-kizuna.rules:[0-9]+ MODE 0660' /tmp/gpio.log
vm_check "/dev/$chip ends up root:kizuna 0660" grep -q "Setting permissions /dev/$chip, uid=0, gid=$kgid, mode=0660" /tmp/gpio.log
vm_check "/dev/i2c-$bus: 60-kizuna.rules sets GROUP i2c" grep -qE "60-kizuna.rules:[0-9]+ GROUP $igid" /tmp/i2c.log
vm_check "/dev/i2c-$bus: 60-kizuna.rules sets MODE 0660" grep -qE '60-kizuna.rules:[0-9]+ MODE 0660' /tmp/i2c.log
vm_check "/dev/i2c-$bus ends up root:i2c 0660" grep -q "Setting permissions /dev/i2c-$bus, uid=0, gid=$igid, mode=0660" /tmp/i2c.log
vm_check "the serial-adapter rules leave a gpiochip alone" vm_not grep -q 'kizuna-console' /tmp/gpio.log
if ! grep -q '60-kizuna.rules' /tmp/gpio.log; then
	vm_log "udevadm test output for /dev/$chip:"; cat /tmp/gpio.log
fi
vm_finish
