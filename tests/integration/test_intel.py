# SPDX-License-Identifier: Apache-2.0
"""The local threat-intel store as a user drives it: `mailsoar intel
load` on the real feed files of ../shared/corpus/threat-intel-feeds
(Spamhaus DROP, the STIX 2.1 APT1 report, URLhaus lists, a MISP feed
directory), `intel stats`, `intel lookup`, then the intel app through
`mailsoar act` with a config that names an intel asset.  Every expected
value is read from the feed files here, not written down by hand."""
import glob
import ipaddress
import json
import os
import subprocess
import tempfile
import time

import pytest

MAILSOAR = os.environ["MAILSOAR"]
SRC = os.environ.get("MS_SRCDIR", os.path.join(os.path.dirname(__file__),
                                               "..", ".."))
CORPUS = os.environ.get("MS_CORPUS", os.path.join(SRC, "..", "shared",
                                                  "corpus"))
FEEDS = os.path.join(CORPUS, "threat-intel-feeds")
DROP = os.path.join(FEEDS, "intelmq-feed-samples", "spamhaus", "drop.txt")
APT1 = os.path.join(FEEDS, "stix21-examples", "threat-reports", "apt1.json")
HOSTS = os.path.join(FEEDS, "urlhaus-derived-lists",
                     "urlhaus-filter-hosts-online.txt")
MISP = os.path.join(FEEDS, "misp", "feed-constructed")


class Env:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.conf = os.path.join(root, "mailsoar.conf")
        with open(self.conf, "w") as f:
            f.write("[asset ti]\napp=intel\n")

    def run(self, *args, timeout=300):
        return subprocess.run([MAILSOAR, "-c", self.conf, "--data",
                               self.data, *args], capture_output=True,
                              timeout=timeout)

    def act(self, action, **params):
        r = self.run("act", action, *["%s=%s" % kv for kv in
                                      params.items()])
        assert r.returncode in (0, 1), r.stderr.decode()
        o = json.loads(r.stdout)
        assert o["status"] == "success", o
        return o


@pytest.fixture(scope="module")
def env():
    with tempfile.TemporaryDirectory() as d:
        e = Env(d)
        r = e.run("intel", "load", DROP, APT1, HOSTS, MISP)
        assert r.returncode == 0, r.stderr.decode()
        yield e


def drop_networks():
    nets = []
    with open(DROP) as f:
        for line in f:
            line = line.split(";")[0].strip()
            if line:
                nets.append(ipaddress.ip_network(line))
    assert nets
    return nets


def test_load_prints_each_source(env):
    r = env.run("intel", "load", DROP)
    assert r.returncode == 0
    out = r.stdout.decode()
    assert "source drop.txt: %d indicators" % len(drop_networks()) in out
    assert "%d indicators loaded" % len(drop_networks()) in out


def test_stats_counts_by_source_and_kind(env):
    r = env.run("intel", "stats", "--json")
    assert r.returncode == 0, r.stderr.decode()
    st = json.loads(r.stdout)
    by = {s["name"]: s for s in st["sources"]}
    nets = drop_networks()
    assert by["drop.txt"]["kinds"] == {"ip": len(nets)}
    assert by["drop.txt"]["format"]
    assert by[os.path.basename(HOSTS)]["kinds"]["domain"] == len(
        set(hosts_file()))
    assert st["total"] == sum(s["count"] for s in st["sources"])
    text = env.run("intel", "stats").stdout.decode()
    assert "drop.txt" in text and "total:" in text


def test_spamhaus_drop_network_covers_an_ip_inside(env):
    for net in drop_networks():
        ip = str(net.network_address + 1)
        o = env.act("ip reputation", ip=ip)
        assert o["summary"]["verdict"] == "malicious", o
        m = [d for d in o["data"] if d["source"] == "drop.txt"]
        assert m and m[0]["match"] == "cidr"
        assert m[0]["indicator"] == str(net)
        assert "drop.txt" in o["summary"]["sources"]
        # The summary's matches: source, indicator, tags, attribution.
        sm = [x for x in o["summary"]["matches"] if x["source"] == "drop.txt"]
        assert sm and sm[0]["indicator"] == str(net)
        assert set(sm[0]) == {"source", "indicator", "match", "tags",
                              "attribution"}


