/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_mime.c -- libFuzzer target for mail_parse(): UNTRUSTED bytes in a
 * fresh arena per input, every part and every embedded message touched so
 * that ASan sees any out-of-bounds pointer the parser hands out, then the
 * arena is freed (a leak fails under ASan).  Built as fuzz_mime with
 * -DMS_FUZZ=ON, and as replay_fuzz_mime (replay.c) in every build.
 */
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/limits.h"
#include "mail/mail.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Sum of bytes, so that reads of the whole buffer cannot be optimised
 * away; the result is written to a volatile sink. */
static volatile unsigned	sink;

static unsigned
touch(const void *p, size_t n)
{
	const unsigned char	*c = p;
	unsigned		 s = 0;
	size_t			 i;

	if (p == NULL)
		return 0;
	for (i = 0; i < n; i++)
		s += c[i];
	return s;
}

static unsigned
touch_str(const char *s)
{
	return s ? touch(s, strlen(s) + 1) : 0;
}

static unsigned
touch_addr(const struct mail_addr *ad)
{
	return ad ? touch_str(ad->name) + touch_str(ad->addr) : 0;
}

static unsigned
touch_msg(const struct mail_msg *m, int depth)
{
	const struct mail_email	*e;
	const struct mail_part	*p;
	const struct mail_header *h;
	const struct mail_hop	*hop;
	unsigned		 s = 0;
	size_t			 i;

	/* The parser bounds nesting by LIMIT_MIME_DEPTH; this bound keeps
	 * the driver's own recursion finite whatever the parser does. */
	if (m == NULL || depth > 2 * LIMIT_MIME_DEPTH + 8)
		return 0;
	e = &m->email;
	s += touch_str(e->subject) + touch_str(e->date);
	s += touch_str(e->message_id) + touch_str(e->in_reply_to);
	s += touch_addr(e->from) + touch_addr(e->reply_to);
	s += touch_addr(e->sender) + touch_addr(e->return_path);
	for (i = 0; i < e->to.n; i++)
		s += touch_addr(e->to.v[i]);
	for (i = 0; i < e->cc.n; i++)
		s += touch_addr(e->cc.v[i]);
	for (i = 0; i < e->headers.n; i++) {
		h = e->headers.v[i];
		s += touch_str(h->name) + touch_str(h->value);
	}
	for (i = 0; i < e->received.n; i++) {
		hop = e->received.v[i];
		s += touch_str(hop->from) + touch_str(hop->by);
		s += touch_str(hop->ip) + touch_str(hop->date);
	}
	s += touch_str(e->originating_ip);
	s += touch(e->text, e->text_len) + touch(e->html, e->html_len);
	for (i = 0; i < m->parts.n; i++) {
		p = m->parts.v[i];
		s += touch_str(p->path) + touch_str(p->content_type);
		s += touch_str(p->charset) + touch_str(p->file_name);
		s += touch_str(p->disposition) + touch_str(p->content_id);
		s += touch(p->data, p->len);
		if (p->embedded != NULL)
			s += touch_msg(p->embedded, depth + 1);
	}
	return s;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mail_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		*a = arena_new(LIMIT_MSG_ARENA);
	struct arena_vec	 findings = { 0 };
	struct mail_msg		*m = NULL;
	struct finding		*f;
	size_t			 i;

	(void)mail_parse(a, (const char *)data, size, &findings, &m);
	if (m != NULL)
		sink += touch_msg(m, 0);
	for (i = 0; i < findings.n; i++) {
		f = findings.v[i];
		sink += touch_str(f->id) + touch_str(f->part) +
		    touch_str(f->detail);
	}
	arena_free(a);
	return 0;
}
