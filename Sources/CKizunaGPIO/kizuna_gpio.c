// libgpiod behind kizuna_gpio.h. The v1 path (libgpiod 1.6) is what Debian 12 ships and
// what the project's tests exercise on the kernel's gpio-sim; the v2 path is compiled only
// when Package.swift finds a libgpiod 2 header, and is NOT tested on this project's machines.
#define _GNU_SOURCE
#include "kizuna_gpio.h"

#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int neg_errno(void) { return errno ? -errno : -EIO; }

static void copy_out(char *dst, size_t len, const char *src) {
    if (!dst || len == 0) return;
    snprintf(dst, len, "%s", src ? src : "");
}

static int make_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return neg_errno();
    return 0;
}

#ifndef KZ_LIBGPIOD_V2
/* ---------------------------------------------------------------- libgpiod 1.6 */

struct kz_line {
    struct gpiod_chip *chip;
    struct gpiod_line *line;
};

const char *kz_gpio_api(void) { return "libgpiod v1"; }

int kz_chip_find(const char *label, char *path, size_t path_len, unsigned *num_lines) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open_by_label(label);
    if (!chip) return errno ? -errno : -ENOENT;
    char dev[64];
    snprintf(dev, sizeof dev, "/dev/%s", gpiod_chip_name(chip));
    copy_out(path, path_len, dev);
    if (num_lines) *num_lines = gpiod_chip_num_lines(chip);
    gpiod_chip_close(chip);
    return 0;
}

int kz_line_find(const char *name, char *label, size_t label_len, unsigned *offset) {
    errno = 0;
    struct gpiod_line *line = gpiod_line_find(name);
    if (!line) return errno ? -errno : -ENOENT;
    struct gpiod_chip *chip = gpiod_line_get_chip(line);
    copy_out(label, label_len, gpiod_chip_label(chip));
    if (offset) *offset = gpiod_line_offset(line);
    gpiod_chip_close(chip);
    return 0;
}

static int open_line(const char *label, unsigned offset, struct gpiod_chip **chip_out, struct gpiod_line **line_out) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open_by_label(label);
    if (!chip) return errno ? -errno : -ENOENT;
    if (offset >= gpiod_chip_num_lines(chip)) {
        gpiod_chip_close(chip);
        return -EINVAL;
    }
    struct gpiod_line *line = gpiod_chip_get_line(chip, offset);
    if (!line) {
        int e = neg_errno();
        gpiod_chip_close(chip);
        return e;
    }
    *chip_out = chip;
    *line_out = line;
    return 0;
}

int kz_line_info(const char *label, unsigned offset, char *consumer, size_t consumer_len, char *name, size_t name_len) {
    struct gpiod_chip *chip;
    struct gpiod_line *line;
    int r = open_line(label, offset, &chip, &line);
    if (r < 0) return r;
    gpiod_line_update(line);
    int used = gpiod_line_is_used(line) ? 1 : 0;
    copy_out(consumer, consumer_len, gpiod_line_consumer(line));
    copy_out(name, name_len, gpiod_line_name(line));
    gpiod_chip_close(chip);
    return used;
}

static int request(const char *label, unsigned offset, int type, int flags, int initial, const char *consumer, kz_line **out) {
    struct gpiod_chip *chip;
    struct gpiod_line *line;
    int r = open_line(label, offset, &chip, &line);
    if (r < 0) return r;
    struct gpiod_line_request_config config = {.consumer = consumer, .request_type = type, .flags = flags};
    errno = 0;
    if (gpiod_line_request(line, &config, initial) < 0) {
        int e = neg_errno();
        gpiod_chip_close(chip);
        return e;
    }
    if (type == GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES) {
        int e = make_nonblocking(gpiod_line_event_get_fd(line));
        if (e < 0) {
            gpiod_chip_close(chip);
            return e;
        }
    }
    kz_line *l = calloc(1, sizeof *l);
    if (!l) {
        gpiod_chip_close(chip);
        return -ENOMEM;
    }
    l->chip = chip;
    l->line = line;
    *out = l;
    return 0;
}

int kz_line_request_input(const char *label, unsigned offset, int bias, const char *consumer, kz_line **out) {
    int flags = 0;
    if (bias == KZ_BIAS_DISABLED) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
    if (bias == KZ_BIAS_PULL_UP) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    if (bias == KZ_BIAS_PULL_DOWN) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
    return request(label, offset, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES, flags, 0, consumer, out);
}

