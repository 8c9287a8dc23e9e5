/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_intel_feed.c -- the feed readers against the real feed samples in
 * MS_CORPUS/threat-intel-feeds (STIX 2.1 examples and threat reports,
 * a MISP feed directory and events, Spamhaus, DShield, Bambenek, Team
 * Cymru, URLhaus-derived lists, PhishTank, OpenPhish).  Every count and
 * value asserted here was read off the files themselves.  Small feeds
 * written by the tests cover what the corpus lacks (TLP markings, hash
 * algorithms, restSearch output) and hostile input: garbage, limits at
 * and past the bound, path tricks in a manifest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <glib.h>

#include "apps/intel.h"
#include "apps/intel_feed_int.h"

#define FEEDS	MS_CORPUS "/threat-intel-feeds"
#define INTELMQ	FEEDS "/intelmq-feed-samples"
#define STIX	FEEDS "/stix21-examples"
#define MISP	FEEDS "/misp"
#define URLHAUS	FEEDS "/urlhaus-derived-lists"

static char	*tmpdir;

/* One indicator as the sink saw it, copied out. */
struct got {
	enum intel_kind	 kind;
	char		*value;
	char		*source;
	char		*tlp;
	char		*tags;		/* "a;b;c" */
	char		*attrib;	/* "type:name;type:name" */
	char		*desc;
	int		 confidence;
	int		 subdomains;
	int		 threat_level;
	int64_t		 first_seen, last_seen, expires;
};

struct run {
	GPtrArray			*got;
	struct intel_feed_report	 rep;
	char				 err[512];
	enum ms_err			 rc;
	size_t				 stop_after;	/* 0: never */
};

static void
got_free(gpointer p)
{
	struct got	*g = p;

	g_free(g->value);
	g_free(g->source);
	g_free(g->tlp);
	g_free(g->tags);
	g_free(g->attrib);
	g_free(g->desc);
	g_free(g);
}

static int
sink(void *arg, const struct intel_indicator *ind)
{
	struct run	*r = arg;
	struct got	*g = g_new0(struct got, 1);
	GString		*s;
	size_t		 i;

	g->kind = ind->kind;
	g->value = g_strdup(ind->value);
	g->source = g_strdup(ind->source);
	g->tlp = g_strdup(ind->tlp);
	g->desc = g_strdup(ind->description);
	s = g_string_new(NULL);
	for (i = 0; i < ind->ntags; i++)
		g_string_append_printf(s, "%s%s", i ? ";" : "", ind->tags[i]);
	g->tags = g_string_free(s, FALSE);
	s = g_string_new(NULL);
	for (i = 0; i < ind->nattrib; i++)
		g_string_append_printf(s, "%s%s:%s", i ? ";" : "",
		    ind->attrib[i].type, ind->attrib[i].name);
	g->attrib = g_string_free(s, FALSE);
	g->confidence = ind->confidence;
	g->subdomains = ind->subdomains;
	g->threat_level = ind->threat_level;
	g->first_seen = ind->first_seen;
	g->last_seen = ind->last_seen;
	g->expires = ind->expires;
	g_ptr_array_add(r->got, g);
	return r->stop_after != 0 && r->got->len >= r->stop_after;
}

static struct run *
run(const char *path)
{
	struct run	*r = g_new0(struct run, 1);

	r->got = g_ptr_array_new_with_free_func(got_free);
	r->rc = intel_feed_parse_path(path, sink, r, &r->rep, r->err,
	    sizeof(r->err));
	return r;
}

static void
run_free(struct run *r)
{
	g_ptr_array_unref(r->got);
	g_free(r);
}

/* The first indicator with this value, or NULL. */
static struct got *
find(struct run *r, const char *value)
{
	guint	i;

	for (i = 0; i < r->got->len; i++) {
		struct got	*g = g_ptr_array_index(r->got, i);

		if (strcmp(g->value, value) == 0)
			return g;
	}
	return NULL;
}

static struct got *
must_find(struct run *r, const char *value)
{
	struct got	*g = find(r, value);

	if (g == NULL)
		fail_msg("indicator %s not found", value);
	return g;
}

static size_t
count_kind(struct run *r, enum intel_kind k)
{
	size_t	i, n = 0;

	for (i = 0; i < r->got->len; i++)
		n += ((struct got *)g_ptr_array_index(r->got, i))->kind == k;
	return n;
}

static char *
write_tmp(const char *name, const char *text)
{
	char	*p = g_build_filename(tmpdir, name, NULL);

	assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

/* --- lists ----------------------------------------------------------- */

static void
urlhaus_domains(void **state)
{
	struct run	*r = run(URLHAUS "/urlhaus-filter-domains-online.txt");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "list");
	/* 2859 lines, 6 of them "# Title:" ... comments. */
	assert_int_equal(r->rep.indicators, 2853);
	assert_int_equal(r->rep.skipped, 0);
	assert_int_equal(r->rep.files, 1);
	g = g_ptr_array_index(r->got, 0);
	assert_string_equal(g->value, "0022a601.pphost.net");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	/* A domain blocklist: the names and what is under them. */
	assert_int_equal(g->subdomains, 1);
	g = must_find(r, "1.1.109.99");
	assert_int_equal(g->kind, INTEL_IP);
	assert_int_equal(g->subdomains, 0);
	assert_null(g->source);
	assert_int_equal(g->confidence, -1);
	run_free(r);
}

static void
urlhaus_hosts_and_ips(void **state)
{
	struct run	*r = run(URLHAUS "/urlhaus-filter-hosts-online.txt");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 619);
	assert_int_equal(r->rep.skipped, 0);
	g = g_ptr_array_index(r->got, r->got->len - 1);
	assert_string_equal(g->value, "zotzed.deborahjulene.com");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	/* "0.0.0.0 host" names one host only. */
	assert_int_equal(g->subdomains, 0);
	assert_null(find(r, "0.0.0.0"));
	run_free(r);

	r = run(URLHAUS "/urlhaus-filter-dnscrypt-blocked-ips-online.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2234);
	assert_int_equal(count_kind(r, INTEL_IP), 2234);
	assert_non_null(find(r, "1.15.34.67"));
	run_free(r);
}

