set -x
cat /sys/module/i2c_stub/parameters/chip_addr
ls -l /sys/module/i2c_stub/parameters/
B=$(for d in /sys/class/i2c-dev/*; do grep -q 'SMBus stub' $d/name && basename $d; done); N=${B#i2c-}
i2cset -y $N 0x76 0xd0 0x60; i2cget -y $N 0x76 0xd0
# hold the device open in the background
exec 3<>/dev/i2c-$N
echo 0 > /sys/module/i2c_stub/parameters/chip_addr; echo "write rc=$?"
cat /sys/module/i2c_stub/parameters/chip_addr
i2cget -y $N 0x76 0xd0; echo "get rc=$?"
i2cdetect -y $N | sed -n '1p;9p'
echo 0x76 > /sys/module/i2c_stub/parameters/chip_addr
cat /sys/module/i2c_stub/parameters/chip_addr
i2cget -y $N 0x76 0xd0
rmmod i2c_stub; echo "rmmod with fd open rc=$?"
exec 3>&-
rmmod i2c_stub; echo "rmmod rc=$?"
ls /dev/i2c*
modprobe i2c-stub chip_addr=0x76,0x23; ls /sys/class/i2c-dev/; cat /sys/class/i2c-dev/*/name
cat /sys/module/i2c_stub/parameters/chip_addr