int kz_line_request_output(const char *label, unsigned offset, int initial, const char *consumer, kz_line **out) {
    return request(label, offset, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT, 0, initial, consumer, out);
}

int kz_line_fd(kz_line *l) { return gpiod_line_event_get_fd(l->line); }

int kz_line_read_edges(kz_line *l, kz_edge *edges, int max) {
    struct gpiod_line_event events[16];
    if (max > 16) max = 16;
    errno = 0;
    int n = gpiod_line_event_read_multiple(l->line, events, (unsigned)max);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : neg_errno();
    for (int i = 0; i < n; i++) {
        edges[i].timestamp_ns = (int64_t)events[i].ts.tv_sec * 1000000000LL + events[i].ts.tv_nsec;
        edges[i].rising = events[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
    }
    return n;
}

int kz_line_get(kz_line *l) {
    errno = 0;
    int v = gpiod_line_get_value(l->line);
    return v < 0 ? neg_errno() : v;
}

int kz_line_set(kz_line *l, int value) {
    errno = 0;
    return gpiod_line_set_value(l->line, value) < 0 ? neg_errno() : 0;
}

void kz_line_release(kz_line *l) {
    if (!l) return;
    gpiod_line_release(l->line);
    gpiod_chip_close(l->chip);
    free(l);
}

#else
/* ---------------------------------------------------------------- libgpiod 2.x
 * Untested here: Debian 12 has no libgpiod 2. Written against the 2.1 API. */
#include <dirent.h>

struct kz_line {
    struct gpiod_chip *chip;
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *buffer;
    unsigned offset;
};

const char *kz_gpio_api(void) { return "libgpiod v2"; }

/* Opens the chip with `label` by scanning /dev/gpiochip*. */
static struct gpiod_chip *open_by_label(const char *label, char *path, size_t path_len) {
    DIR *dir = opendir("/dev");
    if (!dir) return NULL;
    struct dirent *e;
    struct gpiod_chip *found = NULL;
    while (!found && (e = readdir(dir))) {
        if (strncmp(e->d_name, "gpiochip", 8) != 0) continue;
        char p[300];
        snprintf(p, sizeof p, "/dev/%s", e->d_name);
        struct gpiod_chip *chip = gpiod_chip_open(p);
        if (!chip) continue;
        struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
        if (info && strcmp(gpiod_chip_info_get_label(info), label) == 0) {
            found = chip;
            copy_out(path, path_len, p);
        } else {
            gpiod_chip_close(chip);
        }
        if (info) gpiod_chip_info_free(info);
    }
    closedir(dir);
    if (!found) errno = ENOENT;
    return found;
}

int kz_chip_find(const char *label, char *path, size_t path_len, unsigned *num_lines) {
    struct gpiod_chip *chip = open_by_label(label, path, path_len);
    if (!chip) return -ENOENT;
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
    if (num_lines && info) *num_lines = (unsigned)gpiod_chip_info_get_num_lines(info);
    if (info) gpiod_chip_info_free(info);
    gpiod_chip_close(chip);
    return 0;
}

int kz_line_find(const char *name, char *label, size_t label_len, unsigned *offset) {
    DIR *dir = opendir("/dev");
    if (!dir) return neg_errno();
    struct dirent *e;
    int result = -ENOENT;
    while (result == -ENOENT && (e = readdir(dir))) {
        if (strncmp(e->d_name, "gpiochip", 8) != 0) continue;
        char p[300];
        snprintf(p, sizeof p, "/dev/%s", e->d_name);
        struct gpiod_chip *chip = gpiod_chip_open(p);
        if (!chip) continue;
        int off = gpiod_chip_get_line_offset_from_name(chip, name);
        if (off >= 0) {
            struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
            copy_out(label, label_len, info ? gpiod_chip_info_get_label(info) : "");
            if (info) gpiod_chip_info_free(info);
            if (offset) *offset = (unsigned)off;
            result = 0;
        }
        gpiod_chip_close(chip);
    }
    closedir(dir);
    return result;
}

int kz_line_info(const char *label, unsigned offset, char *consumer, size_t consumer_len, char *name, size_t name_len) {
    struct gpiod_chip *chip = open_by_label(label, NULL, 0);
    if (!chip) return -ENOENT;
    struct gpiod_line_info *info = gpiod_chip_get_line_info(chip, offset);
    if (!info) {
        int e = neg_errno();
        gpiod_chip_close(chip);
        return e;
    }
    int used = gpiod_line_info_is_used(info) ? 1 : 0;
    copy_out(consumer, consumer_len, gpiod_line_info_get_consumer(info));
    copy_out(name, name_len, gpiod_line_info_get_name(info));
    gpiod_line_info_free(info);
    gpiod_chip_close(chip);
    return used;
}

static int request(const char *label, unsigned offset, int output, int bias, int initial, const char *consumer, kz_line **out) {
    struct gpiod_chip *chip = open_by_label(label, NULL, 0);
    if (!chip) return -ENOENT;
    struct gpiod_line_settings *s = gpiod_line_settings_new();
    struct gpiod_line_config *lc = gpiod_line_config_new();
    struct gpiod_request_config *rc = gpiod_request_config_new();
    int result = -ENOMEM;
    if (s && lc && rc) {
        if (output) {
            gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT);
            gpiod_line_settings_set_output_value(s, initial ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
        } else {
            gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT);
            gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH);
            if (bias == KZ_BIAS_DISABLED) gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_DISABLED);
            if (bias == KZ_BIAS_PULL_UP) gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_UP);
            if (bias == KZ_BIAS_PULL_DOWN) gpiod_line_settings_set_bias(s, GPIOD_LINE_BIAS_PULL_DOWN);
        }
        gpiod_request_config_set_consumer(rc, consumer);
        errno = 0;
        if (gpiod_line_config_add_line_settings(lc, &offset, 1, s) < 0) {
            result = neg_errno();
        } else {
            struct gpiod_line_request *req = gpiod_chip_request_lines(chip, rc, lc);
            if (!req) {
                result = neg_errno();
            } else {
                kz_line *l = calloc(1, sizeof *l);
                l->chip = chip;
                l->request = req;
                l->offset = offset;
                l->buffer = output ? NULL : gpiod_edge_event_buffer_new(16);
                if (!output) make_nonblocking(gpiod_line_request_get_fd(req));
                *out = l;
                result = 0;
            }
        }
    }
    if (s) gpiod_line_settings_free(s);
    if (lc) gpiod_line_config_free(lc);
    if (rc) gpiod_request_config_free(rc);
    if (result < 0) gpiod_chip_close(chip);
    return result;
}

