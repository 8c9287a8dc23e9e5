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
    date = date or "Mon, 30 Nov 2026 09:12:%02d +0000" % (mid % 60)
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
