# SPDX-License-Identifier: Apache-2.0
"""Containers joined across reports and `mailsoar ingest`, as a user drives
them: the same phish reported attached by one user and inline by another
lands in one container (campaign key), a reply joins its thread's
container, and `mailsoar ingest` imports trees of .eml files, maildirs and
mbox files with a summary that matches the store (real SQLite, real
CPython playbooks)."""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import textwrap

import pytest

MAILSOAR = os.environ["MAILSOAR"]
SRC = os.environ.get("MS_SRCDIR", os.path.join(os.path.dirname(__file__),
                                               "..", ".."))
EXAMPLES = os.path.join(SRC, "examples")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
ATTACHED = os.path.join(EXAMPLES, "reported-phish.eml")
INLINE = os.path.join(DATA, "reported-phish-inline.eml")
PHISH_MID = "e5b0c7a2-91d4-4f0e-a3c1-7301559102aa@dhl-parcel-redelivery.icu"
PHISH_FROM = "noreply@dhl-parcel-redelivery.icu"
PHISH_SUBJECT = "DHL: Ihre Sendung 7301-5591-02 wird zur\u00fcckgehalten"
PHISH_MINUTE = 1773299460      # Thu, 12 Mar 2026 07:11 UTC


class Env:
    """A data directory, a playbooks directory and a config file."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.books = os.path.join(root, "playbooks")
        os.makedirs(self.books)
        self.conf = os.path.join(root, "mailsoar.conf")
        with open(self.conf, "w") as f:
            f.write("[playbooks]\ndir=%s\nemail=t\n" % self.books)
        self.book("t", """
            async def on_start(c):
                c.score.add(5, "ingested")
        """)

    def book(self, name, text):
        with open(os.path.join(self.books, name + ".py"), "w") as f:
            f.write(textwrap.dedent(text))

    def run(self, *args, timeout=300):
        return subprocess.run([MAILSOAR, "-c", self.conf, "--data",
                               self.data, *args], capture_output=True,
                              timeout=timeout)

    def analyze(self, *files):
        r = self.run("analyze", "--json", "--no-playbooks", *files)
        assert r.returncode in (0, 3), r.stderr.decode()
        return [json.loads(x) for x in r.stdout.decode().splitlines()]

    def db(self):
        return sqlite3.connect(os.path.join(self.data, "mailsoar.db"))

    def path(self, *parts):
        p = os.path.join(self.root, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p


@pytest.fixture
def env():
    with tempfile.TemporaryDirectory() as d:
        yield Env(d)


def campaign_key(sender, subject, minute):
    text = "%s\n%s\n%d" % (sender, subject, minute)
    return hashlib.sha256(text.encode()).hexdigest()


def email(mid, subject="Hello", sender="a@sender.example", date=None,
          extra="", body="Just text.\n"):
    # One minute apart: otherwise they would be one campaign.
    date = date or "Mon, 30 Nov 2026 %02d:%02d:07 +0000" % (mid // 60 % 24,
                                                           mid % 60)
    return ("From: %s\nTo: bob@example.org\nSubject: %s\nDate: %s\n"
            "Message-ID: <m%d@sender.example>\n%sMIME-Version: 1.0\n"
            "Content-Type: text/plain\n\n%s"
            % (sender, subject, date, mid, extra, body))


# ---- campaign and thread keys ---------------------------------------------

REPLY = """\
From: "DHL Express" <noreply@dhl-parcel-redelivery.icu>
To: carol@example.org
Subject: Re: DHL: Ihre Sendung 7301-5591-02 wird zur\u00fcckgehalten
Date: Thu, 12 Mar 2026 09:40:02 +0000
Message-ID: <reply-1@dhl-parcel-redelivery.icu>
In-Reply-To: <%s>
References: <older@dhl-parcel-redelivery.icu> <%s>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Please pay the fee today: https://dhl-parcel-redelivery.icu/track?id=2
""" % (PHISH_MID, PHISH_MID)


def test_attached_and_inline_reports_are_one_container(env):
    a, b = env.analyze(ATTACHED, INLINE)
    # Both forms found the same suspicious email ...
    assert a["email"]["from"]["address"] == PHISH_FROM
    assert b["email"]["from"]["address"] == PHISH_FROM
    assert b["email"]["message_id"] is None
    # ... at the same minute: the inline "8:11 AM" is in Bob's +0100.
    assert a["email"]["date_unix"] // 60 * 60 == PHISH_MINUTE
    assert b["email"]["date_unix"] == PHISH_MINUTE
    assert a["container_id"] == b["container_id"]
    assert b["seen_count"] == 2
    assert b["reporters"] == ["alice@example.org", "bob@example.org"]
    with env.db() as db:
        rows = db.execute("select campaign_key from containers").fetchall()
        audit = [json.loads(d) for (d,) in db.execute(
            "select detail from audit_log where event like 'container%'"
            " order by id")]
    assert rows == [(campaign_key(PHISH_FROM, PHISH_SUBJECT.lower(),
                                  PHISH_MINUTE),)]
    assert "matched" not in audit[0]
    assert audit[1]["matched"] == "campaign"
    r = env.run("audit", "verify")
    assert r.returncode == 0, r.stderr.decode()


def test_reply_joins_the_thread(env):
    reply = env.path("reply.eml")
    with open(reply, "w") as f:
        f.write(REPLY)
    a, r = env.analyze(ATTACHED, reply)
    assert r["container_id"] == a["container_id"]
    assert r["seen_count"] == 2
    with env.db() as db:
        (d,) = db.execute("select detail from audit_log order by id desc"
                          " limit 1").fetchone()
    assert json.loads(d)["matched"] == "thread"
    # Without the reported email stored first, the reply is its own.
    other = Env(env.path("other"))
    (r2,) = other.analyze(reply)
    assert r2["seen_count"] == 1


@pytest.mark.parametrize("subject", [
    "Re: Fwd: Invoice  4471\toverdue",
    "RE:FW: AW: WG: TR : invoice 4471 OVERDUE",
    "Re[2]: Fw: Invoice 4471 overdue ",
    "AW\uff1a Invoice 4471 overdue",
])
def test_subject_normalised(env, subject):
    p = env.path("m.eml")
    with open(p, "w") as f:
        f.write(email(1, subject=subject, sender="Billing@Invoices.EXAMPLE",
                      date="Mon, 30 Nov 2026 10:12:59 +0100"))
    env.analyze(p)
    with env.db() as db:
        (k,) = db.execute("select campaign_key from containers").fetchone()
    # 09:12 UTC, seconds dropped.
    assert k == campaign_key("billing@invoices.example",
                             "invoice 4471 overdue", 1796029920)


def test_no_campaign_key_without_date_or_sender(env):
    p = env.path("nodate.eml")
    with open(p, "w") as f:
        f.write("From: a@b.example\nSubject: x\nMessage-ID: <1@b>\n\nhi\n")
    q = env.path("nofrom.eml")
    with open(q, "w") as f:
        f.write("Subject: x\nDate: Mon, 30 Nov 2026 09:12:00 +0000\n"
                "Message-ID: <2@b>\n\nhi\n")
    env.analyze(p, q)
    with env.db() as db:
        assert db.execute("select count(*) from containers where"
                          " campaign_key is null").fetchone() == (2,)


# ---- mailsoar ingest --------------------------------------------------------

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def mbox(*emails):
    return "".join("From MAILER-DAEMON Mon Nov 30 09:12:00 2026\n%s\n" % e
                   for e in emails)


def tree(env):
    """A directory tree: .eml files at several depths, a maildir (cur/,
    new/, a Maildir++ subfolder, a delivery in progress in tmp/), an mbox
    without an extension, an empty .eml, a link to nothing, a README."""
    t = env.path("tree", "x")[:-2]
    write(os.path.join(t, "a", "one.eml"), email(1))
    write(os.path.join(t, "a", "two.eml"), email(2, subject="Invoice"))
    write(os.path.join(t, "b", "deep", "er", "three.eml"), email(3))
    md = os.path.join(t, "Maildir")
    write(os.path.join(md, "cur", "1700000000.M1P1.host:2,S"), email(4))
    write(os.path.join(md, "cur", "1700000001.M2P1.host:2,RS"), email(5))
    write(os.path.join(md, "new", "1700000002.M3P1.host"), email(6))
    write(os.path.join(md, "tmp", "1700000003.M4P1.host"), email(99))
    write(os.path.join(md, ".Sent", "cur", "1700000004.M5P1.host:2,S"),
          email(7))
    os.makedirs(os.path.join(md, ".Sent", "new"))
    write(os.path.join(t, "Archive"), mbox(email(8), email(9), email(10)))
    write(os.path.join(t, "bad.eml"), "")
    write(os.path.join(t, "README.txt"), "not mail\n")
    os.symlink(os.path.join(t, "nowhere.eml"), os.path.join(t, "gone.eml"))
    return t


def ingest(env, *args, status=None):
    r = env.run("ingest", "--json", *args)
    if status is not None:
        assert r.returncode == status, r.stderr.decode()
    return json.loads(r.stdout), r


def check_store(env, s, runs=True):
    with env.db() as db:
        n, seen = db.execute("select count(*), sum(seen_count) from"
                             " containers").fetchone()
        created = db.execute("select count(*) from audit_log where"
                             " event = 'container created'").fetchone()[0]
        again = db.execute("select count(*) from audit_log where"
                           " event = 'container seen again'").fetchone()[0]
        nruns = db.execute("select count(*) from playbook_runs"
                           ).fetchone()[0]
    return n, seen, created, again, nruns


def test_ingest_tree(env):
    t = tree(env)
    s, r = ingest(env, t, ATTACHED, INLINE, status=1)
    err = r.stderr.decode()
    # Bad files are named; the rest went on.
    assert os.path.join(t, "bad.eml") + ": not a readable email" in err
    assert os.path.join(t, "gone.eml") + ": No such file" in err
    assert "Maildir" not in err and "README" not in err
    assert len([x for x in err.splitlines()
                if x.startswith("mailsoar:")]) == 2
    # 3 .eml + 4 maildir + the mbox + bad.eml + 2 given by name.
    assert s["files"] == 11
    # ... holding 3 + 4 + 3 + 1 + 2 emails.
    assert s["emails"] == 13
    # The inline report joins the attached one; nothing else joins.
    assert (s["new_containers"], s["joined_containers"]) == (11, 1)
    assert s["unreadable"] == 2                 # bad.eml, gone.eml
    assert s["limits_hit"] == 0
    assert s["skipped"] == 1                    # README.txt
    assert s["elapsed_s"] > 0 and s["emails_per_s"] > 0
    n, seen, created, again, runs = check_store(env, s)
    assert n == created == s["new_containers"]
    assert again == s["joined_containers"]
    assert seen == s["new_containers"] + s["joined_containers"]
    assert runs == 12                           # one per stored email
    with env.db() as db:
        sources = {x for (x,) in db.execute("select source from"
                                            " containers")}
        mids = {x for (x,) in db.execute("select message_id from"
                                         " containers")}
        # The playbook's reasons (the analysis stores its own too).
        assert db.execute("select sum(points) from score_reasons"
                          " where reason = 'ingested'").fetchone() == (60,)
    assert os.path.join(t, "Archive#2") in sources
    assert not any("/Maildir/tmp/" in x for x in sources)
    assert "m7@sender.example" in mids          # Maildir++ .Sent
    assert "m99@sender.example" not in mids     # tmp/
    assert env.run("audit", "verify").returncode == 0


def test_ingest_again_creates_nothing(env):
    t = tree(env)
    first, _ = ingest(env, t, ATTACHED, INLINE, status=1)
    again, _ = ingest(env, t, ATTACHED, INLINE, status=1)
    assert again["emails"] == first["emails"]
    assert again["new_containers"] == 0
    assert again["joined_containers"] == 12
    n, seen, created, _, _ = check_store(env, again)
    assert n == created == 11
    assert seen == 24
    with env.db() as db:
        counts = sorted(c for (c,) in db.execute("select seen_count from"
                                                 " containers"))
    assert counts == [2] * 10 + [4]     # the campaign: 2 reports, twice


def test_ingest_no_playbooks_and_text_summary(env):
    t = env.path("maildir", "x")[:-2]
    for i in range(3):
        write(os.path.join(t, "new", "17000000%02d.M1P1.host" % i),
              email(20 + i))
    os.makedirs(os.path.join(t, "cur"))
    r = env.run("ingest", "--no-playbooks", "--jobs", "2", t)
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    assert out.startswith("ingested 3 emails from 3 files in ")
    assert "  new containers     3\n" in out
    assert "  unreadable         0\n" in out
    # Not a terminal: no progress line (sanitizer builds may add their
    # own report).
    assert b"mailsoar" not in r.stderr and b"\r" not in r.stderr
    with env.db() as db:
        assert db.execute("select count(*) from playbook_runs"
                          ).fetchone() == (0,)
        assert db.execute("select count(*) from containers"
                          ).fetchone() == (3,)


def test_ingest_large_mbox_and_usage(env):
    """An mbox larger than LIMIT_MSG_BYTES (50 MiB) is still split; only
    the one email past the limit is refused (named, exit 3)."""
    p = env.path("big.mbox")
    with open(p, "w") as f:
        f.write(mbox(email(30)))
        f.write("From MAILER-DAEMON Mon Nov 30 09:12:00 2026\n")
        f.write(email(31, body=("x" * 1023 + "\n") * (51 * 1024)))
        f.write("\n" + mbox(email(32)))
    s, r = ingest(env, p, status=3)
    assert p + "#2: larger than" in r.stderr.decode()
    assert (s["files"], s["emails"]) == (1, 3)
    assert (s["new_containers"], s["limits_hit"], s["unreadable"]) == \
        (2, 1, 0)
    assert env.run("ingest").returncode == 2
    assert env.run("ingest", "--jobs", "0", p).returncode == 2
    r = env.run("ingest", "--help")
    assert r.returncode == 0 and b"maildir" in r.stdout