static void
urlhaus_splunk_csv(void **state)
{
	struct run	*r = run(URLHAUS "/urlhaus-filter-splunk-online.csv");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "csv");
	/* 6370 lines: 6 comments, the "host","path",... header. */
	assert_int_equal(r->rep.indicators, 6363);
	assert_int_equal(r->rep.skipped, 0);
	/* 3510 rows have a path: those are URLs. */
	assert_int_equal(count_kind(r, INTEL_URL), 3510);
	g = must_find(r, "http://2024.sci-hub.se/2294/"
	    "7a43bb4cf6c57229b02a9604a1f4614e/skidmore1966.pdf");
	assert_int_equal(g->kind, INTEL_URL);
	/* "updated": 2025-07-19T12:11:28Z. */
	assert_int_equal(g->last_seen, 1752927088);
	assert_string_equal(g->desc, "urlhaus-filter malicious website "
	    "detected");
	g = must_find(r, "0022a601.pphost.net");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	/* A URL's host, not a registered domain. */
	assert_int_equal(g->subdomains, 0);
	run_free(r);
}

/* The corpus has no raw URLhaus dump (SOURCE.txt); this one follows the
 * upstream csv_recent layout: a banner, then the header as a comment. */
static const char urlhaus_recent[] =
"################################################################\n"
"# abuse.ch URLhaus Database Dump (CSV - recent URLs)           #\n"
"################################################################\n"
"#\n"
"# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,"
"reporter\n"
"\"3017541\",\"2024-06-01 10:15:03\",\"http://192.0.2.77:45123/i\","
"\"online\",\"2024-06-01 11:00:00\",\"malware_download\","
"\"32-bit,elf,mips,Mozi\",\"https://urlhaus.abuse.ch/url/3017541/\","
"\"lrz_urlhaus\"\r\n"
"\"3017540\",\"2024-06-01 10:14:02\",\"https://bad.example/a,b.exe\","
"\"offline\",\"None\",\"malware_download\",\"None\","
"\"https://urlhaus.abuse.ch/url/3017540/\",\"abuse_ch\"\r\n"
"\"3017539\",\"2024-06-01 10:13:01\",\"not a url\",\"online\","
"\"\",\"\",\"\",\"\",\"\"\r\n";

static void
urlhaus_csv_recent(void **state)
{
	char		*p = write_tmp("csv.txt", urlhaus_recent);
	struct run	*r = run(p);
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "csv");
	assert_int_equal(r->rep.indicators, 2);
	assert_int_equal(r->rep.skipped, 1);
	g = must_find(r, "http://192.0.2.77:45123/i");
	assert_int_equal(g->kind, INTEL_URL);
	/* dateadded 2024-06-01 10:15:03, last_online 11:00:00 */
	assert_int_equal(g->first_seen, 1717236903);
	assert_int_equal(g->last_seen, 1717239600);
	assert_string_equal(g->tags, "malware_download;32-bit;elf;mips;Mozi");
	/* A comma inside quotes; "None" is no date and no tag. */
	g = must_find(r, "https://bad.example/a,b.exe");
	assert_int_equal(g->last_seen, 0);
	assert_string_equal(g->tags, "malware_download");
	assert_null(find(r, "https://urlhaus.abuse.ch/url/3017541/"));
	run_free(r);
	unlink(p);
	g_free(p);
}

