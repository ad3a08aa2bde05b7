// The one GPIO interface the Swift code sees. libgpiod 1.6 (Debian 12, Raspberry Pi OS
// bookworm) and libgpiod 2.x (Debian 13) have incompatible APIs; the difference stays in
// kizuna_gpio.c. Every function returns 0 (or a count) on success and -errno on failure.
#ifndef KIZUNA_GPIO_H
#define KIZUNA_GPIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct kz_line kz_line;

enum { KZ_BIAS_AS_IS = 0, KZ_BIAS_DISABLED = 1, KZ_BIAS_PULL_UP = 2, KZ_BIAS_PULL_DOWN = 3 };

/// One edge as the kernel recorded it (CLOCK_MONOTONIC nanoseconds).
typedef struct {
    int64_t timestamp_ns;
    int rising;
} kz_edge;

/// Which libgpiod API this was built against ("libgpiod v1" or "libgpiod v2").
const char *kz_gpio_api(void);

/// Finds the chip labelled `label`: its device path and line count. -ENOENT if none.
int kz_chip_find(const char *label, char *path, size_t path_len, unsigned *num_lines);

/// Finds a line by name on any chip: the chip's label and the offset. -ENOENT if none.
int kz_line_find(const char *name, char *label, size_t label_len, unsigned *offset);

/// Whether a line is held, by whom, and its name. Returns 1 (held), 0 (free) or -errno.
int kz_line_info(const char *label, unsigned offset, char *consumer, size_t consumer_len, char *name, size_t name_len);

/// Requests a line as an input with edge events on both edges. -EBUSY if another
/// process holds it, -ENOENT if there is no such chip, -EINVAL if no such offset.
int kz_line_request_input(const char *label, unsigned offset, int bias, const char *consumer, kz_line **out);

/// Requests a line as an output, driven to `initial`.
int kz_line_request_output(const char *label, unsigned offset, int initial, const char *consumer, kz_line **out);

/// The descriptor to poll() for edge events (non-blocking).
int kz_line_fd(kz_line *line);

/// Reads the waiting edges into `edges` (at most `max`): the count, 0 if none is
/// waiting, -ENODEV if the chip went away.
int kz_line_read_edges(kz_line *line, kz_edge *edges, int max);

/// The line's current value (0 or 1).
int kz_line_get(kz_line *line);

/// Drives an output line.
int kz_line_set(kz_line *line, int value);

/// Releases the line (and closes its chip).
void kz_line_release(kz_line *line);

#endif
