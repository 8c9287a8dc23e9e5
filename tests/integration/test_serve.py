# SPDX-License-Identifier: Apache-2.0
"""mailsoar serve against a real Dovecot: pick-up with IDLE, polling
without it (at its interval), kill -9 in the middle of 500 emails,
Dovecot restarted mid-stream, UIDVALIDITY changes, a malformed email, TLS
with a self-signed CA, a wrong password, two reporters of one phishing
email."""
import email.message
import email.utils
import ipaddress
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from dovecot import Dovecot   # noqa: E402

MAILSOAR = os.environ["MAILSOAR"]
SRC = os.environ.get("MS_SRCDIR", os.path.join(os.path.dirname(__file__),
                                               "..", ".."))
EXAMPLES = os.path.join(SRC, "examples")
PHISH = open(os.path.join(EXAMPLES, "credential-phish.eml"), "rb").read()


def make_email(i, subject=None):
    m = email.message.EmailMessage()
    m["From"] = "sender%d@example.net" % i
    m["To"] = "soc@example.org"
    m["Subject"] = subject or "report %d" % i
    m["Message-ID"] = "<serve-%d-%f@example.net>" % (i, time.time())
    m["Date"] = email.utils.formatdate()
    m.set_content("see http://h%d.example.com/login and 203.0.113.%d\n"
                  % (i, i % 250))
    return m.as_bytes()


class Daemon:
    def __init__(self, root, conf_text, playbook=None):
        self.root = root
        self.data = os.path.join(root, "data")
        self.books = os.path.join(root, "books")
        os.makedirs(self.books, exist_ok=True)
        with open(os.path.join(self.books, "t.py"), "w") as f:
            f.write(playbook or "async def on_start(c):\n"
                    "    c.tag('seen-by-playbook')\n")
        self.conf = os.path.join(root, "mailsoar.conf")
        with open(self.conf, "w") as f:
            f.write("[engine]\nshutdown_grace_s=5\n[playbooks]\ndir=%s\n"
                    "email=t\n%s" % (self.books, conf_text))
        self.log = os.path.join(root, "serve.log")
        self.p = None

    def start(self):
        self.logf = open(self.log, "ab")
        self.p = subprocess.Popen([MAILSOAR, "-c", self.conf, "--data",
                                   self.data, "serve"],
                                  stdout=self.logf, stderr=self.logf)
        return self

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.p is None:
            return None
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=timeout)
        self.p = None
        self.logf.close()
        return rc

    def db(self):
        return sqlite3.connect(os.path.join(self.data, "mailsoar.db"),
                               timeout=30)

    def count(self, sql="select count(*) from containers"):
        try:
            with self.db() as db:
                return db.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    def wait_count(self, n, timeout=120, sql="select count(*) from "
                   "containers"):
        end = time.time() + timeout
        while time.time() < end:
            if self.count(sql) >= n:
                return True
            if self.p is not None and self.p.poll() is not None:
                raise AssertionError("the daemon exited: " + self.text())
            time.sleep(0.05)
        return False

    def text(self):
        return open(self.log, errors="replace").read()

    def mailsoar(self, *args):
        return subprocess.run([MAILSOAR, "-c", self.conf, "--data",
                               self.data, *args], capture_output=True,
                              timeout=60)


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as d:
        yield d


@pytest.fixture
def dove(tmp):
    dv = Dovecot(os.path.join(tmp, "dovecot"))
    yield dv
    dv.stop()


@pytest.fixture
def daemons():
    started = []
    yield started
    for d in started:
        if d.p is not None:
            d.p.kill()
            d.p.wait()


def wait_state(d, dove, state):
    for _ in range(200):           # the folder open, waiting for news
        st = d.mailsoar("status", "--json")
        if st.returncode == 0 and '"%s"' % state in st.stdout.decode():
            return
        time.sleep(0.05)
    raise AssertionError("never %s: %s%s" % (state, d.text(), dove.log()))


