# SPDX-License-Identifier: Apache-2.0
"""mailsoar analyze / vault as a user runs them: stdin, mbox, exit
statuses, the vault round trip, escaping on a terminal, the examples."""
import hashlib
import json
import os
import stat
import subprocess
import tempfile

MAILSOAR = os.environ["MAILSOAR"]
SRC = os.environ.get("MS_SRCDIR", os.path.join(os.path.dirname(__file__),
                                               "..", ".."))
EXAMPLES = os.path.join(SRC, "examples")
LIMIT_MSG_BYTES = 50 * 1024 * 1024   # src/common/limits.h


def run(*args, stdin=None):
    return subprocess.run([MAILSOAR, *args], input=stdin,
                          capture_output=True, timeout=300)


def lines(out):
    return [json.loads(x) for x in out.decode().splitlines() if x.strip()]


def test_stdin_and_pretty():
    raw = open(os.path.join(EXAMPLES, "newsletter.eml"), "rb").read()
    with tempfile.TemporaryDirectory() as d:
        r = run("analyze", "--json", "--data", d, "-", stdin=raw)
        assert r.returncode == 0, r.stderr
        (obj,) = lines(r.stdout)
        assert obj["source"] == "-"
        assert obj["sha256"] == hashlib.sha256(raw).hexdigest()
        assert obj["email"]["from"]["address"] == \
            "newsletter@news.example.com"
        p = run("analyze", "--json", "--pretty", "--data", d, "-", stdin=raw)
        assert p.stdout.count(b"\n") > 20
        pretty = json.loads(p.stdout)
        # The same email again: the same container, seen twice.
        assert pretty["container_id"] == obj["container_id"]
        assert pretty["seen_count"] == obj["seen_count"] + 1
        for k in ("seen_count", "playbook_runs", "score_breakdown"):
            del pretty[k], obj[k]
        assert pretty == obj


def test_reported_example_names_reporter():
    with tempfile.TemporaryDirectory() as d:
        r = run("analyze", "--json", "--data", d,
                os.path.join(EXAMPLES, "reported-phish.eml"))
        assert r.returncode == 0, r.stderr
        (obj,) = lines(r.stdout)
        assert obj["reporter"]["address"] == "alice@example.org"
        assert obj["reporter"]["method"] == "attachment"
        assert obj["email"]["from"]["address"] == \
            "noreply@dhl-parcel-redelivery.icu"
        urls = [a["cef"]["requestURL"] for a in obj["artifacts"]
                if "requestURL" in a["cef"]]
        assert "http://198.51.100.66/dhl/pay.php?ref=7301559102" in urls
        for a in obj["artifacts"]:
            for key, types in a["cef_types"].items():
                assert key in a["cef"], a


def test_bad_input_goes_on_and_exit_1():
    with tempfile.TemporaryDirectory() as d:
        missing = os.path.join(d, "no-such.eml")
        r = run("analyze", "--json", "--data", d, missing,
                os.path.join(EXAMPLES, "newsletter.eml"))
        assert r.returncode == 1
        assert b"no-such.eml" in r.stderr
        assert len(lines(r.stdout)) == 1      # the good one was analysed


def test_too_big_is_exit_3_and_named():
    with tempfile.TemporaryDirectory() as d:
        big = os.path.join(d, "big.eml")
        with open(big, "wb") as f:
            f.write(b"From: a@example.com\n\n")
            f.write(b"x" * (LIMIT_MSG_BYTES + 1))
        r = run("analyze", "--json", "--data", d, big,
                os.path.join(EXAMPLES, "newsletter.eml"))
        assert r.returncode == 3
        assert b"big.eml" in r.stderr and b"LIMIT_MSG_BYTES" in r.stderr
        big_obj, good = lines(r.stdout)
        assert big_obj["status"] == "limit" and big_obj["email"] is None
        assert big_obj["findings"][0]["id"] == "limit_msg_bytes"
        assert good["status"] == "ok"


