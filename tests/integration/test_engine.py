# SPDX-License-Identifier: Apache-2.0
"""The playbook engine as a user drives it: mailsoar analyze storing
containers and running playbooks (real CPython, real SQLite, the real
geoip app on the MaxMind test databases), mailsoar act, prompts answered
from another process, playbook errors and timeouts, fixtures, the audit
chain, playbook sync from a local Git repository."""
import json
import os
import sqlite3
import subprocess
import tempfile
import textwrap
import threading
import time

import pytest

MAILSOAR = os.environ["MAILSOAR"]
SRC = os.environ.get("MS_SRCDIR", os.path.join(os.path.dirname(__file__),
                                               "..", ".."))
CORPUS = os.environ.get("MS_CORPUS", os.path.join(SRC, "..", "shared",
                                                  "corpus"))
EXAMPLES = os.path.join(SRC, "examples")
CITY_DB = os.path.join(CORPUS, "maxmind-test-dbs", "test-data",
                       "GeoIP2-City-Test.mmdb")
PHISH = os.path.join(EXAMPLES, "credential-phish.eml")


class Env:
    """A data directory, a playbooks directory and a config file."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.books = os.path.join(root, "playbooks")
        os.makedirs(self.books)
        self.conf = os.path.join(root, "mailsoar.conf")
        self.config()

    def config(self, playbooks="t", extra="", engine=""):
        with open(self.conf, "w") as f:
            f.write("[engine]\n%s\n[playbooks]\ndir=%s\nemail=%s\n\n"
                    "[asset geo]\napp=geoip\ndatabase=%s\n"
                    "countries_of_concern=GB;SE\n%s\n"
                    % (engine, self.books, playbooks, CITY_DB, extra))

    def book(self, name, text):
        with open(os.path.join(self.books, name + ".py"), "w") as f:
            f.write(textwrap.dedent(text))

    def run(self, *args, stdin=None, timeout=120):
        return subprocess.run([MAILSOAR, "-c", self.conf, "--data",
                               self.data, *args], input=stdin,
                              capture_output=True, timeout=timeout)

    def analyze(self, *files):
        r = self.run("analyze", "--json", *files)
        assert r.returncode in (0, 3), r.stderr.decode()
        return [json.loads(x) for x in r.stdout.decode().splitlines()]

    def db(self):
        return sqlite3.connect(os.path.join(self.data, "mailsoar.db"))


@pytest.fixture
def env():
    with tempfile.TemporaryDirectory() as d:
        yield Env(d)


def pb_reasons(obj):
    """The reasons playbooks added (the analysis adds its own first)."""
    return [s["reason"] for s in obj["score_breakdown"]
            if s["id"] == "playbook"]


def base_score(obj):
    """The points of the analysis's own detection reasons."""
    return sum(s["points"] for s in obj["score_breakdown"]
               if s["id"] != "playbook")


def one_run(obj):
    runs = obj["playbook_runs"]
    assert len(runs) == 1, runs
    return runs[0]