def test_ip_outside_every_feed_is_unknown(env):
    o = env.act("ip reputation", ip="192.0.2.123")
    assert o["summary"] == {"verdict": "unknown", "score": 0,
                            "sources": [], "match_count": 0, "matches": []}
    assert o["data"] == []


def apt1_domains_and_actor():
    with open(APT1) as f:
        objs = json.load(f)["objects"]
    sets = [o["name"] for o in objs if o["type"] == "intrusion-set"]
    domains = []
    for o in objs:
        p = o.get("pattern", "")
        if o["type"] == "indicator" and p.startswith("[domain-name:value"):
            domains.append(p.split("'")[1])
    assert sets and domains
    return domains, sets


def test_stix_apt1_domain_attributes_to_apt1(env):
    domains, sets = apt1_domains_and_actor()
    assert "APT1" in sets
    for d in domains:
        o = env.act("hunt domain", domain=d.upper())
        assert o["summary"]["verdict"] == "malicious", o
        assert "APT1" in o["summary"]["actors"], o["summary"]
        assert any(a == {"type": "intrusion-set", "name": "APT1"}
                   for m in o["data"] for a in m["attribution"])
        o = env.act("domain reputation", domain=d)
        assert any(a["name"] == "APT1" for m in o["summary"]["matches"]
                   for a in m["attribution"]), o["summary"]


def hosts_file():
    """The names of a hosts-format list ("0.0.0.0 name")."""
    with open(HOSTS) as f:
        return [x.split()[-1].lower() for x in f
                if x.strip() and not x.startswith("#")]


def test_urlhaus_host_by_domain_and_by_url(env):
    host = hosts_file()[0]
    o = env.act("domain reputation", domain=host + ".")
    assert o["summary"]["verdict"] != "unknown"
    assert o["data"][0]["match"] == "exact"
    o = env.act("url reputation",
                url="HTTP://%s:80/some/path?q=1#frag" % host.upper())
    assert o["parameter"]["url"].startswith("HTTP://")
    assert o["summary"]["match_count"] >= 1
    assert {d["match"] for d in o["data"]} == {"url host"}


def misp_domain_attribute():
    for path in sorted(glob.glob(os.path.join(MISP, "*.json"))):
        if path.endswith("manifest.json"):
            continue
        with open(path) as f:
            ev = json.load(f)["Event"]
        for a in ev.get("Attribute", []):
            if a["type"] == "domain" and a.get("to_ids"):
                return a["value"], ev["info"], ev["Orgc"]["name"]
    pytest.fail("no domain attribute with to_ids in the MISP feed")


def test_misp_feed_event_and_org(env):
    value, info, org = misp_domain_attribute()
    o = env.act("hunt domain", domain=value)
    assert org in o["summary"]["sources"]
    assert info in o["summary"]["events"]
    r = env.run("intel", "lookup", value)
    assert r.returncode == 0 and org in r.stdout.decode()


def test_reload_replaces_a_source(env):
    feed = os.path.join(env.root, "mine.txt")
    with open(feed, "w") as f:
        f.write("evil-one.example\n")
    r = env.run("intel", "load", "--source", "mine", feed)
    assert r.returncode == 0, r.stderr.decode()
    assert env.act("domain reputation",
                   domain="evil-one.example")["summary"]["match_count"] == 1
    with open(feed, "w") as f:
        f.write("evil-two.example\n")
    assert env.run("intel", "load", "--source", "mine", feed).returncode == 0
    assert env.act("domain reputation",
                   domain="evil-one.example")["summary"]["match_count"] == 0
    assert env.act("domain reputation",
                   domain="evil-two.example")["summary"]["sources"] == [
                       "mine"]


