/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c -- stderr logging with a program name prefix and a level.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char	*log_prog = "mailsoar";
static enum log_level	 log_level = LOG_LEVEL_WARN;

void
log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_level = level;
}

static void
vlog(enum log_level lvl, const char *fmt, va_list ap, const char *err)
{
	char	buf[2048];

	if (lvl > log_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (err != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_prog, buf, err);
	else
		fprintf(stderr, "%s: %s\n", log_prog, buf);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	 ebuf[256];

	snprintf(ebuf, sizeof(ebuf), "%s", strerror(errno));
	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap, ebuf);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
