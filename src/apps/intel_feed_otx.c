/* SPDX-License-Identifier: Apache-2.0 */
/*
 * intel_feed_otx.c -- AlienVault OTX pulses: a JSON list of pulses, or
 * the API's {"results": [...]} page.  Each pulse's indicators of network
 * and hash types become indicators; the pulse's name is an attribution
 * of type "event", its adversary a threat actor, its malware families
 * malware, its tags tags.  Trusts nothing: members of the wrong type are
 * ignored, indicators of other types skipped and counted.
 */
#include <string.h>

#include <glib.h>

#include "intel_feed_int.h"

/* What one pulse gives its indicators. */
struct otx_pulse {
	struct intel_indicator	 ind;
	const char		*tags[INTEL_FEED_MAX_TAGS];
	struct intel_attrib	 at[INTEL_FEED_MAX_ATTRIB];
};

static int
otx_kind(const char *t)
{
	static const struct {
		const char	*type;
		int		 kind;
	} map[] = {
		{ "IPv4", INTEL_IP }, { "IPv6", INTEL_IP },
		{ "CIDR", INTEL_IP },
		{ "domain", INTEL_DOMAIN }, { "hostname", INTEL_DOMAIN },
		{ "URL", INTEL_URL }, { "FileHash-MD5", INTEL_HASH },
		{ "FileHash-SHA1", INTEL_HASH },
		{ "FileHash-SHA256", INTEL_HASH }, { "email", INTEL_EMAIL },
	};
	size_t	i;

	for (i = 0; t != NULL && i < MS_ARRAY_LEN(map); i++)
		if (strcmp(t, map[i].type) == 0)
			return map[i].kind;
	return -1;
}

static const json_t *
pulses_of(const json_t *root)
{
	return json_is_array(root) ? root : json_object_get(root, "results");
}

int
intel_feed__otx_detect(json_t *root)
{
	const json_t	*p = json_array_get(pulses_of(root), 0);

	return json_is_array(json_object_get(p, "indicators")) &&
	    json_object_get(p, "name") != NULL;
}

static void
pulse_init(struct otx_pulse *op, const json_t *p)
{
	struct intel_indicator	*ind = &op->ind;
	const json_t		*a;
	const char		*s;
	size_t			 i;

	intel_feed__ind_init(ind);
	ind->tags = op->tags;
	ind->attrib = op->at;
	ind->source = json_string_value(json_object_get(p, "author_name"));
	s = json_string_value(json_object_get(p, "TLP"));
	if (s == NULL)
		s = json_string_value(json_object_get(p, "tlp"));
	if (s != NULL && g_ascii_strcasecmp(s, "white") == 0)
		ind->tlp = "clear";
	else if (s != NULL && (g_ascii_strcasecmp(s, "green") == 0 ||
	    g_ascii_strcasecmp(s, "amber") == 0 ||
	    g_ascii_strcasecmp(s, "red") == 0))
		ind->tlp = g_ascii_tolower(*s) == 'g' ? "green" :
		    g_ascii_tolower(*s) == 'a' ? "amber" : "red";
	op->at[0].type = "event";
	op->at[0].name = json_string_value(json_object_get(p, "name"));
	ind->nattrib = op->at[0].name != NULL;
	s = json_string_value(json_object_get(p, "adversary"));
	if (s != NULL && *s != '\0') {
		op->at[ind->nattrib].type = "threat-actor";
		op->at[ind->nattrib++].name = s;
	}
	a = json_object_get(p, "malware_families");
	for (i = 0; i < json_array_size(a) && ind->nattrib <
	    INTEL_FEED_MAX_ATTRIB; i++) {
		s = json_string_value(json_array_get(a, i));
		if (s == NULL)	/* {"id": ..., "display_name": ...} */
			s = json_string_value(json_object_get(
			    json_array_get(a, i), "display_name"));
		if (s != NULL && *s != '\0') {
			op->at[ind->nattrib].type = "malware";
			op->at[ind->nattrib++].name = s;
		}
	}
	a = json_object_get(p, "tags");
	for (i = 0; i < json_array_size(a) && ind->ntags <
	    INTEL_FEED_MAX_TAGS; i++)
		if ((s = json_string_value(json_array_get(a, i))) != NULL)
			op->tags[ind->ntags++] = s;
	s = json_string_value(json_object_get(p, "modified"));
	ind->last_seen = s != NULL ? intel_feed__time(s, strlen(s)) : 0;
}

static void
pulse(struct intel_feed__ctx *c, struct otx_pulse *op, const json_t *p)
{
	struct intel_indicator	*ind = &op->ind;
	const json_t		*arr = json_object_get(p, "indicators"), *it;
	const char		*v, *s;
	enum intel_kind		 k;
	size_t			 i;
	int			 want;

	pulse_init(op, p);
	for (i = 0; i < json_array_size(arr) && !c->stopped; i++) {
		it = json_array_get(arr, i);
		want = otx_kind(json_string_value(json_object_get(it,
		    "type")));
		v = json_string_value(json_object_get(it, "indicator"));
		if (want < 0 || v == NULL ||
		    !intel_feed__classify(v, strlen(v), &k) || (int)k != want) {
			c->rep->skipped++;
			continue;
		}
		ind->kind = k;
		ind->value = v;
		s = json_string_value(json_object_get(it, "description"));
		ind->description = s != NULL && *s != '\0' ? s : NULL;
		s = json_string_value(json_object_get(it, "created"));
		ind->first_seen = s != NULL ? intel_feed__time(s, strlen(s)) :
		    0;
		s = json_string_value(json_object_get(it, "expiration"));
		ind->expires = s != NULL ? intel_feed__time(s, strlen(s)) : 0;
		(void)intel_feed__emit(c, ind);
	}
}

enum ms_err
intel_feed__otx(struct intel_feed__ctx *c, json_t *root)
{
	const json_t		*ps = pulses_of(root);
	struct otx_pulse	*op = g_malloc(sizeof(*op));
	size_t			 i;

	g_strlcpy(c->rep->format, "otx", sizeof(c->rep->format));
	for (i = 0; i < json_array_size(ps) && !c->stopped; i++) {
		if (json_is_array(json_object_get(json_array_get(ps, i),
		    "indicators")))
			pulse(c, op, json_array_get(ps, i));
		else
			c->rep->skipped++;
	}
	g_free(op);
	return MS_OK;
}