static void
phishing_feeds(void **state)
{
	struct run	*r;
	struct got	*g;

	(void)state;
	r = run(FEEDS "/spamassassin-phishing-feeds/phishtank-feed.csv");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "csv");
	assert_int_equal(r->rep.indicators, 2);
	g = g_ptr_array_index(r->got, 0);
	assert_int_equal(g->kind, INTEL_URL);
	assert_string_equal(g->value, "http://www.nlcmacon.com/login/"
	    "www.made-in-china.com/Made-in-China.htm");
	/* submission_time 2018-08-29T06:15:18+00:00, target "Other". */
	assert_int_equal(g->first_seen, 1535523318);
	assert_string_equal(g->tags, "Other");
	g = g_ptr_array_index(r->got, 1);
	assert_string_equal(g->tags, "PayPal");
	run_free(r);

	r = run(FEEDS "/spamassassin-phishing-feeds/openphish-feed.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2);
	assert_non_null(find(r, "https://ehawkerbd.com/wp/wp-admin/js/"
	    "office365/auth.php"));
	run_free(r);

	r = run(INTELMQ "/openphish/feed.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2);
	assert_int_equal(count_kind(r, INTEL_URL), 2);
	run_free(r);
}

static void
spamhaus(void **state)
{
	struct run	*r;
	struct got	*g;

	(void)state;
	r = run(INTELMQ "/spamhaus/drop.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2);
	g = must_find(r, "1.4.0.0/17");
	assert_int_equal(g->kind, INTEL_IP);
	assert_string_equal(g->desc, "SBL256893");
	g = must_find(r, "2a06:e480::/29");
	assert_int_equal(g->kind, INTEL_IP);
	run_free(r);

	r = run(INTELMQ "/spamhaus/asndrop.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2);
	g = must_find(r, "AS260");
	assert_int_equal(g->kind, INTEL_ASN);
	assert_string_equal(g->desc, "AE | XCONNECT24 - Xconnect24 Inc., US");
	assert_non_null(find(r, "AS10516"));
	run_free(r);

	/* "; ip, asn, country, lastseen, botname, ..." is the header. */
	r = run(INTELMQ "/spamhaus/cert.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 19);
	assert_int_equal(r->rep.skipped, 0);
	g = g_ptr_array_index(r->got, 0);
	assert_string_equal(g->value, "109.126.64.2");
	assert_int_equal(g->last_seen, 1441008970);
	assert_string_equal(g->tags, "asprox");
	run_free(r);
}

static void
dshield_cymru_blocklistde(void **state)
{
	struct run	*r;
	struct got	*g;

	(void)state;
	/* Start, end and netblock columns make a CIDR. */
	r = run(INTELMQ "/dshield/block.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2);
	assert_int_equal(r->rep.skipped, 0);
	assert_int_equal(((struct got *)g_ptr_array_index(r->got, 0))->kind,
	    INTEL_IP);
	assert_non_null(find(r, "43.229.53.0/24"));
	assert_non_null(find(r, "194.63.140.0/24"));
	assert_null(find(r, "admin@v6nic.net"));
	run_free(r);

	/* "# Format: report|ip|asn|timestamp|comments|asn_name". */
	r = run(INTELMQ "/cymru/infected_20171031.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 9);
	g = g_ptr_array_index(r->got, 0);
	assert_string_equal(g->value, "172.16.0.21");
	assert_string_equal(g->tags, "bruteforce");
	assert_string_equal(g->desc, "ssh");
	assert_int_equal(g->last_seen, 1509444000);	/* 2017-10-31 10:00 */
	run_free(r);

	r = run(INTELMQ "/blocklistde/imap.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 6);
	assert_non_null(find(r, "203.0.113.254"));
	run_free(r);
}

static void
bambenek(void **state)
{
	struct run	*r;
	struct got	*g;

	(void)state;
	r = run(INTELMQ "/bambenek/c2-dommasterlist.txt");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "csv");
	assert_int_equal(r->rep.indicators, 1);
	g = must_find(r, "sfkh21okrrnlu.com");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	assert_int_equal(g->subdomains, 1);
	assert_string_equal(g->attrib, "malware:shiotob/urlzone/bebloh");
	assert_int_equal(g->first_seen, 1478962920);	/* 2016-11-12 15:02 */
	run_free(r);

	r = run(INTELMQ "/bambenek/c2-ipmasterlist.txt");
	assert_int_equal(r->rc, MS_OK);
	g = must_find(r, "213.247.47.190");
	assert_int_equal(g->kind, INTEL_IP);
	assert_string_equal(g->attrib, "malware:shiotob/urlzone/bebloh");
	run_free(r);

	r = run(INTELMQ "/bambenek/dga-feed.txt");
	assert_int_equal(r->rc, MS_OK);
	g = must_find(r, "xqmclnusaswvof.com");
	assert_string_equal(g->attrib, "malware:Cryptolocker");
	assert_int_equal(g->first_seen, 1478736000);	/* 2016-11-10 */
	run_free(r);
}

static void
refused_files(void **state)
{
	struct run	*r;
	char		*p;

	(void)state;
	r = run(INTELMQ "/html_table/feodotracker.html");
	assert_int_equal(r->rc, MS_EPARSE);
	assert_non_null(strstr(r->err, "feodotracker.html: "));
	assert_non_null(strstr(r->err, "HTML"));
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);

	/* md5 digests of attribute values are not file hashes. */
	r = run(MISP "/feed-constructed/hashes.csv");
	assert_int_equal(r->rc, MS_EPARSE);
	assert_non_null(strstr(r->err, "hashes.csv: line 1: "));
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);

	/* JSON of no known shape. */
	p = write_tmp("other.json", "{\"feed\": [\"192.0.2.1\"]}");
	r = run(p);
	assert_int_equal(r->rc, MS_EPARSE);
	assert_non_null(strstr(r->err, "other.json: JSON that is no STIX"));
	run_free(r);
	unlink(p);
	g_free(p);

	r = run(FEEDS "/no-such-feed.txt");
	assert_int_equal(r->rc, MS_EIO);
	assert_non_null(strstr(r->err, "no-such-feed.txt"));
	run_free(r);

	/* A directory that is no MISP feed. */
	r = run(FEEDS "/stix21-examples");
	assert_int_equal(r->rc, MS_EPARSE);
	assert_non_null(strstr(r->err, "manifest.json"));
	run_free(r);
}

/* --- STIX ------------------------------------------------------------ */

static void
stix_examples(void **state)
{
	struct run	*r;
	struct got	*g;

	(void)state;
	r = run(STIX "/indicator-for-c2-ip-address.json");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "stix2.1");
	assert_int_equal(r->rep.indicators, 1);
	g = must_find(r, "10.0.0.0");
	assert_int_equal(g->kind, INTEL_IP);
	assert_string_equal(g->tags, "malicious-activity");
	assert_int_equal(g->first_seen, 1399539600);	/* 2014-05-08T09:00 */
	assert_string_equal(g->attrib, "");
	run_free(r);

	r = run(STIX "/indicators-for-C2-with-COA.json");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 2);
	g = must_find(r, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b76"
	    "5448c8635fb6c");
	assert_int_equal(g->kind, INTEL_HASH);
	assert_string_equal(g->source, "The MITRE Corporation - DHS Support "
	    "Team");
	assert_string_equal(g->attrib, "malware:Poison Ivy");
	g = must_find(r, "10.0.0.0");
	assert_string_equal(g->attrib, "malware:Poison Ivy");
	run_free(r);

	r = run(STIX "/indicator-to-campaign-relationship.json");
	assert_int_equal(r->rc, MS_OK);
	g = must_find(r, "10.0.0.0");
	assert_string_equal(g->attrib, "campaign:Operation Omega");
	run_free(r);

	/* Subject and attachment-name regexes: nothing to look up. */
	r = run(STIX "/malicious-email-indicator-with-attachment.json");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 0);
	assert_int_equal(r->rep.skipped, 2);
	run_free(r);

	/* Infrastructure with an ipv4-addr and a domain-name SCO: facts,
	 * not indicators. */
	r = run(STIX "/infrastructure.json");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);

	/* One campaign object, no bundle. */
	r = run(STIX "/interop-objectmarking-test.json");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);

	/* PyMISP's STIX 2.0 export holds observed-data only. */
	r = run(MISP "/pymisp-events/stix2.json");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "stix2.0");
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);
}

static void
stix_apt1(void **state)
{
	struct run	*r = run(STIX "/threat-reports/apt1.json");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	/* 12 indicators: 4 CIDRs, 3 domains, 3 md5s, and 2 x509 patterns
	 * of two comparisons each that we cannot use. */
	assert_int_equal(r->rep.indicators, 10);
	assert_int_equal(r->rep.skipped, 4);
	assert_int_equal(count_kind(r, INTEL_IP), 4);
	assert_int_equal(count_kind(r, INTEL_DOMAIN), 3);
	assert_int_equal(count_kind(r, INTEL_HASH), 3);
	/* indicator -indicates-> Ugly Gorilla <-attributed-to- APT1; Ugly
	 * Gorilla's own malware (MANITSME, WEBC2-UGX) is not followed. */
	g = must_find(r, "hugesoft.org");
	assert_string_equal(g->attrib, "threat-actor:Ugly Gorilla;"
	    "intrusion-set:APT1");
	assert_int_equal(g->subdomains, 0);
	g = must_find(r, "223.166.0.0/15");
	assert_int_equal(g->kind, INTEL_IP);
	assert_string_equal(g->attrib,
	    "malware:HUC Packet Transmit Tool (HTRAN)");
	g = must_find(r, "001dd76872d80801692ff942308c64e6");
	assert_int_equal(g->kind, INTEL_HASH);
	assert_string_equal(g->attrib, "");
	run_free(r);
}

