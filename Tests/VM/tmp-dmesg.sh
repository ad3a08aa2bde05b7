dmesg | tail -40