def test_idle_pickup(dove, tmp, daemons):
    # An hour between polls: only IDLE can bring the new email in soon.
    # (How soon is measured by bench/ingest --latency, not here.)
    d = Daemon(tmp, dove.asset(poll=3600)).start()
    daemons.append(d)
    wait_state(d, dove, "idle")
    dove.append(make_email(1))
    assert d.wait_count(1, timeout=20), d.text()
    assert d.wait_count(1, timeout=20, sql="select count(*) from "
                        "playbook_runs")
    for _ in range(60):            # the status file follows each second
        st = json.loads(d.mailsoar("status", "--json").stdout)
        if st["mailboxes"][0]["stored"] == 1:
            break
        time.sleep(0.1)
    assert st["mailboxes"][0]["stored"] == 1, st
    assert d.mailsoar("status").returncode == 0
    assert d.stop() == 0
    assert "stopped" in d.mailsoar("status").stdout.decode()


def test_polling_without_idle(tmp, daemons):
    dv = Dovecot(os.path.join(tmp, "dovecot"), idle=False)
    try:
        dv.append(make_email(1))
        d = Daemon(tmp, dv.asset(poll=1)).start()
        daemons.append(d)
        assert d.wait_count(1, timeout=60), d.text()
        wait_state(d, dv, "polling")
        dv.append(make_email(2))
        assert d.wait_count(2, timeout=60), d.text() + dv.log()
        assert d.stop() == 0
    finally:
        dv.stop()


def test_polling_keeps_its_interval(tmp, daemons):
    dv = Dovecot(os.path.join(tmp, "dovecot"), idle=False)
    try:
        dv.append(make_email(1))
        d = Daemon(tmp, dv.asset(poll=3600)).start()
        daemons.append(d)
        assert d.wait_count(1, timeout=60), d.text()
        wait_state(d, dv, "polling")
        dv.append(make_email(2))
        time.sleep(4)              # no search before the hour is up
        assert d.count() == 1, d.text()
        assert d.stop(timeout=30) == 0     # a stop ends the wait
        d.start()                  # a new session searches at once
        assert d.wait_count(2, timeout=60), d.text()
        assert d.stop() == 0
    finally:
        dv.stop()


def test_kill_9_in_the_middle_of_500_loses_nothing(dove, tmp, daemons):
    dove.append_many([make_email(i) for i in range(500)])
    d = Daemon(tmp, dove.asset()).start()
    daemons.append(d)
    assert d.wait_count(60, timeout=60), d.text()
    d.stop(signal.SIGKILL)
    got = d.count()
    assert got < 500, "all stored before the kill: make the test harder"
    d.start()
    assert d.wait_count(500, timeout=180), d.text()
    time.sleep(1)                  # nothing more may come
    with d.db() as db:
        assert db.execute("select count(*) from containers").fetchone()[
            0] == 500
        assert db.execute("select max(seen_count) from containers"
                          ).fetchone()[0] == 1
        assert db.execute("select count(distinct message_id) from "
                          "containers").fetchone()[0] == 500
    assert d.stop() == 0


def test_dovecot_restart_mid_stream(dove, tmp, daemons):
    d = Daemon(tmp, dove.asset()).start()
    daemons.append(d)
    dove.append_many([make_email(i) for i in range(50)])
    assert d.wait_count(50, timeout=60), d.text()
    dove.stop(sessions=True)       # the server and every open session
    time.sleep(1.5)
    dove.start()
    dove.append_many([make_email(100 + i) for i in range(50)])
    assert d.wait_count(100, timeout=90), d.text()
    assert d.count() == 100
    assert "again in" in d.text()       # it noticed and reconnected
    assert d.stop() == 0