static void
stix_poisonivy(void **state)
{
	struct run	*r = run(STIX "/threat-reports/poisonivy.json");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	/* 25 indicators, most "domain OR ip OR ip ..."; skipped: two
	 * file:name comparisons and "domain autuo.xicp.net" (a space). */
	assert_int_equal(r->rep.indicators, 64);
	assert_int_equal(r->rep.skipped, 3);
	assert_null(find(r, "domain autuo.xicp.net"));
	g = must_find(r, "219.76.208.163");
	assert_string_equal(g->tags, "malicious-activity;attribution");
	assert_string_equal(g->attrib, "malware:PIVY Variant "
	    "(808e21d6efa2884811fbd0adf67fda78);campaign:admin@338");
	g = must_find(r, "www.webserver.dynssl.com");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	assert_non_null(strstr(g->attrib, "campaign:admin@338"));
	/* Each comparison of an OR is an indicator of its own. */
	assert_non_null(find(r, "75.126.95.138"));
	/* No relationship names this one. */
	g = must_find(r, "www.webserver.freetcp.com");
	assert_string_equal(g->attrib, "");
	/* menuPass uses twenty variants; an indicator of one is not
	 * attributed to the others. */
	g = must_find(r, "apple.cmdnetview.com");
	assert_non_null(strstr(g->attrib, "campaign:menuPass"));
	assert_true(strlen(g->attrib) < 200);
	run_free(r);
}

/* What the corpus lacks: markings, hash names, odd patterns. */
static const char stix_crafted[] =
"{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
"{\"type\":\"identity\",\"id\":\"identity--a\",\"name\":\"ACME CERT\"},"
"{\"type\":\"marking-definition\",\"id\":\"marking-definition--x\","
" \"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-"
"9e08dde9e88d\":{\"tlp_2_0\":\"amber+strict\"}}},"
"{\"type\":\"malware\",\"id\":\"malware--m\",\"name\":\"Emotet\"},"
"{\"type\":\"malware\",\"id\":\"malware--other\",\"name\":\"Other\"},"
"{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--i\","
" \"name\":\"TA542\"},"
"{\"type\":\"relationship\",\"id\":\"relationship--1\","
" \"relationship_type\":\"indicates\",\"source_ref\":\"indicator--1\","
" \"target_ref\":\"malware--m\"},"
"{\"type\":\"relationship\",\"id\":\"relationship--2\","
" \"relationship_type\":\"uses\",\"source_ref\":\"intrusion-set--i\","
" \"target_ref\":\"malware--m\"},"
"{\"type\":\"relationship\",\"id\":\"relationship--3\","
" \"relationship_type\":\"uses\",\"source_ref\":\"intrusion-set--i\","
" \"target_ref\":\"malware--other\"},"
"{\"type\":\"relationship\",\"id\":\"relationship--4\","
" \"relationship_type\":\"uses\",\"source_ref\":\"indicator--1\","
" \"target_ref\":\"malware--missing\"},"
"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\","
" \"created_by_ref\":\"identity--a\",\"confidence\":80,"
" \"valid_from\":\"2024-01-02T03:04:05.123Z\","
" \"valid_until\":\"2024-02-01T00:00:00Z\","
" \"indicator_types\":[\"malicious-activity\"],"
" \"object_marking_refs\":[\"marking-definition--34098fce-860f-48ae-8e50-"
"ebd3cc5e41da\"],"
" \"pattern\":\"([url:value = 'http://evil.example/a?b=\\\\'c'] AND "
"[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']) OR "
"[email-message:from_ref.value = 'ceo@evil.example' AND "
"email-message:subject = 'hi'] FOLLOWEDBY [ipv6-addr:value = "
"'2001:db8::/32'] WITHIN 600 SECONDS START t'2016-06-01T00:00:00Z' STOP "
"t'2016-07-01T00:00:00Z'\"},"
"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\","
" \"object_marking_refs\":[\"marking-definition--x\"],"
" \"pattern\":\"[domain-name:value LIKE '%.evil.example' OR "
"file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E' OR "
"network-traffic:dst_ref.value = '198.51.100.7' OR "
"autonomous-system:number = 64496 OR ipv4-addr:value IN ('1.2.3.4') OR "
"ipv4-addr:value = 'not an address']\"},"
"{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern_type\":\"sigma\","
" \"pattern\":\"title: x\"},"
"{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern_type\":\"stix\","
" \"pattern\":\"[[[ ''' :::: = = 'x\"},"
"{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--5\",\"value\":\"192.0.2.99\"}"
"]}";