def test_bad_input_fails_cleanly(env):
    before = json.loads(env.run("intel", "stats", "--json").stdout)
    r = env.run("intel", "load", os.path.join(env.root, "missing.txt"))
    assert r.returncode == 1 and b"nothing loaded" in r.stderr
    after = json.loads(env.run("intel", "stats", "--json").stdout)
    assert before["total"] == after["total"]
    r = env.run("act", "ip reputation", "ip=999.1.1.1")
    assert r.returncode == 1
    assert json.loads(r.stdout)["status"] == "failed"
    assert env.run("intel").returncode == 2
    assert env.run("intel", "load").returncode == 2


def test_load_from_a_local_http_server(env):
    """intel load URL: downloaded (libcurl, a real local server), parsed
    from the temporary file, named after the URL unless --source."""
    import functools
    import http.server
    import shutil
    import threading

    root = os.path.join(env.root, "www")
    os.makedirs(os.path.join(root, "feeds"))
    shutil.copy(DROP, os.path.join(root, "feeds", "drop.txt"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=root)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    try:
        r = env.run("intel", "load", "--source", "drop-http",
                    base + "/feeds/drop.txt?cache=no")
        assert r.returncode == 0, r.stderr.decode()
        assert ("source drop-http: %d indicators" % len(drop_networks())
                in r.stdout.decode())
        st = json.loads(env.run("intel", "stats", "--json").stdout)
        by = {s["name"]: s for s in st["sources"]}
        assert by["drop-http"]["kinds"] == {"ip": len(drop_networks())}
        r = env.run("intel", "load", base + "/feeds/missing.txt")
        assert r.returncode == 1
        assert b"404" in r.stderr and b"nothing loaded" in r.stderr
        r = env.run("intel", "load", "http://127.0.0.1:1/x.txt")
        assert r.returncode == 1 and b"nothing loaded" in r.stderr
    finally:
        srv.shutdown()
        srv.server_close()


def test_refresh_loads_configured_feeds_when_due(env):
    """[feed NAME] groups: `intel refresh` loads them (a path, and a URL
    from a real local HTTP server, conditionally fetched), says which
    are not due, and a failing feed keeps what it loaded before."""
    import functools
    import http.server
    import shutil
    import threading

    root = os.path.join(env.root, "www2")
    os.makedirs(root)
    shutil.copy(HOSTS, os.path.join(root, "hosts.txt"))
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            requests.append((self.path,
                             self.headers.get("If-Modified-Since")))

    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=root))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/hosts.txt" % srv.server_address[1]
    conf = os.path.join(env.root, "feeds.conf")
    with open(conf, "w") as f:
        f.write("[asset ti]\napp=intel\n\n[feed spamhaus-drop]\npath=%s\n"
                "interval_s=3600\n\n[feed urlhaus-hosts]\nurl=%s\n"
                % (DROP, url))

    def run(*args):
        return subprocess.run([MAILSOAR, "-c", conf, "--data", env.data,
                               "intel", *args], capture_output=True,
                              timeout=120)

    def sources():
        r = run("stats", "--json")
        return {s["name"]: s for s in json.loads(r.stdout)["sources"]}

    try:
        r = run("refresh")
        assert r.returncode == 0, r.stderr.decode()
        out = r.stdout.decode()
        assert ("source spamhaus-drop: %d indicators"
                % len(drop_networks())) in out
        by = sources()
        assert by["spamhaus-drop"]["kinds"] == {"ip": len(drop_networks())}
        # The same file as the module's load of HOSTS: the same count.
        assert by["urlhaus-hosts"]["count"] == \
            by[os.path.basename(HOSTS)]["count"] > 0
        assert requests[-1] == ("/hosts.txt", None)
        # Both were just loaded: neither is due, and saying so does not
        # push the next load back (serve asks every minute).
        stamp = os.path.join(env.data, "feeds", "spamhaus-drop.stamp")
        os.utime(stamp, (time.time() - 3000, time.time() - 3000))
        r = run("refresh")
        assert r.returncode == 0
        assert r.stdout.decode().count("not due") == 2
        assert time.time() - os.stat(stamp).st_mtime > 2990
        # Forced: the URL is asked with If-Modified-Since; unchanged, it
        # is loaded again from the kept copy only because of --force.
        r = run("refresh", "--force", "urlhaus-hosts")
        assert r.returncode == 0, r.stderr.decode()
        assert requests[-1][1] is not None
        assert "urlhaus-hosts" in r.stdout.decode()
        assert "spamhaus-drop" not in r.stdout.decode()
        # Make it due again: the server says 304, nothing is reloaded.
        stamp = os.path.join(env.data, "feeds", "urlhaus-hosts.stamp")
        os.utime(stamp, (1, 1))
        r = run("refresh", "urlhaus-hosts")
        assert r.returncode == 0
        assert "not modified" in r.stdout.decode()
        # The server sends something that does not parse: nothing is
        # loaded, and the copy is not kept for a later 304.
        count = sources()["urlhaus-hosts"]["count"]
        data = os.path.join(env.data, "feeds", "urlhaus-hosts.data")
        garbage = os.path.join(root, "hosts.txt")
        with open(garbage, "w") as f:
            f.write("<html><body>maintenance</body></html>\n")
        # A newer Last-Modified than the copy's, even within the second
        # (HTTP dates have whole seconds): the server answers 200.
        later = os.stat(data).st_mtime + 60
        os.utime(garbage, (later, later))
        os.utime(stamp, (1, 1))
        r = run("refresh", "urlhaus-hosts")
        assert r.returncode == 1, r.stdout.decode()
        assert not os.path.exists(data)
        assert sources()["urlhaus-hosts"]["count"] == count
        # The server loses the file: the refresh fails, the indicators
        # stay, and the next try is in 5 minutes, not an hour.
        os.remove(os.path.join(root, "hosts.txt"))
        os.utime(stamp, (1, 1))
        r = run("refresh", "urlhaus-hosts")
        assert r.returncode == 1
        assert b"404" in r.stderr and b"loaded before stay" in r.stderr
        assert sources()["urlhaus-hosts"]["count"] == count
        left = os.stat(stamp).st_mtime + 3600 - time.time()
        assert 200 < left < 301, left
        r = run("refresh", "nosuchfeed")
        assert r.returncode == 2 and b"no [feed nosuchfeed]" in r.stderr
    finally:
        srv.shutdown()
        srv.server_close()