def test_uidvalidity_change_rescans_without_duplicates(dove, tmp,
                                                       daemons):
    c = dove.client()
    c.create("Reports")
    c.logout()
    mails = [make_email(i) for i in range(10)]
    dove.append_many(mails, folder="Reports")
    d = Daemon(tmp, dove.asset(extra="folder=Reports")).start()
    daemons.append(d)
    assert d.wait_count(10, timeout=60), d.text()
    assert d.stop() == 0
    c = dove.client()
    c.delete("Reports")
    c.create("Reports")
    c.logout()
    dove.append_many(mails + [make_email(99)], folder="Reports")
    d.start()
    assert d.wait_count(11, timeout=60), d.text()
    time.sleep(1.5)
    assert d.count() == 11
    assert "UIDVALIDITY changed" in d.text()
    assert d.stop() == 0


def test_malformed_email_becomes_a_container_and_ingestion_goes_on(
        dove, tmp, daemons):
    d = Daemon(tmp, dove.asset()).start()
    daemons.append(d)
    dove.append(b"\x00\xff garbage without headers\r\n\r\n--\r\n")
    dove.append(make_email(7))
    assert d.wait_count(2, timeout=30), d.text()
    with d.db() as db:
        rows = db.execute("select data from containers order by id"
                          ).fetchall()
    first = json.loads(rows[0][0])
    assert first["findings"], first
    assert d.stop() == 0


def test_tls_needs_the_ca_and_a_wrong_password_backs_off(tmp, daemons):
    dv = Dovecot(os.path.join(tmp, "dovecot"), tls=True)
    try:
        dv.append(make_email(1))
        no_ca = Daemon(os.path.join(tmp, "a"), dv.asset(tls="imaps"))
        no_ca.start()
        daemons.append(no_ca)
        time.sleep(3)
        assert no_ca.count() == 0
        assert "not trusted" in no_ca.text(), no_ca.text()
        assert no_ca.stop() == 0
        ok = Daemon(os.path.join(tmp, "b"), dv.asset(
            tls="imaps", extra="ca_file=%s" % dv.ca)).start()
        daemons.append(ok)
        assert ok.wait_count(1, timeout=30), ok.text()
        assert ok.stop() == 0
        bad = dv.asset().replace("password=socpw", "password=wrong")
        wrong = Daemon(os.path.join(tmp, "c"), bad).start()
        daemons.append(wrong)
        time.sleep(4)
        text = wrong.text()
        assert "wrong" not in text        # the password is never logged
        fails = text.count("login refused")
        assert 1 <= fails <= 4, text      # retried with backoff
        assert wrong.p.poll() is None     # and still running
        assert wrong.stop() == 0
    finally:
        dv.stop()


def test_three_reporters_one_container(dove, tmp, daemons):
    d = Daemon(tmp, dove.asset()).start()
    daemons.append(d)
    reported = open(os.path.join(EXAMPLES, "reported-phish.eml"),
                    "rb").read()
    dove.append(reported)
    inline = open(os.path.join(os.path.dirname(__file__), "data",
                               "reported-phish-inline.eml"), "rb").read()
    dove.append(inline)
    # A third user forwards the same email as an attachment too.
    carol = reported.replace(b'"Alice Martin" <alice@example.org>',
                             b'"Carol" <carol@example.org>').replace(
        b"<7c2e4a10-3b5f-4d8e-9a61-0f2b8c9d1e73@example.org>",
        b"<carol-report@example.org>")
    dove.append(carol)
    assert d.wait_count(1, timeout=30), d.text()
    assert d.wait_count(3, timeout=30, sql="select count(*) from "
                        "ingested")
    time.sleep(1)
    with d.db() as db:
        assert db.execute("select count(*) from containers").fetchone()[
            0] == 1
        reps = json.loads(db.execute("select json_group_array(reporter) "
                                     "from container_reporters"
                                     ).fetchone()[0])
    assert len(set(reps)) == 3, reps
    with d.db() as db:
        assert db.execute("select seen_count from containers").fetchone(
            )[0] == 3
    assert d.stop() == 0