static void
stix_crafted_bundle(void **state)
{
	char		*p = write_tmp("crafted.json", stix_crafted);
	struct run	*r = run(p);
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	g = must_find(r, "http://evil.example/a?b='c");
	assert_int_equal(g->kind, INTEL_URL);
	assert_string_equal(g->source, "ACME CERT");
	assert_string_equal(g->tlp, "green");
	assert_int_equal(g->confidence, 80);
	/* 2024-01-02T03:04:05.123Z */
	assert_int_equal(g->first_seen, 1704164645);
	assert_int_equal(g->expires, 1706745600);	/* 2024-02-01 */
	assert_string_equal(g->tags, "malicious-activity");
	/* indicator -> Emotet <-uses- TA542; not TA542's other malware,
	 * not the dangling reference. */
	assert_string_equal(g->attrib, "malware:Emotet;intrusion-set:TA542");
	g = must_find(r, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	assert_int_equal(g->kind, INTEL_HASH);
	g = must_find(r, "ceo@evil.example");
	assert_int_equal(g->kind, INTEL_EMAIL);
	g = must_find(r, "2001:db8::/32");
	assert_int_equal(g->kind, INTEL_IP);

	g = must_find(r, "evil.example");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	assert_int_equal(g->subdomains, 1);
	assert_string_equal(g->tlp, "amber+strict");
	assert_int_equal(g->confidence, -1);
	assert_null(g->source);
	assert_int_equal(must_find(r,
	    "D41D8CD98F00B204E9800998ECF8427E")->kind, INTEL_HASH);
	assert_int_equal(must_find(r, "198.51.100.7")->kind, INTEL_IP);
	assert_int_equal(must_find(r, "AS64496")->kind, INTEL_ASN);
	assert_null(find(r, "1.2.3.4"));
	assert_null(find(r, "192.0.2.99"));	/* an SCO */
	/* 4 + 4 indicators; skipped: the subject, the IN, the bad
	 * address, the sigma indicator and the garbage pattern. */
	assert_int_equal(r->rep.indicators, 8);
	assert_int_equal(r->rep.skipped, 5);
	run_free(r);
	unlink(p);
	g_free(p);
}

/* --- MISP ------------------------------------------------------------ */

static void
misp_feed_dir(void **state)
{
	struct run	*r = run(MISP "/feed-constructed");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "misp-feed");
	/* manifest.json and its six events. */
	assert_int_equal(r->rep.files, 7);
	assert_int_equal(r->rep.indicators, 298);
	assert_int_equal(r->rep.skipped, 171);
	assert_int_equal(count_kind(r, INTEL_HASH), 255);
	assert_int_equal(count_kind(r, INTEL_DOMAIN), 28);
	assert_int_equal(count_kind(r, INTEL_IP), 9);
	assert_int_equal(count_kind(r, INTEL_URL), 4);
	assert_int_equal(count_kind(r, INTEL_EMAIL), 2);

	/* Event 5b646415: Orgc, galaxy, event info, threat level. */
	g = must_find(r, "ooiasjdnqjwbeasdasd.com");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	assert_string_equal(g->source, "Synovus Financial");
	assert_string_equal(g->attrib, "event:Ursnif, MALWAREMESSIAGH;"
	    "malware:Gozi");
	assert_int_equal(g->threat_level, 3);
	assert_null(g->tlp);
	assert_int_equal(g->confidence, -1);	/* to_ids */

	/* Event 57c4445b "Ransomware - Xorist", tlp:white. */
	g = must_find(r, "0749bae92ca336a02c83d126e04ec628");
	assert_string_equal(g->source, "CIRCL");
	assert_string_equal(g->tlp, "clear");
	assert_string_equal(g->attrib, "event:Ransomware - Xorist");
	assert_non_null(strstr(g->tags, "ms-caro-malware:malware-type="
	    "\"Ransom\""));
	assert_int_equal(g->first_seen, 1472428800);	/* date 2016-08-29 */

	/* Event 5acc88e9: Galaxy clusters; attack patterns and
	 * guidelines are no attribution. */
	g = must_find(r, "3208efe96d14f5a6a2840daecbead6b0f4d73c5a05192a1a8ee"
	    "f8b50bbfb4bc1");
	assert_non_null(strstr(g->attrib, "intrusion-set:APT1 - G0006"));
	assert_non_null(strstr(g->attrib, "malware:BACKSPACE - S0031"));
	assert_null(strstr(g->attrib, "Defacement"));

	/* Event 5c066053: attributes of objects only; galaxies only as
	 * misp-galaxy tags. */
	g = must_find(r, "9b23bfc35b18ed80104c496b2aa722b3e56ff9ceb9dae60d1af"
	    "f7230321c1d12");
	assert_int_equal(g->kind, INTEL_HASH);
	assert_string_equal(g->attrib, "event:MAR-10164494.r1.v1 (SamSam "
	    "ransomware);malware:SamSam;malware:Samas-Samsam");
	run_free(r);
}

static void
misp_feed_values(void **state)
{
	struct run	*r = run(MISP "/feed-constructed");
	struct got	*g;

	(void)state;
	/* to_ids false: kept, with low confidence and a tag. */
	g = must_find(r, "bill_clay6801@yahoo.com");
	assert_int_equal(g->kind, INTEL_EMAIL);
	assert_int_equal(g->confidence, 25);
	assert_non_null(strstr(g->tags, "to_ids:false"));
	g = must_find(r, "akm.epac.to");
	assert_int_equal(g->confidence, -1);
	assert_int_equal(g->last_seen, 1461067951);
	assert_string_equal(g->desc, "Imported via the freetext import.");
	run_free(r);
}

static void
misp_single_files(void **state)
{
	struct run	*r;
	struct got	*g;

	(void)state;
	r = run(MISP "/feed-constructed/57c4445b-c548-4654-af0b-"
	    "4be3950d210f.json");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "misp-event");
	/* md5, sha1, sha256; links, text, regkey and filename skipped. */
	assert_int_equal(r->rep.indicators, 3);
	assert_int_equal(r->rep.skipped, 6);
	run_free(r);

	/* A bare event, as intelmq's sample has it. */
	r = run(INTELMQ "/misp/misp_event.json");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "misp-event");
	assert_int_equal(r->rep.indicators, 1);
	g = must_find(r, "http://fake.example.com/malware/is/here");
	assert_string_equal(g->source, "ORGNAME");
	assert_int_equal(g->threat_level, 1);
	assert_int_equal(g->confidence, 25);
	assert_string_equal(g->attrib, "event:A Random Event");
	assert_string_equal(g->tags, "ecsirt:malicious-code=\"ransomware\";"
	    "for_intelmq_processing;to_ids:false");
	run_free(r);

	r = run(INTELMQ "/misp/misp_attribute.json");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "misp-attributes");
	assert_int_equal(r->rep.indicators, 1);
	g = must_find(r, "http://fake.example.com/malware/is/here");
	assert_int_equal(g->last_seen, 1465681304);
	run_free(r);

	r = run(MISP "/pymisp-events/new_misp_event.json");
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);

	/* The RFC's sample manifest alone: its events are not here. */
	r = run(MISP "/rfc-examples/rfc-sample-manifest.json");
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "misp-feed");
	assert_int_equal(r->rep.indicators, 0);
	assert_int_equal(r->rep.skipped, 2);
	run_free(r);
}

static const char misp_rest[] =
"{\"response\":{\"Attribute\":["
"{\"type\":\"domain|ip\",\"value\":\"bad.example|192.0.2.5\","
" \"to_ids\":true,\"timestamp\":\"1700000000\","
" \"Event\":{\"info\":\"Phish wave\",\"Orgc\":{\"name\":\"ACME\"},"
"  \"threat_level_id\":\"2\"},"
" \"Tag\":[{\"name\":\"tlp:amber\"},"
"  {\"name\":\"misp-galaxy:threat-actor=\\\"Sofacy\\\"\"}]},"
"{\"type\":\"ip-dst|port\",\"value\":\"198.51.100.1|8080\","
" \"to_ids\":true},"
"{\"type\":\"filename|sha256\",\"value\":\"a.exe|"
"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
" \"to_ids\":true},"
"{\"type\":\"AS\",\"value\":\"64500\",\"to_ids\":true},"
"{\"type\":\"md5\",\"value\":\"not a hash\",\"to_ids\":true},"
"{\"type\":\"url\",\"value\":\"http://gone.example/\",\"deleted\":true},"
"{\"type\":\"link\",\"value\":\"https://blog.example/\"},"
"{\"value\":\"no type\"}"
"]}}";

