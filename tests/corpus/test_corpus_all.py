# SPDX-License-Identifier: Apache-2.0
"""Every email in ../shared/corpus through `mailsoar analyze --json`.

Robustness over the whole corpus (about 900 files): no crash, no sanitizer
report, one JSON object per email with the documented top-level keys, and
every file that could not be read named on stderr.  The same test runs in
the ASan+UBSan build, where a sanitizer report aborts the process (see
SANITIZER_ENV) and is also caught by its text on stderr.

The file list is built by rules from the corpus README (which folders hold
emails) and the expected-output conventions of each upstream test suite;
it is not a hand-kept list, so new emails in those folders are picked up.

Environment (set by tests/CMakeLists.txt): MAILSOAR (the binary),
MS_CORPUS (the corpus directory), MS_SRCDIR.
"""
import concurrent.futures
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

import pytest

MAILSOAR = os.environ.get("MAILSOAR", "mailsoar")
CORPUS = os.environ.get("MS_CORPUS",
                        os.path.join(os.path.dirname(__file__),
                                     "../../../shared/corpus"))

# Folders that hold emails, per the corpus README.  The others hold IOC
# vectors, MaxMind databases, YARA rules and threat-intel feeds.
MAIL_DIRS = [
    "phishing_pot", "mail-parser-spamscope", "spamassassin-tdata",
    "yara-rules-email-samples", "mime4j-testmsgs", "mimekit-testdata",
    "gmime-testdata", "mikel-mail-fixtures", "cpython-email-testdata",
    "nodemailer-mailparser-fixtures", "eml-analyzer-fixtures",
    "eml_parser-samples", "pymisp-email-testfiles",
]

# Directories inside mail folders that hold no emails at all: GeoIP
# databases, phishing feed samples, encoder vectors, charset vectors.
SKIP_DIRS = [
    "spamassassin-tdata/geodb", "spamassassin-tdata/phishing",
    "mimekit-testdata/encoders", "gmime-testdata/charset-filters",
    "gmime-testdata/encodings",
]

# Directories of files that emails carry (expected TNEF extractions, the
# mail gem's attachment originals): only .eml files there are emails.
ATTACHMENT_DIRS = ["mimekit-testdata/tnef/*", "mikel-mail-fixtures/attachments"]

# Extensions of expected outputs and non-email data: mime4j .xml/.out/.bin,
# TNEF .tnef/.list, databases, feeds, images, documents, encoder vectors.
NOT_MAIL_EXT = set("""xml out bin json mmdb dat db csv tsv list zip tnef ntx
    jpg jpeg png gif tiff pdf doc docx xls xlsx html htm rtf b64 uu qp pub
    bind9 tinydns md yar rule pem""".split())

# Upstream metadata and expected-output files by name: SOURCE.txt,
# licences, READMEs, mime4j X_decoded_<path>.txt bodies, mimekit mbox
# summaries, eml_parser's URL regex pair, pymisp's `source` note.
NOT_MAIL_NAME = re.compile(
    r"^(SOURCE\.txt|.*LICENSE.*|NOTICE|COPYING|README.*|.*\.README|"
    r"INDEX\.tsv|source|\.gitattributes|regexes_url_.*|.*-summary\.txt|"
    r".*_decoded_.*|.*\.uu-states)$")

BATCH = 100          # files per mailsoar process
WORKERS = 2          # processes in parallel (CI has 2 cores)
BATCH_TIMEOUT = 900  # seconds per batch, generous for ASan

# Make sanitizer reports fatal and visible: ASan exits with status 1 by
# default, which `analyze` also uses for "some input unreadable", so ask
# for abort() instead (the process then dies with SIGABRT).
SANITIZER_ENV = {
    "ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1:"
                    "allocator_may_return_null=0",
    "UBSAN_OPTIONS": "halt_on_error=1:abort_on_error=1:print_stacktrace=1",
    "LSAN_OPTIONS": "exitcode=134",
}
SANITIZER_RE = re.compile(
    r"ERROR: (Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer|"
    r"runtime error: |SUMMARY: \w+Sanitizer")

REQUIRED_KEYS = ("email", "attachments", "artifacts", "findings")
OK_STATUS = (0, 1, 3)  # docs/json.md: ok, some unreadable, limit hit


def _rel(path):
    return os.path.relpath(path, CORPUS)


def _is_mail(rel_dir, name):
    ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if any(fnmatch.fnmatch(rel_dir, p) for p in ATTACHMENT_DIRS):
        return ext == "eml"
    if NOT_MAIL_NAME.match(name) or ext in NOT_MAIL_EXT:
        return False
    return True


def corpus_files():
    """Every email file in the corpus, sorted, as absolute paths."""
    out = []
    for top in MAIL_DIRS:
        for root, dirs, files in os.walk(os.path.join(CORPUS, top)):
            rel = _rel(root)
            dirs[:] = sorted(d for d in dirs
                             if os.path.join(rel, d) not in SKIP_DIRS)
            out.extend(os.path.abspath(os.path.join(root, f))
                       for f in sorted(files) if _is_mail(rel, f))
    return out


def _is_mbox(path):
    # The same test `mailsoar analyze` uses: an mbox starts with "From ".
    with open(path, "rb") as f:
        return f.read(5) == b"From "


