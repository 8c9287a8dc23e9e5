/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c -- stderr logging with a program name prefix and a level, or one
 * JSON object per line ({"ts","level","msg"}) for log collectors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "log.h"

static const char	*log_prog = "mailsoar";
static enum log_level	 log_level = LOG_LEVEL_WARN;
static int		 log_json;

static const char *const level_names[] = { "error", "warning", "info",
	"debug" };

void
log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

void
log_set_json(int on)
{
	log_json = on;
}

/* 's' as a JSON string's contents: quotes, backslashes and control
 * characters escaped; bytes that are not UTF-8 become U+FFFD. */
static void
json_str(GString *o, const char *s)
{
	gchar		*v = g_utf8_make_valid(s, -1);
	const char	*p;

	for (p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			g_string_append_printf(o, "\\%c", c);
		else if (c == '\n')
			g_string_append(o, "\\n");
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(o, "\\u%04x", c);
		else
			g_string_append_c(o, (char)c);
	}
	g_free(v);
}

static void
vlog_json(enum log_level lvl, const char *msg, const char *err)
{
	GString		*o = g_string_sized_new(256);
	GDateTime	*now = g_date_time_new_now_utc();
	gchar		*ts = g_date_time_format_iso8601(now);

	g_string_append_printf(o, "{\"ts\":\"%s\",\"level\":\"%s\","
	    "\"msg\":\"", ts, level_names[lvl]);
	json_str(o, msg);
	if (err != NULL) {
		g_string_append(o, "\",\"error\":\"");
		json_str(o, err);
	}
	g_string_append(o, "\"}\n");
	fputs(o->str, stderr);		/* one write per line */
	g_string_free(o, TRUE);
	g_free(ts);
	g_date_time_unref(now);
}

static void
vlog(enum log_level lvl, const char *fmt, va_list ap, const char *err)
{
	char	buf[2048];

	if (lvl > log_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_json)
		vlog_json(lvl, buf, err);
	else if (err != NULL)
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