static void
misp_rest_search(void **state)
{
	char		*p = write_tmp("rest.json", misp_rest);
	struct run	*r = run(p);
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "misp-attributes");
	assert_int_equal(r->rep.indicators, 5);
	/* the bad md5, the link and the typeless one; the deleted one is
	 * not counted. */
	assert_int_equal(r->rep.skipped, 3);
	g = must_find(r, "bad.example");
	assert_int_equal(g->kind, INTEL_DOMAIN);
	assert_string_equal(g->tlp, "amber");
	assert_string_equal(g->source, "ACME");
	assert_int_equal(g->threat_level, 2);
	assert_string_equal(g->attrib, "event:Phish wave;"
	    "threat-actor:Sofacy");
	assert_int_equal(g->last_seen, 1700000000);
	g = must_find(r, "192.0.2.5");
	assert_int_equal(g->kind, INTEL_IP);
	assert_string_equal(g->tlp, "amber");
	assert_int_equal(must_find(r, "198.51.100.1")->kind, INTEL_IP);
	assert_null(find(r, "8080"));
	assert_null(find(r, "a.exe"));
	assert_int_equal(must_find(r, "e3b0c44298fc1c149afbf4c8996fb92427ae41"
	    "e4649b934ca495991b7852b855")->kind, INTEL_HASH);
	assert_int_equal(must_find(r, "AS64500")->kind, INTEL_ASN);
	assert_null(find(r, "http://gone.example/"));
	run_free(r);
	unlink(p);
	g_free(p);
}

static void
misp_manifest_paths(void **state)
{
	char		*d = g_build_filename(tmpdir, "feed", NULL);
	char		*m, *e;
	struct run	*r;

	(void)state;
	assert_int_equal(mkdir(d, 0700), 0);
	m = g_build_filename(d, "manifest.json", NULL);
	e = g_build_filename(d, "00000000-0000-0000-0000-000000000001.json",
	    NULL);
	assert_true(g_file_set_contents(m, "{"
	    "\"../../../../etc/passwd\":{\"info\":\"x\"},"
	    "\"00000000-0000-0000-0000-000000000001\":{\"info\":\"ok\"},"
	    "\"00000000-0000-0000-0000-000000000002\":{\"info\":\"gone\"}}",
	    -1, NULL));
	assert_true(g_file_set_contents(e, "{\"Event\":{\"info\":\"ok\","
	    "\"Attribute\":[{\"type\":\"ip-src\",\"value\":\"192.0.2.1\","
	    "\"to_ids\":true}]}}", -1, NULL));
	r = run(d);
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 1);
	/* The traversal key and the missing event. */
	assert_int_equal(r->rep.skipped, 2);
	assert_string_equal(must_find(r, "192.0.2.1")->attrib, "event:ok");
	run_free(r);
	unlink(e);
	unlink(m);
	rmdir(d);
	g_free(e);
	g_free(m);
	g_free(d);
}

static void
otx(void **state)
{
	struct run	*r = run(INTELMQ "/alienvault/test_parser_otx.data");
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "otx");
	/* Five pulses, 95 indicators: two URIs and a CVE skipped. */
	assert_int_equal(r->rep.indicators, 92);
	assert_int_equal(r->rep.skipped, 3);
	assert_int_equal(count_kind(r, INTEL_HASH), 58);
	assert_int_equal(count_kind(r, INTEL_DOMAIN), 19);
	assert_int_equal(count_kind(r, INTEL_IP), 9);
	g = must_find(r, "http://107.6.172.54/woolen/");
	assert_int_equal(g->kind, INTEL_URL);
	assert_string_equal(g->source, "AlienVault");
	assert_string_equal(g->attrib, "event:The Spy Kittens Are Back: "
	    "Rocket Kitten 2");
	assert_non_null(strstr(g->tags, "rocket kitten"));
	assert_int_equal(g->first_seen, 1441185713);	/* 2015-09-02 09:21 */
	assert_null(g->tlp);
	g = must_find(r, "russiauyghur.top");
	assert_string_equal(g->tlp, "green");
	g = must_find(r, "134.119.36.135");
	assert_string_equal(g->source, "bschlaps");
	assert_string_equal(g->tlp, "clear");
	assert_string_equal(g->attrib, "event:Alert (TA17-164A)");
	run_free(r);
}

/* The corpus has Spamhaus' text lists only; their JSON-lines form
 * (drop_v4.json, asndrop.json) is written here after Spamhaus' docs. */
static void
jsonl(void **state)
{
	char		*p = write_tmp("drop_v4.json",
	    "{\"cidr\":\"1.10.16.0/20\",\"sblid\":\"SBL256894\","
	    "\"rir\":\"apnic\"}\n"
	    "{\"asn\":6517,\"rir\":\"arin\",\"domain\":"
	    "\"reliablehosting.com\",\"cc\":\"US\",\"asname\":"
	    "\"RELIABLESITE\"}\n"
	    "not json\n"
	    "{\"cidr\":\"not an address\"}\n"
	    "{\"type\":\"metadata\",\"timestamp\":1700000000}\n");
	struct run	*r = run(p);
	struct got	*g;

	(void)state;
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "jsonl");
	assert_int_equal(r->rep.indicators, 2);
	assert_int_equal(r->rep.skipped, 2);
	g = must_find(r, "1.10.16.0/20");
	assert_int_equal(g->kind, INTEL_IP);
	assert_string_equal(g->desc, "SBL256894");
	/* The AS, not the domain given as its context. */
	g = must_find(r, "AS6517");
	assert_int_equal(g->kind, INTEL_ASN);
	assert_null(find(r, "reliablehosting.com"));
	run_free(r);
	unlink(p);
	g_free(p);
}

/* --- hostile input and limits ---------------------------------------- */