def mbox_expected(path):
    """(min, max) messages expected from an mbox file.

    Where the upstream suite ships the answer, use it: mimekit's
    X.mbox.txt has X.unix-offsets.json (one entry per message), mime4j's
    mbox.rlug has one mbox.rlug-N file per message.  Otherwise at least one
    message and at most one per line that starts with "From ".
    """
    base = os.path.basename(path)
    d = os.path.dirname(path)
    if base.endswith(".mbox.txt"):
        offs = os.path.join(d, base[:-len(".mbox.txt")] +
                            ".unix-offsets.json")
        if os.path.exists(offs):
            with open(offs, encoding="utf-8") as f:
                n = len(json.load(f))
            return n, n
    sib = [f for f in os.listdir(d) if re.fullmatch(re.escape(base) +
                                                     r"-\d+", f)]
    if sib:
        return len(sib), len(sib)
    with open(path, "rb") as f:
        n = sum(1 for line in f if line.startswith(b"From "))
    return 1, max(n, 1)


def _env():
    env = dict(os.environ)
    for k, v in SANITIZER_ENV.items():
        env[k] = (env[k] + ":" + v) if env.get(k) else v
    return env


def run_batch(files, datadir):
    """Run one mailsoar process over 'files'; return a list of problems."""
    cmd = [MAILSOAR, "analyze", "--json", "--no-playbooks", "--data",
           datadir] + files
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=_env(),
                           timeout=BATCH_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return ["batch from %s timed out after %d s; stderr tail:\n%s" %
                (_rel(files[0]), BATCH_TIMEOUT,
                 (e.stderr or b"").decode("utf-8", "replace")[-4000:])]
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    where = "batch %s .. %s" % (_rel(files[0]), _rel(files[-1]))
    if p.returncode < 0:
        try:
            sig = signal.Signals(-p.returncode).name
        except ValueError:
            sig = str(-p.returncode)
        problems.append("%s: killed by %s" % (where, sig))
    elif p.returncode not in OK_STATUS:
        problems.append("%s: exit status %d" % (where, p.returncode))
    if SANITIZER_RE.search(err):
        problems.append("%s: sanitizer report" % where)
    if problems:
        # Show the file being analysed when it died and the report.
        return [problems[0] + "; stderr tail:\n" + err[-6000:]] + \
            problems[1:]

    by_source = {}
    for i, line in enumerate(p.stdout.split(b"\n")):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            problems.append("%s: stdout line %d is not JSON (%s): %r" %
                            (where, i + 1, e, line[:200]))
            continue
        if not isinstance(obj, dict):
            problems.append("%s: line %d is not an object" % (where, i + 1))
            continue
        src = obj.get("source")
        missing = [k for k in REQUIRED_KEYS if k not in obj]
        if missing:
            problems.append("%s: object lacks %s" % (src, ", ".join(missing)))
        by_source.setdefault(src, []).append(obj)

    known = set(files)
    for src in by_source:
        base = re.sub(r"#\d+$", "", src) if isinstance(src, str) else src
        if src not in known and base not in known:
            problems.append("%s: output for unknown source %r" % (where, src))
    rc1_named = False
    for f in files:
        objs = list(by_source.get(f, []))
        objs += [o for s, lst in by_source.items()
                 if isinstance(s, str) and s.startswith(f + "#")
                 and s[len(f) + 1:].isdigit() for o in lst]
        if _is_mbox(f):
            lo, hi = mbox_expected(f)
            if not lo <= len(objs) <= hi:
                problems.append("%s: mbox gave %d objects, expected %s" %
                                (_rel(f), len(objs), lo if lo == hi else
                                 "%d..%d" % (lo, hi)))
        elif len(objs) != 1:
            problems.append("%s: %d JSON objects, expected 1" %
                            (_rel(f), len(objs)))
        for o in objs:
            if o.get("status") not in ("ok", "limit"):
                # Unreadable: the file must be named on stderr.
                if f not in err and _rel(f) not in err:
                    problems.append("%s: status %r but not named on stderr"
                                    % (_rel(f), o.get("status")))
        if f in err:
            rc1_named = True
    if p.returncode == 1 and not rc1_named:
        problems.append("%s: exit status 1 but no input named on stderr:\n%s"
                        % (where, err[-2000:]))
    return problems


@pytest.fixture(scope="module")
def files():
    fs = corpus_files()
    return fs


def test_file_list(files, capsys):
    """The rules find the corpus' emails (the README says about 900)."""
    by_dir = {}
    for f in files:
        top = _rel(f).split(os.sep)[0]
        by_dir[top] = by_dir.get(top, 0) + 1
    with capsys.disabled():
        print("\ncorpus: %d email files (%s)" % (
            len(files), ", ".join("%s %d" % kv for kv in
                                  sorted(by_dir.items()))))
    assert len(files) >= 800, "only %d email files under %s" % (
        len(files), CORPUS)
    assert set(by_dir) == set(MAIL_DIRS), "folders without emails: %s" % (
        set(MAIL_DIRS) - set(by_dir))


def test_analyze_every_email(files, capsys):
    assert shutil.which(MAILSOAR), "no mailsoar binary: %s" % MAILSOAR
    batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]
    problems = []
    with tempfile.TemporaryDirectory(prefix="ms-corpus-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            futs = [ex.submit(run_batch, b, os.path.join(tmp, "data%d" % i))
                    for i, b in enumerate(batches)]
            for fut in futs:
                problems.extend(fut.result())
    with capsys.disabled():
        print("\ncorpus: %d files in %d batches, %d problems" %
              (len(files), len(batches), len(problems)))
    assert not problems, "%d problems:\n%s" % (
        len(problems), "\n".join(problems[:40]))