def test_container_stored_and_deduplicated(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            c.score.add(10, "seen " + (c.email.subject or ""))
    """)
    a = env.analyze(PHISH)[0]
    b = env.analyze(PHISH)[0]
    assert a["container_id"] == b["container_id"]
    assert b["seen_count"] == 2
    assert one_run(a)["status"] == "success"
    # Two runs, one per analysis; the score adds up (the detection
    # reasons are stored once, with the new container).
    assert b["score"] == min(100, base_score(b) + 20)
    assert pb_reasons(b) == ["seen " + a["email"]["subject"]] * 2
    out = env.run("containers", "--json")
    assert out.returncode == 0
    cs = json.loads(out.stdout)
    assert [c["id"] for c in cs] == [a["container_id"]]
    # The attachment is in the vault table once, named.
    with env.db() as db:
        rows = db.execute("select sha256, file_name from vault_files"
                          ).fetchall()
    assert rows == [(x["sha256"], x["file_name"]) for x in a["attachments"]]


def test_actions_geoip_gather_skipped_and_values(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            ips = ["81.2.69.160", "89.160.20.112", "not-an-ip"]
            rs = await ms.gather(*[ms.act("geolocate ip", ip=i)
                                   for i in ips])
            for ip, r in zip(ips, rs):
                if r.ok and r.summary.get("country_of_concern"):
                    c.score.add(20, "concern " + ip, evidence=r)
            s = await ms.act("detonate file", vault_id="x")
            assert s.status == "skipped" and not s.ok, s
            assert "sandbox" in s.message
            assert "198.51.100.77" in c.values("ip")
            assert any(a.cef.get("fromEmail") for a in
                       c.artifacts(cef_key="fromEmail"))
            c.add_note("geo", "done")
            c.tag("geo-checked")
    """)
    o = env.analyze(PHISH)[0]
    run = one_run(o)
    assert run["status"] == "success", run
    acts = run["action_runs"]
    assert [a["action"] for a in acts].count("geolocate ip") == 3
    by_ip = {a["parameter"]["ip"]: a for a in acts
             if a["action"] == "geolocate ip"}
    assert by_ip["81.2.69.160"]["status"] == "success"
    assert by_ip["81.2.69.160"]["asset"] == "geo"
    assert by_ip["not-an-ip"]["status"] == "failed"
    skipped = [a for a in acts if a["status"] == "skipped"]
    assert skipped and skipped[0]["action"] == "detonate file"
    # GB and SE are of concern: 40 points on top of the detection's.
    assert o["score"] == min(100, base_score(o) + 40)
    assert len(pb_reasons(o)) == 2
    assert o["verdict"] in ("suspicious", "malicious")
    # The stored action run carries the full result.
    with env.db() as db:
        data = db.execute("select count(*) from action_runs").fetchone()
        assert data[0] == 4


