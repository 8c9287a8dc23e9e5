/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h -- logging to stderr (OpenSMTPD's log.c shape).  Thread-safe: one
 * fprintf per line.
 */
#ifndef MS_LOG_H
#define MS_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG };

void	log_init(const char *progname, enum log_level level);
void	log_set_level(enum log_level level);
/* One JSON object per line: {"ts","level","msg"[,"error"]}. */
void	log_set_json(int on);
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1).  For broken invariants outside hostile input only. */
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* MS_LOG_H */
