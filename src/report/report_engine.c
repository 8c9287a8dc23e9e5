/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_engine.c -- what the engine adds to an analysed email, for the
 * analyst: the container (id, seen count, reporters), the threat score
 * with its reasons and verdict, and the playbook runs with their action
 * runs, as JSON (merged into the analysis object) and as text; and one
 * playbook run as a timeline.  Input is the store's JSON (store.h);
 * values that came from an email are printed through report_safe().
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "report.h"
#include "report_int.h"
#include "../analyze/analyze.h"

const char *
report_verdict(int score)
{
	return analyze_verdict(score);	/* weights.conf's thresholds */
}

static json_t *
parse(const char *s)
{
	return s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
}

static json_int_t
int_of(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *
str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One action run, as the analyst reads it next to a container. */
static json_t *
action_run(json_t *a)
{
	json_t		*o = json_object();
	static const char *const keep[] = { "id", "action", "app", "asset",
	    "status", "message", "cached", "approved_by", "attempts" };
	size_t		 i;
	json_t		*v;

	for (i = 0; i < G_N_ELEMENTS(keep); i++)
		if ((v = json_object_get(a, keep[i])) != NULL)
			json_object_set(o, keep[i], v);
	json_object_set_new(o, "duration_ms", json_integer(
	    (int_of(a, "finished") - int_of(a, "started")) / 1000));
	if ((v = json_object_get(a, "params")) != NULL ||
	    (v = json_object_get(a, "parameter")) != NULL)
		json_object_set(o, "parameter", v);
	return o;
}

/*
 * The store's score reasons as the breakdown: each {"id", "points",
 * "reason", "evidence", "run_id", "created"}, where "id" is the signal's
 * id for the analysis's own reasons (their evidence is {"id": ...},
 * cli_pipeline.c) and "playbook" for the reasons playbooks added.  New
 * reference.
 */
static json_t *
breakdown(json_t *sc)
{
	json_t		*out = json_array(), *r, *o, *ev;
	const char	*id;
	size_t		 i;

	json_array_foreach(sc, i, r) {
		ev = json_object_get(r, "evidence");
		id = json_is_object(ev) ? str_of(ev, "id") : NULL;
		o = json_pack("{s:s}", "id", id ? id : "playbook");
		json_object_update(o, r);
		json_array_append_new(out, o);
	}
	return out;
}

/* The runs, each with slimmed action runs.  New reference. */
static json_t *
runs_obj(json_t *runs)
{
	json_t	*out = json_array(), *r, *o, *ars, *a, *v;
	size_t	 i, k;
	static const char *const keep[] = { "id", "playbook", "status",
	    "message", "started", "finished" };

	json_array_foreach(runs, i, r) {
		o = json_object();
		for (k = 0; k < G_N_ELEMENTS(keep); k++)
			if ((v = json_object_get(r, keep[k])) != NULL)
				json_object_set(o, keep[k], v);
		ars = json_array();
		json_array_foreach(json_object_get(r, "action_runs"), k, a)
			json_array_append_new(ars, action_run(a));
		json_object_set_new(o, "action_runs", ars);
		json_array_append_new(out, o);
	}
	return out;
}

void
report_container_json(FILE *f, const char *analysis_json,
    const char *container_json, const char *score_json,
    const char *runs_json, unsigned flags)
{
	json_t		*o, *c = parse(container_json);
	json_t		*sc = parse(score_json), *runs = parse(runs_json);
	json_int_t	 score;
	size_t		 alen = analysis_json ? strlen(analysis_json) : 0;
	char		*extra;
	int		 splice;

	/*
	 * One line: the analysis as it is (report_analysis_string writes a
	 * compact object) with the container's keys spliced in before its
	 * closing brace; parsing a large analysis again would cost more
	 * than analysing it.  Indented output goes through jansson.
	 */
	splice = !(flags & REPORT_PRETTY) && alen > 2 &&
	    analysis_json[0] == '{' && analysis_json[alen - 1] == '}';
	o = splice ? json_object() : parse(analysis_json);
	if (!json_is_object(o)) {
		fprintf(f, "%s\n", analysis_json ? analysis_json : "null");
		goto out;
	}
	if (json_is_object(c)) {
		score = int_of(c, "score");
		json_object_set(o, "container_id", json_object_get(c, "id"));
		json_object_set(o, "seen_count",
		    json_object_get(c, "seen_count"));
		json_object_set(o, "reporters", json_object_get(c,
		    "reporters"));
		json_object_set_new(o, "score", json_integer(score));
		json_object_set_new(o, "verdict", json_string(
		    report_verdict((int)score)));
	}
	json_object_set_new(o, "score_breakdown", json_is_array(sc) ?
	    breakdown(sc) : json_array());
	json_object_set_new(o, "playbook_runs", json_is_array(runs) ?
	    runs_obj(runs) : json_array());
	if (splice && (extra = json_dumps(o, JSON_PRESERVE_ORDER |
	    JSON_COMPACT)) != NULL) {
		fwrite(analysis_json, 1, alen - 1, f);
		fputc(',', f);
		fputs(extra + 1, f);
		fputc('\n', f);
		xfree(extra);
	} else
		report__dump(f, o, flags);
out:
	json_decref(o);
	json_decref(c);
	json_decref(sc);
	json_decref(runs);
}

static void
label(FILE *f, const char *name, unsigned flags)
{
	if (flags & REPORT_COLOR)
		fprintf(f, "\033[1m%-13s\033[0m", name);
	else
		fprintf(f, "%-13s", name);
}

void
report_container_text(FILE *f, const char *container_json,
    const char *score_json, const char *runs_json, unsigned flags)
{
	json_t		*c = parse(container_json), *sc = parse(score_json);
	json_t		*runs = parse(runs_json), *r, *a, *v;
	size_t		 i, k, nok, nskip, nfail;
	json_int_t	 score = int_of(c, "score");

	label(f, "Container", flags);
	fprintf(f, "#%lld (seen %lld time%s)\n", (long long)int_of(c, "id"),
	    (long long)int_of(c, "seen_count"),
	    int_of(c, "seen_count") == 1 ? "" : "s");
	label(f, "Score", flags);
	fprintf(f, "%lld/100, %s\n", (long long)score,
	    report_verdict((int)score));
	json_array_foreach(sc, i, v) {
		fprintf(f, "%13s %+4lld  ", "", (long long)int_of(v,
		    "points"));
		report_safe(f, str_of(v, "reason"), 100);
		fputc('\n', f);
	}
	json_array_foreach(runs, i, r) {
		nok = nskip = nfail = 0;
		json_array_foreach(json_object_get(r, "action_runs"), k, a) {
			const char *s = str_of(a, "status");

			if (s != NULL && strcmp(s, "success") == 0)
				nok++;
			else if (s != NULL && strcmp(s, "skipped") == 0)
				nskip++;
			else
				nfail++;
		}
		label(f, i == 0 ? "Playbooks" : "", flags);
		report_safe(f, str_of(r, "playbook"), 60);
		fprintf(f, " (run %lld): %s, %zu action%s: %zu ok, %zu "
		    "failed, %zu skipped\n", (long long)int_of(r, "id"),
		    str_of(r, "status") ? str_of(r, "status") : "running",
		    nok + nskip + nfail, nok + nskip + nfail == 1 ? "" : "s",
		    nok, nfail, nskip);
		if (str_of(r, "message") != NULL &&
		    strcmp(str_of(r, "status"), "success") != 0) {
			fprintf(f, "%13s ", "");
			report_safe(f, str_of(r, "message"), 200);
			fputc('\n', f);
		}
	}
	json_decref(c);
	json_decref(sc);
	json_decref(runs);
}

/* "+1.234s" from the run's start. */
static void
offset(FILE *f, json_int_t t, json_int_t t0)
{
	fprintf(f, "  +%8.3fs  ", t > t0 ? (double)(t - t0) / 1e6 : 0.0);
}

static json_int_t
when(json_t *x)
{
	return int_of(x, "started") ? int_of(x, "started") : int_of(x, "time");
}

static int
by_time(const void *a, const void *b)
{
	json_int_t	ta = when(*(json_t *const *)a);
	json_int_t	tb = when(*(json_t *const *)b);

	return ta < tb ? -1 : ta > tb;
}

static void
line_action(FILE *f, json_t *a)
{
	json_t	*p;
	char	*s;

	fprintf(f, "%-8s ", str_of(a, "status") ? str_of(a, "status") : "?");
	report_safe(f, str_of(a, "action"), 40);
	if (str_of(a, "asset") != NULL) {
		fputs(" on ", f);
		report_safe(f, str_of(a, "asset"), 40);
	}
	fprintf(f, " (%lld ms%s%s%s)", (long long)((int_of(a, "finished") -
	    int_of(a, "started")) / 1000),
	    json_is_true(json_object_get(a, "cached")) ? ", cached" : "",
	    str_of(a, "approved_by") ? ", approved by " : "",
	    str_of(a, "approved_by") ? str_of(a, "approved_by") : "");
	if ((p = json_object_get(a, "parameter")) != NULL &&
	    json_object_size(p) > 0 &&
	    (s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		fputc(' ', f);
		report_safe(f, s, 120);
		xfree(s);
	}
	if (str_of(a, "message") != NULL && *str_of(a, "message")) {
		fputs("\n                         ", f);
		report_safe(f, str_of(a, "message"), 160);
	}
}

static void
line_event(FILE *f, json_t *ev)
{
	const char	*type = str_of(ev, "type");

	if (type == NULL)
		type = "event";
	fprintf(f, "%-8s ", type);
	if (strcmp(type, "score") == 0) {
		fprintf(f, "%+lld ", (long long)int_of(ev, "points"));
		report_safe(f, str_of(ev, "reason"), 160);
	} else if (strcmp(type, "note") == 0) {
		report_safe(f, str_of(ev, "title"), 160);
	} else if (strcmp(type, "prompt") == 0) {
		report_safe(f, str_of(ev, "message"), 120);
		fprintf(f, " -> ");
		report_safe(f, str_of(ev, "answer") ? str_of(ev, "answer") :
		    "(waiting)", 40);
		if (str_of(ev, "answered_by") != NULL) {
			fputs(" by ", f);
			report_safe(f, str_of(ev, "answered_by"), 40);
		}
	} else
		report_safe(f, str_of(ev, "message"), 160);
}

/* Print UNTRUSTED multi-line text line by line. */
static void
safe_lines(FILE *f, const char *s)
{
	gchar	**lines = g_strsplit(s, "\n", -1);
	size_t	  i;

	for (i = 0; lines[i] != NULL; i++) {
		fputs("    ", f);
		report_safe(f, lines[i], 0);
		fputc('\n', f);
	}
	g_strfreev(lines);
}

void
report_run_text(FILE *f, const char *run_json, unsigned flags)
{
	json_t		*r = parse(run_json), *x;
	GPtrArray	*all;
	json_int_t	 t0;
	size_t		 i;

	if (!json_is_object(r)) {
		fprintf(f, "%s\n", run_json ? run_json : "");
		goto out;
	}
	t0 = int_of(r, "started");
	label(f, "Run", flags);
	fprintf(f, "#%lld  playbook ", (long long)int_of(r, "id"));
	report_safe(f, str_of(r, "playbook"), 80);
	fprintf(f, " on container #%lld\n", (long long)int_of(r,
	    "container_id"));
	label(f, "Status", flags);
	fprintf(f, "%s", str_of(r, "status") ? str_of(r, "status") :
	    "running");
	if (int_of(r, "finished") > 0)
		fprintf(f, " after %.3f s", (double)(int_of(r, "finished") -
		    t0) / 1e6);
	fputs("\n\n", f);
	offset(f, t0, t0);
	fputs("started\n", f);
	/* Action runs and events (score, note, prompt), in time order. */
	all = g_ptr_array_new();
	json_array_foreach(json_object_get(r, "action_runs"), i, x)
		g_ptr_array_add(all, x);
	json_array_foreach(json_object_get(r, "events"), i, x)
		g_ptr_array_add(all, x);
	if (all->len > 1)
		qsort(all->pdata, all->len, sizeof(gpointer), by_time);
	for (i = 0; i < all->len; i++) {
		x = all->pdata[i];
		offset(f, when(x), t0);
		if (str_of(x, "action") != NULL)
			line_action(f, x);
		else
			line_event(f, x);
		fputc('\n', f);
	}
	g_ptr_array_free(all, TRUE);
	if (int_of(r, "finished") > 0) {
		offset(f, int_of(r, "finished"), t0);
		fprintf(f, "finished: %s", str_of(r, "status"));
		if (str_of(r, "message") != NULL) {
			fputs(": ", f);
			report_safe(f, str_of(r, "message"), 200);
		}
		fputc('\n', f);
	}
	if (str_of(r, "traceback") != NULL) {
		fputs("\nTraceback:\n", f);
		safe_lines(f, str_of(r, "traceback"));
	}
out:
	json_decref(r);
}

void
report_containers_text(FILE *f, const char *containers_json)
{
	json_t		*arr = parse(containers_json), *c, *rep, *v;
	size_t		 i, k;
	json_int_t	 score;

	fprintf(f, "%6s  %5s  %-10s  %-8s  %4s  %-40s  %s\n", "ID", "SCORE",
	    "VERDICT", "STATUS", "SEEN", "NAME", "REPORTERS");
	json_array_foreach(arr, i, c) {
		score = int_of(c, "score");
		fprintf(f, "%6lld  %5lld  %-10s  %-8s  %4lld  ",
		    (long long)int_of(c, "id"), (long long)score,
		    report_verdict((int)score), str_of(c, "status") ?
		    str_of(c, "status") : "-", (long long)int_of(c,
		    "seen_count"));
		report_safe(f, str_of(c, "name"), 40);
		fputs("  ", f);
		rep = json_object_get(c, "reporters");
		json_array_foreach(rep, k, v) {
			if (k > 0)
				fputs(", ", f);
			report_safe(f, json_string_value(v), 60);
		}
		fputc('\n', f);
	}
	json_decref(arr);
}

int
report_runs_text(FILE *f, const char *runs_json, unsigned flags)
{
	json_t	*arr = parse(runs_json), *r;
	size_t	 i;
	int	 bad = 0;
	char	*one;

	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		json_decref(arr);
		return -1;
	}
	json_array_foreach(arr, i, r) {
		const char *s = str_of(r, "status");

		if (s == NULL || strcmp(s, "success") != 0)
			bad++;
		if (f == NULL)
			continue;	/* only counting */
		if (i > 0)
			fputc('\n', f);
		if ((one = json_dumps(r, JSON_COMPACT)) != NULL) {
			report_run_text(f, one, flags);
			xfree(one);
		}
	}
	json_decref(arr);
	return bad;
}

void
report_status_text(FILE *f, const char *status_json, int alive)
{
	json_t		*o = parse(status_json), *mbs, *mb;
	size_t		 i;
	json_int_t	 upd = int_of(o, "updated");

	if (!json_is_object(o)) {
		fprintf(f, "status file unreadable\n");
		goto out;
	}
	fprintf(f, "mailsoar serve (pid %lld): %s%s\n",
	    (long long)int_of(o, "pid"), alive ? "" : "not running; last "
	    "state ", str_of(o, "state") ? str_of(o, "state") : "?");
	fprintf(f, "  updated %.1f s ago; %lld emails waiting for analysis, "
	    "%lld playbook runs in flight, %lld containers started, %lld "
	    "skipped, %lld failed\n", upd ? (double)(g_get_real_time() -
	    upd) / 1e6 : 0.0, (long long)int_of(o, "queue"),
	    (long long)int_of(o, "runs_in_flight"),
	    (long long)int_of(o, "containers_started"),
	    (long long)int_of(o, "skipped"), (long long)int_of(o, "failed"));
	mbs = json_object_get(o, "mailboxes");
	json_array_foreach(mbs, i, mb) {
		fputs("  mailbox ", f);
		report_safe(f, str_of(mb, "name"), 40);
		fputc('/', f);
		report_safe(f, str_of(mb, "folder"), 40);
		fprintf(f, ": %s; UIDVALIDITY %lld, fetched up to UID %lld, "
		    "stored up to UID %lld (%lld stored, %lld pending)",
		    str_of(mb, "state") ? str_of(mb, "state") : "?",
		    (long long)int_of(mb, "uidvalidity"),
		    (long long)int_of(mb, "fetched_uid"),
		    (long long)int_of(mb, "stored_uid"),
		    (long long)int_of(mb, "stored"),
		    (long long)int_of(mb, "pending"));
		if (str_of(mb, "last_error") && *str_of(mb, "last_error")) {
			fputs("; last error: ", f);
			report_safe(f, str_of(mb, "last_error"), 200);
		}
		fputc('\n', f);
	}
out:
	json_decref(o);
}

/* "ip 12, url 3" from a {"kind": n} object. */
static void
kinds_text(FILE *f, json_t *kinds)
{
	const char	*k;
	json_t		*v;
	int		 first = 1;

	json_object_foreach(kinds, k, v) {
		fprintf(f, "%s%s %lld", first ? "" : ", ", k,
		    (long long)json_integer_value(v));
		first = 0;
	}
	if (first)
		fputs("-", f);
}

void
report_intel_stats_text(FILE *f, const char *stats_json)
{
	json_t		*st = parse(stats_json), *s;
	GDateTime	*t;
	char		*when;
	size_t		 i;

	json_array_foreach(json_object_get(st, "sources"), i, s) {
		report_safe(f, str_of(s, "name"), 60);
		t = g_date_time_new_from_unix_utc(int_of(s, "loaded_at") /
		    G_USEC_PER_SEC);
		when = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%SZ") : NULL;
		fprintf(f, "  %s  %lld indicators, %lld skipped, loaded %s\n"
		    "    ", str_of(s, "format") ? str_of(s, "format") : "-",
		    (long long)int_of(s, "count"),
		    (long long)int_of(s, "skipped"), when ? when : "-");
		kinds_text(f, json_object_get(s, "kinds"));
		fputc('\n', f);
		g_free(when);
		if (t != NULL)
			g_date_time_unref(t);
	}
	fprintf(f, "total: %lld indicators in %zu source%s (",
	    (long long)int_of(st, "total"),
	    json_array_size(json_object_get(st, "sources")),
	    json_array_size(json_object_get(st, "sources")) == 1 ? "" : "s");
	kinds_text(f, json_object_get(st, "kinds"));
	fputs(")\n", f);
	json_decref(st);
}