def test_assets_lists_every_provider_in_config_order(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            got = ms.assets("geolocate ip")
            assert got == [("geo", "geoip"), ("geo2", "geoip")], got
            assert ms.assets("echo") == [("u", "util")]
            assert ms.assets("no such action") == []
            rs = await ms.gather(*[ms.act("geolocate ip", asset=a,
                                          ip="81.2.69.160")
                                   for a, _ in got])
            assert [r.asset for r in rs] == ["geo", "geo2"], rs
    """)
    env.config(extra="[asset u]\napp=util\n\n[asset geo2]\napp=geoip\n"
               "database=%s\n" % CITY_DB)
    o = env.analyze(PHISH)[0]
    run = one_run(o)
    # The asserts above run inside the playbook: one failing fails it.
    assert run["status"] == "success", run


def test_default_playbook_runs_the_seed_and_skips_visibly(env):
    # email_triage is shipped, not in env.books: point [playbooks] dir=
    # at the shipped directory.
    env.config(playbooks="email_triage")
    with open(env.conf) as f:
        text = f.read().replace("dir=" + env.books,
                                "dir=" + os.path.join(SRC, "playbooks"))
    with open(env.conf, "w") as f:
        f.write(text)
    o = env.analyze(PHISH)[0]
    run = one_run(o)
    assert run["playbook"] == "email_triage"
    assert run["status"] == "success", run
    names = {a["action"] for a in run["action_runs"]}
    # The seed's steps are all there, done or skipped with a reason.
    for step in ("detonate file", "detonate url", "geolocate ip",
                 "whois ip", "domain reputation", "ip reputation",
                 "url reputation", "file reputation"):
        assert step in names, (step, names)
    for a in run["action_runs"]:
        if a["status"] == "skipped":
            assert a["message"], a


def test_playbook_errors_fail_the_run_not_the_engine(env):
    env.book("syntax", "async def on_start(c)\n    pass\n")
    env.book("raises", """
        async def on_start(c):
            raise ValueError("broken on purpose")
    """)
    env.book("noentry", "x = 1\n")
    env.book("ok", """
        async def on_start(c):
            c.tag("ok-ran")
    """)
    env.config(playbooks="syntax;raises;noentry;ok")
    o = env.analyze(PHISH)[0]
    runs = {r["playbook"]: r for r in o["playbook_runs"]}
    assert runs["ok"]["status"] == "success"
    assert runs["syntax"]["status"] == "failed"
    assert runs["raises"]["status"] == "failed"
    assert "broken on purpose" in runs["raises"]["message"]
    assert runs["noentry"]["status"] == "failed"
    show = env.run("runs", "show", str(runs["raises"]["id"]))
    assert show.returncode == 0
    assert b"Traceback" in show.stdout and b"ValueError" in show.stdout
    show = env.run("runs", "show", str(runs["syntax"]["id"]))
    assert b"SyntaxError" in show.stdout


def test_unknown_action_and_parameter_list_the_valid_ones(env):
    env.book("a", """
        import mailsoar as ms
        async def on_start(c):
            await ms.act("geolocate ipp", ip="1.2.3.4")
    """)
    env.book("p", """
        import mailsoar as ms
        async def on_start(c):
            await ms.act("geolocate ip", ipaddr="1.2.3.4")
    """)
    env.book("s", """
        import mailsoar as ms
        async def on_start(c):
            await ms.act("geolocate ip", asset="nope", ip="1.2.3.4")
    """)
    env.config(playbooks="a;p;s")
    runs = {r["playbook"]: r for r in env.analyze(PHISH)[0]["playbook_runs"]}
    assert "valid actions:" in runs["a"]["message"]
    assert "geolocate ip" in runs["a"]["message"]
    assert "ipaddr" in runs["p"]["message"] and "ip" in runs["p"]["message"]
    assert "no asset 'nope'" in runs["s"]["message"]
    assert "geo" in runs["s"]["message"]


def test_run_timeout_cpu_loop_and_await_loop(env):
    env.book("spin", """
        async def on_start(c):
            while True:
                try:
                    pass
                except Exception:
                    pass
    """)
    env.book("waits", """
        import mailsoar as ms
        async def on_start(c):
            while True:
                await ms.act("geolocate ip", ip="81.2.69.160")
    """)
    env.book("ok", """
        async def on_start(c):
            c.tag("after")
    """)
    # A CPU loop holds the one interpreter thread until the watchdog
    # interrupts it, so it runs on its own here.
    env.config(playbooks="spin;ok", engine="run_timeout_s=1")
    t0 = time.time()
    o = env.analyze(PHISH)[0]
    assert time.time() - t0 < 30
    runs = {r["playbook"]: r for r in o["playbook_runs"]}
    assert runs["spin"]["status"] == "timeout"
    assert "run_timeout_s" in runs["spin"]["message"]
    assert runs["ok"]["status"] == "success"
    env.config(playbooks="waits;ok", engine="run_timeout_s=1")
    o = env.analyze(os.path.join(EXAMPLES, "newsletter.eml"))[0]
    runs = {r["playbook"]: r for r in o["playbook_runs"]}
    assert runs["waits"]["status"] == "timeout"
    assert runs["ok"]["status"] == "success"
    # The cache answered the repeated lookups.
    cached = [a["cached"] for a in runs["waits"]["action_runs"]]
    assert cached[0] is False and any(cached[1:])


def test_prompt_answered_from_another_process(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            a = await ms.prompt("Block it?", ["yes", "no"],
                                timeout_min=2, default="no")
            c.score.add(5, "answer " + a)
            if a == "yes":
                await ms.act("geolocate ip", ip="81.2.69.160")
    """)
    proc = subprocess.Popen([MAILSOAR, "-c", env.conf, "--data", env.data,
                             "analyze", "--json", PHISH],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pid = None
    for _ in range(200):
        time.sleep(0.1)
        r = env.run("prompt", "list")
        if r.returncode == 0 and json.loads(r.stdout):
            pid = json.loads(r.stdout)[0]["id"]
            break
    assert pid is not None, "the prompt never appeared"
    bad = env.run("prompt", "answer", str(pid), "maybe")
    assert bad.returncode == 1 and b"yes" in bad.stderr
    ok = env.run("prompt", "answer", str(pid), "yes", "--as", "alice")
    assert ok.returncode == 0
    out, err = proc.communicate(timeout=60)
    o = json.loads(out.decode().splitlines()[0])
    run = one_run(o)
    assert run["status"] == "success"
    assert pb_reasons(o) == ["answer yes"]
    assert run["action_runs"][0]["approved_by"] == "alice"
    again = env.run("prompt", "answer", str(pid), "no")
    assert again.returncode == 1


def test_prompt_times_out_to_default(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            a = await ms.prompt("ok?", ["yes", "no"], timeout_min=0.005,
                                default="no")
            c.score.add(1, "answer " + a)
    """)
    o = env.analyze(PHISH)[0]
    assert pb_reasons(o) == ["answer no"]
    lst = json.loads(env.run("prompt", "list", "--all").stdout)
    assert lst[0]["status"] == "expired"
    assert lst[0]["answered_by"] == "timeout"


def test_act_prints_result_and_caches(env):
    r = env.run("act", "geolocate ip", "ip=81.2.69.160")
    assert r.returncode == 0, r.stderr.decode()
    o = json.loads(r.stdout)
    assert o["status"] == "success" and o["asset"] == "geo"
    assert o["summary"]["country"] == "GB"
    assert o["summary"]["country_of_concern"] is True
    assert o["parameter"] == {"ip": "81.2.69.160"}
    assert o["cached"] is False
    o2 = json.loads(env.run("act", "geolocate ip",
                            "ip=81.2.69.160").stdout)
    assert o2["cached"] is True and o2["summary"] == o["summary"]
    bad = env.run("act", "geolocate ip", "ipx=1")
    assert bad.returncode == 2 and b"ip" in bad.stderr
    bad = env.run("act", "no such action")
    assert bad.returncode == 2 and b"valid actions" in bad.stderr
    skipped = env.run("act", "block ip", "ip=192.0.2.1")
    assert skipped.returncode == 1
    assert json.loads(skipped.stdout)["status"] == "skipped"


def test_apps_lists_actions_and_assets(env):
    r = env.run("apps")
    assert r.returncode == 0
    out = r.stdout.decode()
    assert 'action "geolocate ip"' in out
    assert "assets: geo" in out


def test_config_errors_name_file_and_line(env):
    with open(env.conf, "a") as f:
        f.write("\n[asset x]\napp=nosuchapp\n")
    r = env.run("act", "geolocate ip", "ip=81.2.69.160")
    assert r.returncode == 2
    err = r.stderr.decode()
    lines = open(env.conf).read().splitlines()
    line = lines.index("app=nosuchapp") + 1
    assert "%s:%d" % (env.conf, line) in err and "geoip" in err


def test_audit_chain_verifies_and_names_the_tampered_entry(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            await ms.act("geolocate ip", ip="81.2.69.160")
            c.score.add(3, "x")
    """)
    env.analyze(PHISH)
    ok = env.run("audit", "verify")
    assert ok.returncode == 0, ok.stdout
    with env.db() as db:
        rows = db.execute("select id, event from audit_log order by id"
                          ).fetchall()
        events = [e for _, e in rows]
        for want in ("container created", "playbook started",
                     "action run", "score added", "playbook finished"):
            assert want in events, events
        victim = [i for i, e in rows if e == "action run"][0]
        # The store's triggers refuse changes; whoever can drop them can
        # still be caught by the chain.
        db.execute("drop trigger audit_log_no_update")
        db.execute("update audit_log set detail = '{}' where id = ?",
                   (victim,))
    bad = env.run("audit", "verify")
    assert bad.returncode == 1
    assert ("entry %d" % victim).encode() in bad.stdout


def test_playbook_test_with_fixtures(env):
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            r = await ms.act("detonate file", vault_id="abc")
            if r.ok and r.summary.get("score", 0) >= 70:
                c.score.add(40, "sandbox says " + r.summary["verdict"])
    """)
    fx = os.path.join(env.root, "fx.json")
    with open(fx, "w") as f:
        json.dump({"detonate file": {"summary": {"score": 90,
                                                 "verdict": "malicious"},
                                     "data": [], "message": "recorded"}},
                  f)
    r = env.run("playbook", "test", os.path.join(env.books, "t.py"),
                PHISH, "--fixtures", fx)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    out = r.stdout.decode()
    assert "detonate file" in out and "sandbox says malicious" in out
    # Without the fixture, the step is skipped and no score is added.
    r = env.run("playbook", "test", os.path.join(env.books, "t.py"),
                PHISH, "--json")
    runs = json.loads(r.stdout)
    assert runs[0]["action_runs"][0]["status"] == "skipped"
    # The user's data directory was not touched by the test runs.
    assert not os.path.exists(os.path.join(env.data, "mailsoar.db"))


def git(*args, cwd=None):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], cwd=cwd, check=True, capture_output=True)


def test_playbook_sync_from_git_keeps_the_good_version(env):
    bare = os.path.join(env.root, "books.git")
    work = os.path.join(env.root, "work")
    git("init", "--bare", "-b", "main", bare)
    git("clone", bare, work)
    with open(os.path.join(work, "shared.py"), "w") as f:
        f.write("async def on_start(c):\n    c.tag('v1')\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "v1", cwd=work)
    git("push", "origin", "HEAD:main", cwd=work)
    env.config(playbooks="shared",
               extra="[playbook_repo]\nurl=%s\nbranch=main\n" % bare)
    r = env.run("playbook", "sync")
    assert r.returncode == 0, r.stdout + r.stderr
    assert b"shared.py: installed" in r.stdout
    installed = os.path.join(env.books, "shared.py")
    v1 = open(installed).read()
    assert "v1" in v1
    with open(os.path.join(work, "shared.py"), "w") as f:
        f.write("async def on_start(c)\n    broken\n")
    git("commit", "-am", "broken", cwd=work)
    git("push", "origin", "HEAD:main", cwd=work)
    r = env.run("playbook", "sync")
    assert r.returncode == 1
    assert b"does not compile" in r.stdout
    assert open(installed).read() == v1
    o = env.analyze(PHISH)[0]
    assert one_run(o)["status"] == "success"


def test_playbook_reloads_when_its_file_changes(env):
    # Run 1 rewrites the playbook; emails analysed after that batch get
    # the new version, without restarting.  --jobs 1: batches of 4.
    path = os.path.join(env.books, "t.py")
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            c.tag("v1")
            with open(__file__, "w") as f:
                f.write("async def on_start(c):\\n    c.tag('version-2')\\n")
    """)
    mbox = os.path.join(env.root, "box.mbox")
    with open(mbox, "wb") as f:
        for i in range(6):
            f.write(b"From a@b Mon Nov 30 10:00:00 2026\nMessage-ID: <m%d@x>"
                    b"\nSubject: n%d\n\nbody %d\n\n" % (i, i, i))
    r = env.run("analyze", "--json", "--jobs", "1", mbox)
    assert r.returncode == 0, r.stderr.decode()
    objs = [json.loads(x) for x in r.stdout.decode().splitlines()]
    tags = []
    for o in objs:
        c = json.loads(env.run("containers", "--json").stdout)
        tags.append([x for x in c if x["id"] == o["container_id"]][0]
                    ["tags"])
    assert tags[:4] == [["v1"]] * 4
    assert tags[4:] == [["version-2"]] * 2
    assert "version-2" in open(path).read()


