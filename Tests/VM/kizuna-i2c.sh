#!/bin/sh
# Guest script: the real `kizuna` binary reads a BME280 register map through the kernel's
# i2c-stub (SMBus only, so a register-based chip), loses it, and gets it back.
# usage (through run.sh): kizuna-i2c.sh KIZUNA BOARDS_DIR BASE_CONFIG
set -u
. "${KIZUNA_VM_LIB:?run me through Tests/VM/run.sh}"

K=$1 BOARDS=$2 BASE=$3
OUT=${KIZUNA_VM_OUT:-/tmp}/i2c
mkdir -p "$OUT"
NAMES="PIR_LIVING PIR_KITCHEN PIR_BEDROOM PIR_BATHROOM PIR_ENTRANCE DOOR_ENTRANCE BUTTON_HELP BUZZER LED_STATUS - - - - - - -"
# shellcheck disable=SC2086
gpiosim_create kz kizuna-gpio-sim 16 $NAMES || exit 1

# The BME280 of the datasheet's worked example (Bosch BMP280 datasheet 3.12 trimming for
# temperature and pressure, a typical chip's for humidity), as registers.
bme280_load() {
	i2cstub_set 0x76 0xD0 0x60
	r=0x88
	for b in 0x70 0x6b 0x43 0x67 0x18 0xfc 0x7d 0x8e 0x43 0xd6 0xd0 0x0b 0x27 0x0b 0x8c 0x00 0xf9 0xff 0x8c 0x3c 0xf8 0xc6 0x70 0x17 0x00 0x4b; do
		i2cstub_set 0x76 $r $b; r=$((r + 1))
	done
	r=0xE1
	for b in 0x6a 0x01 0x00 0x13 0xe9 0xfc 0x1e; do i2cstub_set 0x76 $r $b; r=$((r + 1)); done
	# adc_P 415148, adc_T 519888, adc_H 30000 in 0xF7..0xFE
	r=0xF7
	for b in 0x65 0x5a 0xc0 0x7e 0xed 0x00 0x75 0x30; do i2cstub_set 0x76 $r $b; r=$((r + 1)); done
}
# Reloading i2c-stub fails while kizuna has the bus open for a transfer: try again.
stub_reload() {  # ADDR (or 0x03: park, no chip)
	for _ in $(seq 1 50); do rmmod i2c_stub 2>/dev/null && break; sleep 0.05; done
	modprobe i2c-stub chip_addr="$1" || return 1
	vm_wait 5 i2cstub_bus > /dev/null 2>&1
}

bme280_load
BUS=$(i2cstub_bus)
vm_log "case: i2c-scan finds the BME280 on the stub (bus $BUS)"
"$K" i2c-scan --bus "$BUS" > "$OUT/scan.out" 2>&1
vm_check_eq "$?" 0 "i2c-scan: exit status 0"
vm_check "i2c-scan: 0x76 is a BME280 by its chip id" grep -q "0x76  BME280 (chip id 0x60)" "$OUT/scan.out"
cat "$OUT/scan.out"

CONF=$OUT/kizuna-i2c.yaml
sed "s/^sensors:/sensors:\n  temperature.living: { i2c: { chip: bme280, bus: $BUS, address: 0x76 }, every: 1s }\n  pressure.living:    { i2c: { chip: bme280, bus: $BUS, address: 0x76 }, every: 1s }\n  humidity.living:    { i2c: { chip: bme280, bus: $BUS, address: 0x76 }, every: 1s }/" "$BASE" > "$CONF"
# (check-config takes the config as a flat would have it: without the test's short timers)
grep -v '^rules:\|^  inactivity:\|^alarms:\|^  prealarm_grace:' "$CONF" > "$OUT/check.yaml"
"$K" check-config "$OUT/check.yaml" --boards "$BOARDS" > "$OUT/check.out" 2>&1
vm_check_eq "$?" 0 "check-config accepts the I2C sensors"

vm_log "case: kizuna run reads temperature, pressure and humidity"
"$K" run --config "$CONF" --boards "$BOARDS" --short-timers --trace > "$OUT/run.jsonl" 2> "$OUT/run.err" &
PID=$!
reading() { grep "\"kind\":\"reading\",\"sensor\":\"$1\"" "$OUT/run.jsonl" | tail -1 | sed -n 's/.*"value":\([0-9.-]*\).*/\1/p'; }
vm_wait 20 grep -q '"kind":"reading","sensor":"humidity.living"' "$OUT/run.jsonl"
vm_check_eq "$(reading temperature.living)" 25.08 "temperature 25.08 °C (datasheet: adc_T 519888)"
P=$(reading pressure.living)
vm_check "pressure $P hPa is 1006.53 (datasheet: 100653 Pa)" awk -v p="$P" 'BEGIN { exit !(p > 1006.52 && p < 1006.54) }'
H=$(reading humidity.living)
vm_check "humidity $H %RH is 56.75 (the datasheet's floating-point formula gives 56.7526)" awk -v h="$H" 'BEGIN { exit !(h > 56.70 && h < 56.80) }'

vm_log "case: the chip stops answering -> fault"
stub_reload 0x03
vm_check "removed: a fault event for temperature.living" vm_wait 20 grep -q '"kind":"fault","sensor":"temperature.living"' "$OUT/run.jsonl"
vm_check "removed: the sensor-fault alarm is raised" vm_wait 5 grep -q '"type":"alarm","kind":"sensor-fault"' "$OUT/run.jsonl"
BEFORE=$(grep -c '"kind":"reading","sensor":"temperature.living"' "$OUT/run.jsonl")
sleep 2
AFTER=$(grep -c '"kind":"reading","sensor":"temperature.living"' "$OUT/run.jsonl")
vm_check_eq "$AFTER" "$BEFORE" "removed: no made-up readings while it is gone"

vm_log "case: the chip is back -> recovery by itself"
stub_reload 0x76
bme280_load
vm_check "restored: a recovered event" vm_wait 20 grep -q '"kind":"recovered","sensor":"temperature.living"' "$OUT/run.jsonl"
vm_check "restored: the sensor-fault alarm resolves" vm_wait 10 grep -q '"type":"resolve","kind":"sensor-fault"' "$OUT/run.jsonl"
vm_check "restored: readings again" vm_wait 10 sh -c "[ \$(grep -c '\"kind\":\"reading\",\"sensor\":\"temperature.living\"' '$OUT/run.jsonl') -gt $AFTER ]"
kill -TERM $PID
wait $PID
vm_check_eq "$?" 0 "run: exits 0 on SIGTERM"
[ -s "$OUT/run.err" ] && { echo "--- run.err"; tail -5 "$OUT/run.err"; }
vm_finish