def test_default_playbook_scores_matches_and_notes_attribution(env):
    """email_triage asks the intel asset about the email's domains and
    URLs: a match adds to the score naming the source, and the STIX
    attribution goes into a note."""
    import sqlite3

    domains, sets = apt1_domains_and_actor()
    dom, actor = sorted(domains)[0], sets[0]
    conf = os.path.join(env.root, "pb.conf")
    with open(conf, "w") as f:
        f.write("[asset ti]\napp=intel\n\n[playbooks]\ndir=%s\n"
                "email=email_triage\n" % os.path.join(SRC, "playbooks"))
    eml = os.path.join(env.root, "lure.eml")
    with open(eml, "w") as f:
        f.write("From: IT <it@example.net>\nTo: bob@example.org\n"
                "Subject: password expiry\nMessage-ID: <lure-1@example.net>"
                "\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n"
                "Content-Type: text/plain\n\nLog in at http://%s/login "
                "today.\n" % dom)
    r = subprocess.run([MAILSOAR, "-c", conf, "--data", env.data,
                        "analyze", "--json", eml], capture_output=True,
                       timeout=300)
    assert r.returncode in (0, 3), r.stderr.decode()
    o = json.loads(r.stdout.decode().splitlines()[0])
    reasons = [b["reason"] for b in o["score_breakdown"]]
    want = "threat intel (apt1.json): domain %s is " % dom
    assert any(x.startswith(want) for x in reasons), reasons
    with sqlite3.connect(os.path.join(env.data, "mailsoar.db")) as db:
        notes = db.execute("select body from notes where container_id = ? "
                           "and title = 'Threat intel attribution'",
                           (o["container_id"],)).fetchall()
    assert len(notes) == 1
    assert dom in notes[0][0] and actor in notes[0][0], notes