int kz_line_request_input(const char *label, unsigned offset, int bias, const char *consumer, kz_line **out) {
    return request(label, offset, 0, bias, 0, consumer, out);
}

int kz_line_request_output(const char *label, unsigned offset, int initial, const char *consumer, kz_line **out) {
    return request(label, offset, 1, KZ_BIAS_AS_IS, initial, consumer, out);
}

int kz_line_fd(kz_line *l) { return gpiod_line_request_get_fd(l->request); }

int kz_line_read_edges(kz_line *l, kz_edge *edges, int max) {
    if (max > 16) max = 16;
    errno = 0;
    int n = gpiod_line_request_read_edge_events(l->request, l->buffer, (size_t)max);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : neg_errno();
    for (int i = 0; i < n; i++) {
        struct gpiod_edge_event *ev = gpiod_edge_event_buffer_get_event(l->buffer, (unsigned long)i);
        edges[i].timestamp_ns = (int64_t)gpiod_edge_event_get_timestamp_ns(ev);
        edges[i].rising = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;
    }
    return n;
}

int kz_line_get(kz_line *l) {
    errno = 0;
    int v = gpiod_line_request_get_value(l->request, l->offset);
    return v < 0 ? neg_errno() : (v == GPIOD_LINE_VALUE_ACTIVE);
}

int kz_line_set(kz_line *l, int value) {
    errno = 0;
    return gpiod_line_request_set_value(l->request, l->offset, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) < 0 ? neg_errno() : 0;
}

void kz_line_release(kz_line *l) {
    if (!l) return;
    gpiod_line_request_release(l->request);
    if (l->buffer) gpiod_edge_event_buffer_free(l->buffer);
    gpiod_chip_close(l->chip);
    free(l);
}
#endif
