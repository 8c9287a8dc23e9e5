# SPDX-License-Identifier: Apache-2.0
"""The quick version of bench/quality: mailsoar alone (no peers) over the
same sets, against the goals of issue 6.  The set rules, the mailsoar run
and the counting are bench/quality's own (imported from it), so the two
cannot drift apart.  Every file of every set is used (about 720 files, a
few seconds with --jobs 2); EVERY > 1 would keep every Nth file.

What it asserts: issue 6's two false-positive goals, which mailsoar
meets, and for detection a floor just under the level reached by the
third round of findings (89.0%, 381 of 428, 2026-12-01; the first round
gave 84.8%, the second 88.1%), so that a change that loses detection
fails.  Issue 6's detection goal (95%) is NOT met: the test prints how
far it is, and bench/quality reports it beside the peers (and why it
cannot be met offline on these sets: bench/README.md).  Raise MIN_DETECTION as detection improves; never lower it to
make a change pass."""
import importlib.machinery
import importlib.util
import os

import pytest

# Goals of issue 6 ("flagged" = verdict suspicious or malicious).
GOAL_DETECTION = 0.95		# phishing flagged, at least: not met yet
MIN_DETECTION = 0.885		# the floor checked meanwhile (see above)
MAX_FP_MALICIOUS = 0.01		# legitimate mail called malicious, at most
MAX_FP_FLAGGED = 0.05		# legitimate mail suspicious or worse, at most
EVERY = 1			# every Nth file of each set (1: all)
JOBS = 2

MAILSOAR = os.environ["MAILSOAR"]
SRC = os.environ.get("MS_SRCDIR", os.path.join(os.path.dirname(__file__),
                                               "..", ".."))
CORPUS = os.environ.get("MS_CORPUS") or os.path.join(SRC, "..", "shared",
                                                     "corpus")


def load_bench():
    path = os.path.join(SRC, "bench", "quality")
    loader = importlib.machinery.SourceFileLoader("bench_quality", path)
    spec = importlib.util.spec_from_loader("bench_quality", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


Q = load_bench()


@pytest.fixture(scope="module")
def figures():
    sets = Q.select(CORPUS, None, EVERY)
    for name, side, files in sets:
        assert files, "set %s (%s) is empty under %s" % (name, side, CORPUS)
    files = [f for _, _, fs in sets for f in fs]
    res, secs, status = Q.run_mailsoar(MAILSOAR, files, JOBS)
    assert status in (0, 1, 3)
    rows = Q.summarize(sets, {"mailsoar": res})
    for r in rows:
        c = r["tools"]["mailsoar"]
        print("%-9s %-26s %4d  flagged %5.1f%%  malicious %5.1f%%"
              % (r["side"], r["set"], r["n"], Q.pct(c["flagged"], r["n"]),
                 Q.pct(c["malicious"], r["n"])))
    print("mailsoar: %d files in %.1f s" % (len(files), secs))
    return {r["side"]: r for r in rows if r["set"] == "all"}


def share(row, key):
    return row["tools"]["mailsoar"][key] / row["n"]


def test_phishing_detection(figures):
    ph = figures["phishing"]
    d = share(ph, "flagged")
    print("phishing flagged: %.2f%%; issue 6's goal %.0f%%: %s" % (
        d * 100, GOAL_DETECTION * 100,
        "met" if d >= GOAL_DETECTION else "NOT met"))
    assert d >= MIN_DETECTION, \
        "phishing flagged: %.2f%% (%d/%d), below the floor of %.0f%%" % (
            d * 100, ph["tools"]["mailsoar"]["flagged"], ph["n"],
            MIN_DETECTION * 100)


def test_legit_malicious(figures):
    lg = figures["legit"]
    m = share(lg, "malicious")
    assert m <= MAX_FP_MALICIOUS, \
        "legit called malicious: %.2f%% (%d/%d), goal <= %.0f%%" % (
            m * 100, lg["tools"]["mailsoar"]["malicious"], lg["n"],
            MAX_FP_MALICIOUS * 100)


def test_legit_flagged(figures):
    lg = figures["legit"]
    f = share(lg, "flagged")
    assert f <= MAX_FP_FLAGGED, \
        "legit suspicious or worse: %.2f%% (%d/%d), goal <= %.0f%%" % (
            f * 100, lg["tools"]["mailsoar"]["flagged"], lg["n"],
            MAX_FP_FLAGGED * 100)