def test_python_apps(env):
    apps = os.path.join(env.root, "apps")
    os.makedirs(apps)
    with open(os.path.join(apps, "hr.py"), "w") as f:
        f.write(textwrap.dedent("""
            import mailsoar as ms
            ms.app("hr", "the HR directory",
                   settings={"url": {"required": True},
                             "token": {"secret": True}})
            calls = []

            @ms.action("lookup user", app="hr",
                       params={"email": {"contains": "email",
                                         "required": True}})
            def lookup(params, asset):
                calls.append(params["email"])
                if params["email"].startswith("flaky"):
                    raise ms.Transient("busy")
                if params["email"].startswith("bad"):
                    raise ValueError("no such user")
                return {"data": [{"email": params["email"],
                                  "url": asset["url"],
                                  "token": asset["token"]}],
                        "summary": {"tries": len(calls)},
                        "message": "found"}
        """))
    env.config(playbooks="t", extra="[asset people]\napp=hr\n"
               "url=https://hr.example\ntoken_file=%s\n"
               % os.path.join(env.root, "tok"))
    with open(env.conf, "a") as f:
        pass
    text = open(env.conf).read().replace(
        "[playbooks]\n", "[playbooks]\napps_dir=%s\n" % apps)
    open(env.conf, "w").write(text)
    with open(os.path.join(env.root, "tok"), "w") as f:
        f.write("sekrit\n")
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            ok = await ms.act("lookup user", email="ceo@example.org")
            assert ok.ok and ok.data[0]["url"] == "https://hr.example"
            assert ok.data[0]["token"] == "sekrit"
            bad = await ms.act("lookup user", email="bad@example.org")
            assert bad.status == "failed", bad
            assert "no such user" in bad.message
            fl = await ms.act("lookup user", email="flaky@example.org")
            assert fl.status == "failed" and fl.message == "busy"
            c.tag("python-app-ok")
    """)
    o = env.analyze(PHISH)[0]
    run = one_run(o)
    assert run["status"] == "success", run
    flaky = [a for a in run["action_runs"]
             if a["parameter"]["email"].startswith("flaky")][0]
    assert flaky["attempts"] == 3           # retried: transient
    bad = [a for a in run["action_runs"]
           if a["parameter"]["email"].startswith("bad")][0]
    assert bad["attempts"] == 1
    r = env.run("apps")
    assert b'action "lookup user"' in r.stdout and b"people" in r.stdout
    # The secret never reaches the store or the logs.
    with env.db() as db:
        for (t,) in db.execute("select detail from audit_log"):
            assert "sekrit" not in (t or "")


def overlap(runs):
    """The most action runs that were running at the same moment."""
    ev = []
    for a in runs:
        ev.append((a["started"], 1))
        ev.append((a["finished"], -1))
    cur = best = 0
    for _, d in sorted(ev, key=lambda x: (x[0], x[1])):
        cur += d
        best = max(best, cur)
    return best


def test_per_asset_concurrency_timeout_and_cache_ttl(env):
    env.config(playbooks="t", extra="[asset slow]\napp=util\n"
               "max_concurrent=2\ntimeout_ms=400\nretries=0\n"
               "cache_ttl_s=8\n", engine="workers=8")
    env.book("t", """
        import mailsoar as ms
        async def on_start(c):
            rs = await ms.gather(*[ms.act("no op", sleep_ms="150")
                                   for _ in range(6)])
            assert all(r.ok for r in rs), rs
            late = await ms.act("no op", sleep_ms="2000")
            assert late.status == "failed" and "timed out" in late.message
    """)
    o = env.analyze(PHISH)[0]
    run = one_run(o)
    assert run["status"] == "success", run
    quick = [a for a in run["action_runs"]
             if a["parameter"].get("sleep_ms") == "150"]
    with env.db() as db:
        rows = db.execute("select started, finished from action_runs where"
                          " params like '%150%'").fetchall()
    assert len(rows) == 6
    assert overlap([{"started": s, "finished": f} for s, f in rows]) == 2
    late = [a for a in run["action_runs"]
            if a["parameter"].get("sleep_ms") == "2000"][0]
    assert late["duration_ms"] < 1500
    # The cache keeps a result for cache_ttl_s, then asks again.
    r1 = json.loads(env.run("act", "echo", "value=v").stdout)
    t1 = time.time()               # the result is cached by now
    r2 = json.loads(env.run("act", "echo", "value=v").stdout)
    assert time.time() - t1 < 7.5, "too slow to see the cache hit"
    time.sleep(max(0, t1 + 8.3 - time.time()))
    r3 = json.loads(env.run("act", "echo", "value=v").stdout)
    assert [r1["cached"], r2["cached"], r3["cached"]] == [False, True,
                                                          False]


def test_an_empty_playbook_list_runs_nothing(env):
    env.config(playbooks="")          # "email=" with nothing after it
    o = env.analyze(PHISH)[0]
    assert o["playbook_runs"] == []
    assert o["container_id"] >= 1


def test_calling_another_playbook_and_custom_lists(env):
    env.book("main", """
        import mailsoar as ms
        async def on_start(c):
            ms.lists.add("vips", "ceo@example.org")
            ms.lists.add("vips", "cfo@example.org")
            ms.lists.remove("vips", "cfo@example.org")
            assert ms.lists.contains("vips", "ceo@example.org")
            assert not ms.lists.contains("vips", "cfo@example.org")
            assert ms.lists.get("vips") == ["ceo@example.org"]
            status = await ms.playbook("helper")
            c.score.add(1, "helper said " + status)
            bad = await ms.playbook("broken")
            c.score.add(1, "broken said " + bad)
    """)
    env.book("helper", """
        import mailsoar as ms
        async def on_start(c):
            r = await ms.act("geolocate ip", ip="81.2.69.160")
            c.tag("helper-" + r.summary.get("country", "?"))
    """)
    env.book("broken", """
        async def on_start(c):
            raise RuntimeError("no")
    """)
    env.config(playbooks="main")
    o = env.analyze(PHISH)[0]
    runs = {r["playbook"]: r for r in o["playbook_runs"]}
    assert runs["main"]["status"] == "success", runs["main"]
    assert runs["helper"]["status"] == "success"
    assert runs["broken"]["status"] == "failed"
    assert pb_reasons(o) == ["helper said success", "broken said failed"]
    c = [x for x in json.loads(env.run("containers", "--json").stdout)
         if x["id"] == o["container_id"]][0]
    assert "helper-GB" in c["tags"]
