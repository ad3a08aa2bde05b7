// Small Linux calls that Swift's Glibc module does not offer.
#ifndef KIZUNA_SYSTEM_H
#define KIZUNA_SYSTEM_H

/// Blocks `signals` for the process and returns a non-blocking signalfd that becomes
/// readable when one arrives; -errno on failure.
int kz_signalfd_open(const int *signals, int count);

/// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later).
int kz_block_stop_signals(void);

/// The number of the signal waiting on `fd`, 0 if none, -errno on failure.
int kz_signalfd_read(int fd);

/// A non-blocking eventfd (the loop's wake-up for commands); -errno on failure.
int kz_eventfd_open(void);

/// 1 if the kernel says the wall clock is synchronised (adjtimex), 0 if not, -errno.
int kz_clock_synchronised(void);

/// Sends `message` to systemd's notification socket ($NOTIFY_SOCKET, path or abstract
/// "@name"). Returns 1 if sent, 0 if there is no socket (not run by systemd), -errno.
int kz_sd_notify(const char *message);

#endif