def test_limit_hit_is_exit_3():
    # 33 nested multiparts: one past LIMIT_MIME_DEPTH.
    body = "From: a@example.com\nMIME-Version: 1.0\n"
    for i in range(33):
        body += ("Content-Type: multipart/mixed; boundary=\"b%d\"\n\n"
                 "--b%d\n" % (i, i))
    body += "Content-Type: text/plain\n\nleaf\n"
    with tempfile.TemporaryDirectory() as d:
        r = run("analyze", "--json", "--data", d, "-",
                stdin=body.encode())
        assert r.returncode == 3, r.stderr
        (obj,) = lines(r.stdout)
        assert obj["status"] == "limit"
        assert any(f["id"] == "limit_mime_depth" for f in obj["findings"])


def test_usage_is_exit_2():
    assert run("analyze").returncode == 2
    assert run("analyze", "--bogus", "x").returncode == 2
    assert run("no-such-command").returncode == 2


def test_mbox_one_object_per_message():
    mbox = (b"From a@b Mon Nov 30 10:00:00 2026\nSubject: one\n\nx\n\n"
            b"From c@d Mon Nov 30 10:00:01 2026\nSubject: two\n\ny\n")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "box.mbox")
        open(path, "wb").write(mbox)
        r = run("analyze", "--json", "--data", d, path)
        objs = lines(r.stdout)
        assert [o["email"]["subject"] for o in objs] == ["one", "two"]
        assert objs[1]["source"] == path + "#2"


def test_vault_round_trip():
    with tempfile.TemporaryDirectory() as d:
        r = run("analyze", "--json", "--data", d,
                os.path.join(EXAMPLES, "malware-lure.eml"))
        (obj,) = lines(r.stdout)
        (att,) = obj["attachments"]
        assert att["file_name"] == "Invoice_2026-1187.zip"
        assert att["detected_type"] == "application/zip"
        p = run("vault", "path", att["vault_id"], "--data", d)
        stored = p.stdout.decode().strip()
        mode = stat.S_IMODE(os.stat(stored).st_mode)
        assert mode & 0o111 == 0 and mode & 0o222 == 0   # never runnable
        out = os.path.join(d, "out.bin")
        g = run("vault", "get", att["sha256"], "-o", out, "--data", d)
        assert g.returncode == 0, g.stderr
        data = open(out, "rb").read()
        assert hashlib.sha256(data).hexdigest() == att["sha256"]
        assert hashlib.md5(data).hexdigest() == att["md5"]
        assert len(data) == att["size"]
        assert run("vault", "get", "0" * 64, "--data", d).returncode == 1
        assert run("vault", "get", "nothex", "--data", d).returncode == 2


def test_terminal_output_escapes_controls():
    raw = (b"From: x@example.com\nSubject: hi \x1b[31mRED\x1b[0m \xe2\x80\xae"
           b"gnp.exe\n\nbody\n")
    with tempfile.TemporaryDirectory() as d:
        r = run("analyze", "--data", d, "-", stdin=raw)
        assert r.returncode == 0
        assert b"\x1b" not in r.stdout
        assert "\u202e".encode() not in r.stdout
        assert b"RED" in r.stdout


def test_jobs_keep_input_order_and_results():
    """--jobs 1 and --jobs 4 give the same lines, in the same order, for
    a mix of files and an mbox of many messages."""
    corpus = os.environ.get("MS_CORPUS", os.path.join(SRC, "..", "shared",
                                                      "corpus"))
    pot = os.path.join(corpus, "phishing_pot")
    files = sorted(os.path.join(pot, f) for f in os.listdir(pot))[:60]
    with tempfile.TemporaryDirectory() as d:
        mbox = os.path.join(d, "many.mbox")
        with open(mbox, "wb") as f:
            for i in range(200):
                f.write(b"From x@y Mon Nov 30 10:00:00 2026\n"
                        b"Subject: n%d\n\nhttp://h%d.example/\n\n" % (i, i))
        args = ["analyze", "--json", "--no-vault", "--no-store", "--data",
                d, mbox, *files]
        one = run(*args[:1], "--jobs", "1", *args[1:])
        four = run(*args[:1], "--jobs", "4", *args[1:])
        assert one.returncode == four.returncode
        a, b = lines(one.stdout), lines(four.stdout)
        assert len(a) == 200 + len(files)
        assert [o["email"]["subject"] for o in a[:200]] == \
            ["n%d" % i for i in range(200)]
        assert [o["source"] for o in a] == [o["source"] for o in b]
        assert a == b
    assert run("analyze", "--jobs", "0", files[0]).returncode == 2
    assert run("analyze", "--jobs", "x", files[0]).returncode == 2
