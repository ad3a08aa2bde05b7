/* Tests/VM/latency.c - reference edge-to-output latency probe (libgpiod 1.6, v1 API).
 *
 * usage: latency CHIP_LABEL IN_OFFSET OUT_OFFSET [N=1000] [TIMEOUT_S=30]
 *
 * Opens the GPIO chip by label, requests IN for both edges and OUT as an output that
 * starts at IN's current value. For each of N edges on IN it mirrors the edge on OUT at
 * once (rising -> 1, falling -> 0) and records
 *     latency = CLOCK_MONOTONIC right after gpiod_line_set_value() returns
 *               - the kernel's event timestamp (CLOCK_MONOTONIC, taken in the GPIO IRQ)
 * i.e. wake-up + event read + output write, as a watch-over runtime would see it.
 * At the end it prints one line on stdout:
 *     latency_us p50=NN p99=NN n=N
 * (nearest-rank percentiles, whole microseconds) and min/mean/max on stderr.
 * Exit status: 0 ok, 1 error or no edge within TIMEOUT_S seconds, 2 usage.
 * Build: gcc -O2 -Wall -o latency latency.c -lgpiod      (prepare.sh does this)
 */
#include <gpiod.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static long long pct(const long long *sorted, long n, int p)   /* nearest rank */
{
	long rank = (p * n + 99) / 100;
	return sorted[rank > 0 ? rank - 1 : 0];
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: %s CHIP_LABEL IN_OFFSET OUT_OFFSET [N=1000] [TIMEOUT_S=30]\n", argv[0]);
		return 2;
	}
	const char *label = argv[1];
	unsigned int in_off = (unsigned int)strtoul(argv[2], NULL, 0);
	unsigned int out_off = (unsigned int)strtoul(argv[3], NULL, 0);
	long n = argc > 4 ? strtol(argv[4], NULL, 0) : 1000;
	long timeout_s = argc > 5 ? strtol(argv[5], NULL, 0) : 30;
	if (n <= 0 || timeout_s <= 0) {
		fprintf(stderr, "latency: N and TIMEOUT_S must be positive\n");
		return 2;
	}

	struct gpiod_chip *chip = gpiod_chip_open_by_label(label);
	if (!chip) {
		fprintf(stderr, "latency: no gpiochip labelled '%s': %s\n", label, strerror(errno));
		return 1;
	}
	struct gpiod_line *in = gpiod_chip_get_line(chip, in_off);
	struct gpiod_line *out = gpiod_chip_get_line(chip, out_off);
	if (!in || !out) {
		fprintf(stderr, "latency: %s has no line %u or %u\n", gpiod_chip_name(chip), in_off, out_off);
		return 1;
	}
	if (gpiod_line_request_both_edges_events(in, "latency") < 0) {
		fprintf(stderr, "latency: request line %u for edges: %s\n", in_off, strerror(errno));
		return 1;
	}
	int level = gpiod_line_get_value(in);
	if (level < 0 || gpiod_line_request_output(out, "latency", level) < 0) {
		fprintf(stderr, "latency: request line %u as output: %s\n", out_off, strerror(errno));
		return 1;
	}
	fprintf(stderr, "latency: ready, %s (%s) in=%u out=%u level=%d, waiting for %ld edges\n",
		gpiod_chip_name(chip), label, in_off, out_off, level, n);

	long long *lat = calloc((size_t)n, sizeof *lat);
	if (!lat) {
		perror("latency: calloc");
		return 1;
	}
	long got = 0;
	while (got < n) {
		struct timespec to = { timeout_s, 0 };
		int r = gpiod_line_event_wait(in, &to);
		if (r <= 0) {
			fprintf(stderr, "latency: %s after %ld of %ld edges\n",
				r == 0 ? "timeout" : strerror(errno), got, n);
			return 1;
		}
		struct gpiod_line_event ev;
		if (gpiod_line_event_read(in, &ev) < 0) {
			fprintf(stderr, "latency: event read: %s\n", strerror(errno));
			return 1;
		}
		int v = ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
		if (gpiod_line_set_value(out, v) < 0) {
			fprintf(stderr, "latency: set line %u: %s\n", out_off, strerror(errno));
			return 1;
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		lat[got++] = (now.tv_sec - ev.ts.tv_sec) * 1000000000LL + (now.tv_nsec - ev.ts.tv_nsec);
	}

	long long sum = 0;
	for (long i = 0; i < n; i++)
		sum += lat[i];
	qsort(lat, (size_t)n, sizeof *lat, cmp_ll);
	printf("latency_us p50=%lld p99=%lld n=%ld\n", pct(lat, n, 50) / 1000, pct(lat, n, 99) / 1000, n);
	fflush(stdout);
	fprintf(stderr, "latency: min=%lldus mean=%lldus max=%lldus\n",
		lat[0] / 1000, sum / n / 1000, lat[n - 1] / 1000);
	gpiod_line_release(out);
	gpiod_line_release(in);
	gpiod_chip_close(chip);
	free(lat);
	return 0;
}
