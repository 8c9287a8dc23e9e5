# SPDX-License-Identifier: Apache-2.0
"""What the deployment tells detection ([detect] in mailsoar.conf) and the
sender history the store keeps (sender_first_time): mailsoar analyze
--json with a temp config and a real SQLite store."""
import json
import os
import sqlite3
import subprocess
import tempfile

import pytest

MAILSOAR = os.environ["MAILSOAR"]

SPOOF = (b"From: CEO <ceo@corp.example>\r\n"
         b"To: finance@corp.example\r\n"
         b"Subject: Wire today\r\n"
         b"Message-ID: <spoof-1@mailer.example>\r\n"
         b"Date: Mon, 2 Mar 2026 09:00:00 +0000\r\n"
         b"\r\n"
         b"Please pay the attached invoice today.\r\n")


def mail(sender, n):
    return (("From: Someone <%s>\r\n"
             "To: bob@corp.example\r\n"
             "Subject: Lunch %d\r\n"
             "Message-ID: <lunch-%d@x.example>\r\n"
             "Date: Mon, 2 Mar 2026 1%d:00:00 +0000\r\n"
             "\r\n"
             "Shall we meet at noon?\r\n") % (sender, n, n, n)).encode()


class Env:
    """A data directory, a config file and the emails to analyse."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.conf = os.path.join(root, "mailsoar.conf")
        self.config("")

    def config(self, text):
        with open(self.conf, "w") as f:
            f.write("[playbooks]\nemail=\n\n" + text)

    def file(self, name, raw):
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(raw)
        return path

    def run(self, *args, env=None):
        e = dict(os.environ)
        for k in ("MAILSOAR_ORG_DOMAINS", "MAILSOAR_VIPS",
                  "MAILSOAR_AUTHSERV_ID", "MAILSOAR_CONFIG"):
            e.pop(k, None)
        e.update(env or {})
        return subprocess.run([MAILSOAR, "-c", self.conf, "--data",
                               self.data, *args], capture_output=True,
                              timeout=120, env=e)

    def analyze(self, *args, env=None):
        r = self.run("analyze", "--json", *args, env=env)
        assert r.returncode in (0, 3), r.stderr.decode()
        return [json.loads(x) for x in r.stdout.decode().splitlines()]


@pytest.fixture
def env():
    with tempfile.TemporaryDirectory() as d:
        yield Env(d)


def ids(obj):
    return [s["id"] for s in obj["score_breakdown"]]


def check_sum(obj):
    """The score is the sum of its reasons (within 0..100)."""
    total = sum(s["points"] for s in obj["score_breakdown"])
    assert obj["score"] == max(0, min(100, total))


def test_org_domains_from_config(env):
    path = env.file("spoof.eml", SPOOF)
    (plain,) = env.analyze("--no-store", path)
    assert "auth_org_spoof" not in ids(plain)
    env.config("[detect]\norg_domains = corp.example; corp.example.net\n")
    (spoof,) = env.analyze("--no-store", path)
    assert "auth_org_spoof" in ids(spoof)
    assert spoof["score"] > plain["score"]
    # With the store too, and the config wins over the environment.
    (stored,) = env.analyze(path, env={"MAILSOAR_ORG_DOMAINS":
                                       "other.example"})
    assert "auth_org_spoof" in ids(stored)
    check_sum(stored)


def test_org_domains_env_fallback(env):
    path = env.file("spoof.eml", SPOOF)
    (spoof,) = env.analyze("--no-store", path,
                           env={"MAILSOAR_ORG_DOMAINS": "corp.example"})
    assert "auth_org_spoof" in ids(spoof)


@pytest.mark.parametrize("text,key", [
    ("org_domains = corp..example\n", "org_domains"),
    ("org_domains = not_a_domain\n", "org_domains"),
    ("vips = Jane <not-an-address>\n", "vips"),
    ("authserv_id = mx example (bad)\n", "authserv_id"),
    ("brand = x\n", "brand"),
])
def test_detect_errors(env, text, key):
    path = env.file("spoof.eml", SPOOF)
    env.config("[detect]\n" + text)
    for args in (("--no-store", path), (path,)):
        r = env.run("analyze", "--json", *args)
        assert r.returncode == 2
        err = r.stderr.decode()
        assert env.conf + ":5:" in err and key in err, err


def test_sender_first_time(env):
    a1 = env.file("a1.eml", mail("Alice@New.Example", 1))
    a2 = env.file("a2.eml", mail("alice@new.example", 2))
    b1 = env.file("b1.eml", mail("bob@new.example", 3))
    first, second = env.analyze(a1, a2)
    assert "sender_first_time" in ids(first)
    assert "sender_domain_first_time" in ids(first)
    assert "sender_first_time" not in ids(second)
    assert "sender_domain_first_time" not in ids(second)
    assert first["score"] == second["score"] + 15
    for o in (first, second):
        check_sum(o)
    (other,) = env.analyze(b1)
    assert "sender_first_time" in ids(other)
    assert "sender_domain_first_time" not in ids(other)
    reason = [s for s in other["score_breakdown"]
              if s["id"] == "sender_first_time"][0]
    assert reason["points"] == 10 and "bob@new.example" in reason["reason"]
    check_sum(other)

    # The same email again joins its container: no new sighting.
    (again,) = env.analyze(a1)
    assert again["container_id"] == first["container_id"]
    db = sqlite3.connect(os.path.join(env.data, "mailsoar.db"))
    rows = db.execute("SELECT address, domain, count FROM senders"
                      " ORDER BY address").fetchall()
    db.close()
    assert rows == [("alice@new.example", "new.example", 2),
                    ("bob@new.example", "new.example", 1)]

    # Without the store there is no history.
    (nostore,) = env.analyze("--no-store", env.file("c.eml",
                             mail("carol@else.example", 4)))
    assert "sender_first_time" not in ids(nostore)


def test_forward_uses_inner_sender(env):
    inner = mail("mallory@phish.example", 5).decode()
    fwd = ("From: Bob <bob@corp.example>\r\n"
           "To: phishing@corp.example\r\n"
           "Subject: Fwd: Lunch 5\r\n"
           "Message-ID: <fwd-1@corp.example>\r\n"
           "Date: Mon, 2 Mar 2026 16:00:00 +0000\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n"
           "\r\n"
           "--b\r\n"
           "Content-Type: text/plain\r\n"
           "\r\n"
           "Is this phishing?\r\n"
           "--b\r\n"
           "Content-Type: message/rfc822\r\n"
           "\r\n" + inner + "\r\n--b--\r\n").encode()
    (o,) = env.analyze(env.file("fwd.eml", fwd))
    reasons = [s["reason"] for s in o["score_breakdown"]
               if s["id"] == "sender_first_time"]
    assert len(reasons) == 1 and "mallory@phish.example" in reasons[0]
    db = sqlite3.connect(os.path.join(env.data, "mailsoar.db"))
    rows = db.execute("SELECT address FROM senders").fetchall()
    db.close()
    assert rows == [("mallory@phish.example",)]