def test_first_run_newest_move_json_logs_and_sighup(dove, tmp, daemons):
    dove.append_many([make_email(i) for i in range(8)])
    c = dove.client()
    c.create("Done")
    c.logout()
    d = Daemon(tmp, dove.asset(extra="first_run_newest=3\nafter=move\n"
                                      "move_to=Done"))
    d.p = None
    d.logf = open(d.log, "ab")
    d.p = subprocess.Popen([MAILSOAR, "-c", d.conf, "--data", d.data,
                            "serve", "--log-format", "json"],
                           stdout=d.logf, stderr=d.logf)
    daemons.append(d)
    assert d.wait_count(3, timeout=30), d.text()
    time.sleep(2)
    assert d.count() == 3             # only the newest three
    with d.db() as db:
        subjects = sorted(r[0] for r in db.execute(
            "select name from containers"))
    assert subjects == ["report 5", "report 6", "report 7"]
    # Each stored email was moved to Done.
    for _ in range(50):
        c = dove.client()
        c.select("Done", readonly=True)
        n = len(c.uid("SEARCH", None, "ALL")[1][0].split())
        c.logout()
        if n == 3:
            break
        time.sleep(0.1)
    assert n == 3
    # Every log line is a JSON object.
    lines = [x for x in d.text().splitlines() if x.strip()]
    assert lines and all(json.loads(x)["msg"] for x in lines), lines
    # SIGHUP: the daemon starts again with the same arguments and goes on.
    pid = d.p.pid
    d.p.send_signal(signal.SIGHUP)
    dove.append(make_email(50))
    assert d.wait_count(4, timeout=30), d.text()
    assert d.p.pid == pid and d.p.poll() is None
    assert "reloading" in d.text()
    assert d.stop() == 0


def test_watched_directory(tmp, daemons):
    drop = os.path.join(tmp, "drop")
    os.makedirs(drop)
    with open(os.path.join(drop, "a.eml"), "wb") as f:
        f.write(make_email(1))       # there before the start
    d = Daemon(tmp, "[asset drop]\napp=directory\npath=%s\n" % drop).start()
    daemons.append(d)
    assert d.wait_count(1, timeout=30), d.text()
    # Written under a dot name, then renamed in: one event, whole file.
    tmpf = os.path.join(drop, ".b.eml")
    with open(tmpf, "wb") as f:
        f.write(make_email(2))
    os.rename(tmpf, os.path.join(drop, "b.eml"))
    assert d.wait_count(2, timeout=10), d.text()
    for _ in range(50):
        if sorted(os.listdir(os.path.join(drop, ".done"))) == \
                ["a.eml", "b.eml"]:
            break
        time.sleep(0.1)
    assert sorted(os.listdir(os.path.join(drop, ".done"))) == \
        ["a.eml", "b.eml"]
    assert [x for x in os.listdir(drop) if not x.startswith(".")] == []
    assert d.stop() == 0
    # The same email dropped again after a restart is not stored twice.
    with open(os.path.join(drop, "c.eml"), "wb") as f:
        f.write(open(os.path.join(drop, ".done", "a.eml"), "rb").read())
    d.start()
    time.sleep(3)
    assert d.count() == 2
    assert os.path.exists(os.path.join(drop, ".done", "c.eml"))
    assert d.stop() == 0


def test_xoauth2_token_command_errors_are_clear(dove, tmp):
    base = dove.asset().replace("password=socpw\n", "auth=xoauth2\n")
    d = Daemon(tmp, base + "token_command=exit 3\n")
    r = d.mailsoar("asset", "test", "reports")
    assert r.returncode == 1
    assert b"token_command failed" in r.stdout, r.stdout
    d = Daemon(os.path.join(tmp, "2"), base + "token_command=echo\n")
    r = d.mailsoar("asset", "test", "reports")
    assert r.returncode == 1 and b"printed no token" in r.stdout