static void
garbage(void **state)
{
	char		 junk[8192];
	char		*p;
	struct run	*r;
	size_t		 i;
	guint32		 x = 12345;

	(void)state;
	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
		if (junk[i] == '{' || junk[i] == '[' || junk[i] == '<')
			junk[i] = 'x';
	}
	p = g_build_filename(tmpdir, "junk.bin", NULL);
	assert_true(g_file_set_contents(p, junk, sizeof(junk), NULL));
	r = run(p);
	assert_int_equal(r->rc, MS_EPARSE);
	assert_non_null(strstr(r->err, "junk.bin: line "));
	assert_non_null(strstr(r->err, "no indicator"));
	run_free(r);

	/* Broken JSON: the error names the line. */
	assert_true(g_file_set_contents(p, "{\"type\": \"bundle\",\n"
	    "\"objects\": [ {\"type\": }", -1, NULL));
	r = run(p);
	assert_int_equal(r->rc, MS_EPARSE);
	assert_non_null(strstr(r->err, "junk.bin: line 2: JSON"));
	run_free(r);

	/* Wrong shapes everywhere. */
	assert_true(g_file_set_contents(p, "{\"type\":\"bundle\",\"id\":"
	    "\"bundle--1\",\"objects\":[1,\"x\",{\"type\":\"indicator\","
	    "\"id\":7,\"pattern\":[]},{\"type\":\"relationship\"}]}", -1,
	    NULL));
	r = run(p);
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 0);
	run_free(r);
	assert_true(g_file_set_contents(p, "{\"Event\":{\"Attribute\":"
	    "[1,{\"type\":3,\"value\":[]}],\"Object\":[null,{\"Attribute\":"
	    "7}],\"Tag\":\"x\",\"Galaxy\":[{\"GalaxyCluster\":1}]}}", -1,
	    NULL));
	r = run(p);
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 0);
	assert_int_equal(r->rep.skipped, 2);
	run_free(r);

	/* A CSV with quotes left open and fields by the hundred. */
	{
		GString	*s = g_string_new("url,tags\n\"http://a.example/,x\n");

		for (i = 0; i < 500; i++)
			g_string_append(s, ",\"\"");
		g_string_append(s, "\nhttp://b.example/,\"t1,t2\"\n");
		assert_true(g_file_set_contents(p, s->str, -1, NULL));
		g_string_free(s, TRUE);
	}
	r = run(p);
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(must_find(r, "http://b.example/")->tags, "t1;t2");
	run_free(r);

	/* Without header: a URL with commas is a list line, a URL and a
	 * date make a CSV. */
	assert_true(g_file_set_contents(p, "http://a.example/?x=1,2\n"
	    "http://b.example/?y=3,4\n", -1, NULL));
	r = run(p);
	assert_string_equal(r->rep.format, "list");
	assert_non_null(find(r, "http://b.example/?y=3,4"));
	run_free(r);
	assert_true(g_file_set_contents(p, "http://a.example/x,"
	    "2024-05-01,Emotet\n", -1, NULL));
	r = run(p);
	assert_string_equal(r->rep.format, "csv");
	assert_int_equal(must_find(r, "http://a.example/x")->first_seen,
	    1714521600);
	run_free(r);
	unlink(p);
	g_free(p);
}

static void
tag_limits(void **state)
{
	GString		*s = g_string_new("{\"Event\":{\"info\":\"many\","
	    "\"Tag\":[");
	char		*p;
	struct run	*r;
	size_t		 i, n;
	const char	*t;

	(void)state;
	/* INTEL_FEED_MAX_TAGS + 1 tags and galaxies: the indicator carries
	 * INTEL_FEED_MAX_TAGS and INTEL_FEED_MAX_ATTRIB. */
	for (i = 0; i <= INTEL_FEED_MAX_TAGS; i++)
		g_string_append_printf(s, "%s{\"name\":\"t%zu\"},"
		    "{\"name\":\"misp-galaxy:threat-actor=\\\"A%zu\\\"\"}",
		    i ? "," : "", i, i);
	g_string_append(s, "],\"Attribute\":[{\"type\":\"domain\","
	    "\"value\":\"x.example\",\"to_ids\":true}]}}");
	p = write_tmp("tags.json", s->str);
	g_string_free(s, TRUE);
	r = run(p);
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 1);
	t = must_find(r, "x.example")->tags;
	for (n = 1, i = 0; t[i] != '\0'; i++)
		n += t[i] == ';';
	assert_int_equal(n, INTEL_FEED_MAX_TAGS);
	assert_non_null(strstr(t, "t63"));
	assert_null(strstr(t, "t64"));
	t = must_find(r, "x.example")->attrib;
	for (n = 1, i = 0; t[i] != '\0'; i++)
		n += t[i] == ';';
	/* "event:many" and 63 actors. */
	assert_int_equal(n, INTEL_FEED_MAX_ATTRIB);
	assert_non_null(strstr(t, "threat-actor:A62"));
	assert_null(strstr(t, "threat-actor:A63"));
	run_free(r);
	unlink(p);
	g_free(p);
}

static void
line_limit(void **state)
{
	char		*p = g_build_filename(tmpdir, "long.txt", NULL);
	GString		*s = g_string_new("http://ok.example/\n");
	struct run	*r;
	size_t		 start;

	(void)state;
	/* A line of exactly INTEL_FEED_MAX_LINE bytes is read; one byte
	 * more and it is skipped.  The padding is a trailing comment. */
	start = s->len;
	g_string_append(s, "http://at.example/ #");
	while (s->len - start < INTEL_FEED_MAX_LINE)
		g_string_append_c(s, 'a');
	g_string_append_c(s, '\n');
	start = s->len;
	g_string_append(s, "http://past.example/ #");
	while (s->len - start < INTEL_FEED_MAX_LINE + 1)
		g_string_append_c(s, 'a');
	g_string_append_c(s, '\n');
	assert_true(g_file_set_contents(p, s->str, (gssize)s->len, NULL));
	r = run(p);
	assert_int_equal(r->rc, MS_OK);
	assert_string_equal(r->rep.format, "list");
	assert_non_null(find(r, "http://ok.example/"));
	assert_non_null(find(r, "http://at.example/"));
	assert_null(find(r, "http://past.example/"));
	assert_int_equal(r->rep.indicators, 2);
	assert_int_equal(r->rep.skipped, 1);
	run_free(r);
	g_string_free(s, TRUE);
	unlink(p);
	g_free(p);
}

