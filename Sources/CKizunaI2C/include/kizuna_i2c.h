// I2C for Kizuna: libi2c's SMBus transfers (Debian: libi2c-dev, <i2c/smbus.h>) and the
// struct-heavy ioctls Swift cannot call directly (I2C_SLAVE, I2C_RDWR, I2C_FUNCS).
// Every function returns >= 0 on success and -errno on failure.
#ifndef KIZUNA_I2C_H
#define KIZUNA_I2C_H

#include <stdint.h>

/// Opens /dev/i2c-BUS read-write; returns the descriptor.
int kz_i2c_open(int bus);
void kz_i2c_close(int fd);
/// The adapter's I2C_FUNCS bits.
int kz_i2c_functions(int fd, unsigned long *functions);
/// SMBus I2C-block read of LEN (<= 32) registers from REG; returns the count read.
int kz_i2c_read_registers(int fd, uint8_t address, uint8_t reg, uint8_t len, uint8_t *out);
/// SMBus write byte data.
int kz_i2c_write_register(int fd, uint8_t address, uint8_t reg, uint8_t value);
/// A plain write transfer (I2C_RDWR, one message).
int kz_i2c_write(int fd, uint8_t address, const uint8_t *bytes, uint16_t len);
/// A plain read transfer (I2C_RDWR, one message).
int kz_i2c_read(int fd, uint8_t address, uint8_t *out, uint16_t len);
/// Whether a chip acknowledges at ADDRESS, the way i2cdetect asks: a quick write, or a
/// byte read in the EEPROM ranges where a quick write could corrupt. Returns 1 or 0, or
/// -errno when the adapter cannot be asked.
int kz_i2c_probe(int fd, uint8_t address);

#endif