def git(*args, cwd=None):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], cwd=cwd, check=True, capture_output=True)


def test_playbooks_sync_from_git_on_a_schedule(tmp, daemons):
    bare = os.path.join(tmp, "books.git")
    work = os.path.join(tmp, "work")
    git("init", "--bare", "-b", "main", bare)
    git("clone", bare, work)

    def publish(tag):
        with open(os.path.join(work, "t.py"), "w") as f:
            f.write("async def on_start(c):\n    c.tag(%r)\n" % tag)
        git("add", ".", cwd=work)
        git("commit", "-qm", tag, cwd=work)
        git("push", "-q", "origin", "HEAD:main", cwd=work)

    publish("v1")
    drop = os.path.join(tmp, "drop")
    os.makedirs(drop)
    d = Daemon(tmp, "[playbook_repo]\nurl=%s\nbranch=main\n"
               "sync_interval_s=1\n[asset drop]\napp=directory\npath=%s\n"
               % (bare, drop))
    os.remove(os.path.join(d.books, "t.py"))   # only what Git brings
    d.start()
    daemons.append(d)

    def tags_of_new(i):
        with open(os.path.join(drop, "m%d.eml" % i), "wb") as f:
            f.write(make_email(i))
        assert d.wait_count(i, timeout=30), d.text()
        assert d.wait_count(i, timeout=30, sql="select count(*) from "
                            "playbook_runs where finished is not null")
        with d.db() as db:
            return [t for (t,) in db.execute(
                "select tag from tags where container_id = (select "
                "max(id) from containers)")]

    for _ in range(100):
        if os.path.exists(os.path.join(d.books, "t.py")):
            break
        time.sleep(0.1)
    assert "v1" in tags_of_new(1)
    publish("v2")
    deadline = time.time() + 20
    while "v2" not in open(os.path.join(d.books, "t.py")).read():
        assert time.time() < deadline, d.text()
        time.sleep(0.2)
    assert "v2" in tags_of_new(2)
    assert d.stop() == 0


def test_serve_refreshes_feeds_and_the_intel_asset_sees_them(tmp, daemons):
    """[feed NAME]: serve runs `intel refresh` in the background; the
    intel asset of the running engine answers from the new indicators."""
    drop_txt = os.path.join(os.environ.get("MS_CORPUS", os.path.join(
        SRC, "..", "shared", "corpus")), "threat-intel-feeds",
        "intelmq-feed-samples", "spamhaus", "drop.txt")
    with open(drop_txt) as f:
        net = next(x.split(";")[0].strip() for x in f
                   if x.strip() and not x.startswith(";"))
    ip = str(next(ipaddress.ip_network(net).hosts()))
    inbox = os.path.join(tmp, "inbox")
    os.makedirs(inbox)
    book = ("import mailsoar as ms\n"
            "async def on_start(c):\n"
            "    r = await ms.act('ip reputation', ip=%r)\n"
            "    c.tag('intel-' + str(r.summary.get('verdict')))\n" % ip)
    d = Daemon(tmp, "[asset ti]\napp=intel\n\n[feed drop]\npath=%s\n"
               "\n[asset inbox]\napp=directory\npath=%s\n"
               % (drop_txt, inbox), playbook=book).start()
    daemons.append(d)
    assert d.wait_count(1, timeout=60, sql="select count(*) from "
                        "intel_sources where name = 'drop'"), d.text()
    time.sleep(1.2)     # the asset looks for new indicators once a second
    with open(os.path.join(inbox, "m1.eml"), "wb") as f:
        f.write(make_email(1))
    assert d.wait_count(1, timeout=60, sql="select count(*) from "
                        "playbook_runs where finished is not null"), d.text()
    with d.db() as db:
        tags = [t for (t,) in db.execute("select tag from tags")]
    assert "intel-malicious" in tags, (tags, d.text())
    assert d.stop() == 0