static void
file_limit(void **state)
{
	char		*p = g_build_filename(tmpdir, "big.txt", NULL);
	struct run	*r;
	int		 fd;

	(void)state;
	/* Sparse files: no disk, no time. */
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)INTEL_FEED_MAX_FILE + 1), 0);
	close(fd);
	r = run(p);
	assert_int_equal(r->rc, MS_ELIMIT);
	assert_non_null(strstr(r->err, "big.txt: "));
	run_free(r);

	/* At the limit it is read (and found to hold no indicator). */
	fd = open(p, O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)INTEL_FEED_MAX_FILE), 0);
	assert_int_equal(pwrite(fd, "192.0.2.1\n", 10, 0), 10);
	close(fd);
	r = run(p);
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 1);
	assert_int_equal(r->rep.skipped, 1);	/* 256 MiB of NULs */
	run_free(r);
	unlink(p);
	g_free(p);
}

static int
count_sink(void *arg, const struct intel_indicator *ind)
{
	size_t	*n = arg;

	(void)ind;
	(*n)++;
	return 0;
}

static void
sink_stop_and_million(void **state)
{
	char				*p = g_build_filename(tmpdir, "m.txt",
					    NULL);
	FILE				*f;
	struct run			*r;
	struct intel_feed_report	 rep;
	char				 err[256];
	size_t				 i, n = 0;
	gint64				 t0;

	(void)state;
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "# a million indicators\n");
	for (i = 0; i < 1000000; i++)
		switch (i % 4) {
		case 0:
			fprintf(f, "10.%zu.%zu.%zu\n", i >> 16 & 255,
			    i >> 8 & 255, i & 255);
			break;
		case 1:
			fprintf(f, "host%zu.example.com\n", i);
			break;
		case 2:
			fprintf(f, "http://bad%zu.example.net/x/%zu\n", i, i);
			break;
		default:
			fprintf(f, "%032zx\n", i);
			break;
		}
	assert_int_equal(fclose(f), 0);
	t0 = g_get_monotonic_time();
	assert_int_equal(intel_feed_parse_path(p, count_sink, &n, &rep, err,
	    sizeof(err)), MS_OK);
	print_message("1,000,000 lines in %.3f s\n",
	    (double)(g_get_monotonic_time() - t0) / 1e6);
	assert_int_equal(n, 1000000);
	assert_int_equal(rep.indicators, 1000000);
	assert_int_equal(rep.skipped, 0);

	r = g_new0(struct run, 1);
	r->got = g_ptr_array_new_with_free_func(got_free);
	r->stop_after = 10;
	r->rc = intel_feed_parse_path(p, sink, r, &r->rep, r->err,
	    sizeof(r->err));
	assert_int_equal(r->rc, MS_OK);
	assert_int_equal(r->rep.indicators, 10);
	assert_int_equal(r->got->len, 10);
	run_free(r);
	unlink(p);
	g_free(p);
}

static void
classify(void **state)
{
	static const struct {
		const char	*s;
		int		 ok;
		enum intel_kind	 k;
	} cases[] = {
		{ "192.0.2.1", 1, INTEL_IP }, { "192.0.2.0/24", 1, INTEL_IP },
		{ "192.0.2.0/33", 0, 0 }, { "2001:db8::1", 1, INTEL_IP },
		{ "2001:db8::/129", 0, 0 }, { "1.2.3", 0, 0 },
		{ "999.1.1.1", 0, 0 }, { "example.com", 1, INTEL_DOMAIN },
		{ "xn--bcher-kva.example", 1, INTEL_DOMAIN },
		{ "a..b.com", 0, 0 }, { "localhost", 0, 0 },
		{ "1.2.3.4.5", 0, 0 }, { "AS64496", 1, INTEL_ASN },
		{ "as1", 1, INTEL_ASN }, { "ASX", 0, 0 },
		{ "d41d8cd98f00b204e9800998ecf8427e", 1, INTEL_HASH },
		{ "d41d8cd98f00b204e9800998ecf8427", 0, 0 },
		{ "a@b.example", 1, INTEL_EMAIL }, { "a@b", 0, 0 },
		{ "@b.example", 0, 0 }, { "http://", 0, 0 },
		{ "https://x.example/a b", 0, 0 },
		{ "ftp://x.example/", 1, INTEL_URL }, { "", 0, 0 },
	};
	enum intel_kind	k;
	size_t		i;

	(void)state;
	for (i = 0; i < MS_ARRAY_LEN(cases); i++) {
		int	ok = intel_feed__classify(cases[i].s,
		    strlen(cases[i].s), &k);

		if (ok != cases[i].ok || (ok && k != cases[i].k))
			fail_msg("classify(%s): %d/%d", cases[i].s, ok,
			    (int)k);
	}
	assert_int_equal(intel_feed__time("2016-11-12 15:02", 16),
	    1478962920);
	assert_int_equal(intel_feed__time("2018-08-29T06:15:18+00:00", 25),
	    1535523318);
	assert_int_equal(intel_feed__time("2018-08-29T08:15:18+02:00", 25),
	    1535523318);
	assert_int_equal(intel_feed__time("1441008970", 10), 1441008970);
	assert_int_equal(intel_feed__time("24", 2), 0);
	assert_int_equal(intel_feed__time("2016-13-01", 10), 0);
	assert_int_equal(intel_feed__time("SBL256893", 9), 0);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = g_dir_make_tmp("test_intel_feed.XXXXXX", NULL);
	return tmpdir == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir(tmpdir);
	g_free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(urlhaus_domains),
		cmocka_unit_test(urlhaus_hosts_and_ips),
		cmocka_unit_test(urlhaus_splunk_csv),
		cmocka_unit_test(urlhaus_csv_recent),
		cmocka_unit_test(phishing_feeds),
		cmocka_unit_test(spamhaus),
		cmocka_unit_test(dshield_cymru_blocklistde),
		cmocka_unit_test(bambenek),
		cmocka_unit_test(refused_files),
		cmocka_unit_test(stix_examples),
		cmocka_unit_test(stix_apt1),
		cmocka_unit_test(stix_poisonivy),
		cmocka_unit_test(stix_crafted_bundle),
		cmocka_unit_test(misp_feed_dir),
		cmocka_unit_test(misp_feed_values),
		cmocka_unit_test(misp_single_files),
		cmocka_unit_test(misp_rest_search),
		cmocka_unit_test(misp_manifest_paths),
		cmocka_unit_test(otx),
		cmocka_unit_test(jsonl),
		cmocka_unit_test(garbage),
		cmocka_unit_test(tag_limits),
		cmocka_unit_test(line_limit),
		cmocka_unit_test(file_limit),
		cmocka_unit_test(sink_stop_and_million),
		cmocka_unit_test(classify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
