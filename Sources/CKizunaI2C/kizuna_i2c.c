#include "kizuna_i2c.h"

#include <errno.h>
#include <fcntl.h>
#include <i2c/smbus.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int kz_i2c_open(int bus) {
    char path[32];
    snprintf(path, sizeof path, "/dev/i2c-%d", bus);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

void kz_i2c_close(int fd) { close(fd); }

int kz_i2c_functions(int fd, unsigned long *functions) {
    return ioctl(fd, I2C_FUNCS, functions) < 0 ? -errno : 0;
}

static int select_address(int fd, uint8_t address) {
    // I2C_SLAVE, not _FORCE: a kernel driver bound to the address keeps it (EBUSY).
    return ioctl(fd, I2C_SLAVE, (long)address) < 0 ? -errno : 0;
}

int kz_i2c_read_registers(int fd, uint8_t address, uint8_t reg, uint8_t len, uint8_t *out) {
    int r = select_address(fd, address);
    if (r < 0) return r;
    if (len > 32) return -EINVAL;
    // libi2c returns -errno itself.
    return i2c_smbus_read_i2c_block_data(fd, reg, len, out);
}

int kz_i2c_write_register(int fd, uint8_t address, uint8_t reg, uint8_t value) {
    int r = select_address(fd, address);
    if (r < 0) return r;
    return i2c_smbus_write_byte_data(fd, reg, value);
}

static int transfer(int fd, uint8_t address, uint16_t flags, uint8_t *bytes, uint16_t len) {
    struct i2c_msg msg = { .addr = address, .flags = flags, .len = len, .buf = bytes };
    struct i2c_rdwr_ioctl_data data = { .msgs = &msg, .nmsgs = 1 };
    return ioctl(fd, I2C_RDWR, &data) < 0 ? -errno : len;
}

int kz_i2c_write(int fd, uint8_t address, const uint8_t *bytes, uint16_t len) {
    return transfer(fd, address, 0, (uint8_t *)bytes, len);
}

int kz_i2c_read(int fd, uint8_t address, uint8_t *out, uint16_t len) {
    return transfer(fd, address, I2C_M_RD, out, len);
}

int kz_i2c_probe(int fd, uint8_t address) {
    int r = select_address(fd, address);
    if (r == -EBUSY) return 1;  // a kernel driver owns it: something is there
    if (r < 0) return r;
    if ((address >= 0x30 && address <= 0x37) || (address >= 0x50 && address <= 0x5F))
        r = i2c_smbus_read_byte(fd);
    else
        r = i2c_smbus_write_quick(fd, I2C_SMBUS_WRITE);
    return r < 0 ? 0 : 1;
}
