/* log: start-up, error and access lines to stderr, a file or syslog, buffered per thread. */
#ifndef ALMANAC_LOG_H
#define ALMANAC_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Logs to 'path' (NULL: stderr), and to syslog too when asked. 0 or -1. */
int	log_open(const char *, int, enum log_format);
/* SIGUSR1: reopens the file after logrotate moved it. */
void	log_reopen(void);
void	log_close(void);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A condition that stops the server: logged as "error". */
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_error with strerror(errno) appended. */
void	log_syserr(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * One line per request: client address, the request as received (escaped),
 * status ('-' when none was sent), bytes sent, duration, an optional
 * note (why a connection ended without an answer) and the client's
 * identity ("SHA256:..." of its certificate's public key), or NULL.  Lines are buffered
 * per thread and written when the buffer fills, by log_flush(), or by
 * log_flush_due() once the oldest has waited 100 ms, so that a busy
 * event loop does not make one write() per request.
 */
void	log_access(const char *, const char *, size_t, int, unsigned long long,
	    double, const char *, const char *);
void	log_flush(void);
/*
 * Given the time in ms (any monotonic origin): writes the buffered lines
 * if they have waited long enough; else returns in how many ms they will
 * have (-1: nothing is buffered), for an event loop to bound its sleep.
 */
int	log_flush_due(uint64_t);
/* Flushes and frees this thread's buffer, before the thread ends. */
void	log_release(void);

#endif
