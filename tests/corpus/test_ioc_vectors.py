# SPDX-License-Identifier: Apache-2.0
"""
test_ioc_vectors.py -- `mailsoar extract` against the public IOC test
vectors in $MS_CORPUS/ioc-vectors (iocextract's recorded calls and
ioc-fanger's defang/fang pairs).  Everything runs through the real binary
($MAILSOAR) in two or three processes: inputs are batched with
`extract --lines -z` (one NUL-ended record per vector, one JSON object per
record).

What counts as a pass (docs/extract.md, "Measured on ioc-vectors"):

* iocextract: the recorded output of an extract_* call is what iocextract
  does, often still defanged.  Each output is refanged and put in
  canonical form here (refang() and canon_*() below); the vector passes
  when one of them is among our indicators of that kind.  A vector whose
  recorded output is empty passes when we find nothing of that kind.
* ioc-fanger: for each (defanged, fanged) pair the indicators we find in
  the fanged text are the truth; the defanged text must give the same
  set, kind by kind.  The 25 KB sample document is compared line by line.

Per-kind pass rates are printed and written to ioc_vectors_rates.txt
(next to $MS_RATES_DIR, default the current directory).  Each kind must
reach FLOOR[kind]; kinds below 90 % have their reasons in docs/extract.md.
"""
import ipaddress
import json
import os
import pathlib
import re
import subprocess
import urllib.parse

import pytest

SRCDIR = pathlib.Path(__file__).resolve().parents[2]
MAILSOAR = os.environ.get("MAILSOAR", str(SRCDIR.parent / "build" /
                                          "mailsoar"))
_corpus = pathlib.Path(os.environ.get("MS_CORPUS",
                                      str(SRCDIR.parent / "shared" /
                                          "corpus")))
VECTORS = _corpus / "ioc-vectors" if (_corpus / "ioc-vectors").is_dir() \
    else _corpus

# Minimum pass rate per kind, in percent.  90 everywhere except where
# docs/extract.md explains the measured floor.
FLOOR = {
    "url": 90.0, "domain": 90.0, "ip": 90.0, "email": 90.0,
    "md5": 90.0, "sha1": 90.0, "sha256": 90.0, "sha512": 90.0,
    "fanger": 90.0, "fanger-sample": 90.0, "iocextract-doc": 90.0,
    # base64 split by whitespace, or followed by junk that decodes into
    # the host, cannot be told from text (docs/extract.md): 26/33 measured.
    "url-encoded": 75.0,
}
INFO_ONLY = set()

KEYS = {"url": "urls", "domain": "domains", "ip": "ips", "email": "emails"}
HASHES = ("md5", "sha1", "sha256", "sha512")


def run_batch(records, html=False):
    """One `mailsoar extract --lines -z` over all records."""
    data = b"".join(r.encode("utf-8", "surrogateescape") + b"\0"
                    for r in records)
    cmd = [MAILSOAR, "extract", "--lines", "-z",
           "--html" if html else "--text"]
    p = subprocess.run(cmd, input=data, capture_output=True, timeout=600)
    assert p.returncode in (0, 3), p.stderr.decode(errors="replace")
    out = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert len(out) == len(records)
    return out


def values(obj, kind):
    if kind in HASHES:
        return obj["hashes"][kind]
    return obj[KEYS[kind]]


# --- reference refanging and canonical forms (for the expected side) ---

_DOT = r"[\s\[\]\(\)\{\}\\]*(?:\.|\bdot\b)[\s\[\]\(\)\{\}\\]*"
_AT = r"[\s\[\]\(\)\{\}]*(?:@|\bat\b)[\s\[\]\(\)\{\}]*"


def refang(s):
    s = re.sub(r"(?i)^h[xt*][xt*]p", "http", s)
    s = re.sub(r"(?i)^fxp", "ftp", s)
    s = re.sub(r"(?i)" + _DOT, ".", s)
    s = re.sub(r"(?i)" + _AT, "@", s)
    s = re.sub(r"\[?:\]?//", "://", s, count=1)
    s = re.sub(r"\[://\]", "://", s)
    s = re.sub(r"^([A-Za-z]+):?(__|\\\\)", r"\1://", s)
    s = s.replace("[/]", "/").replace("(/)", "/")
    return re.sub(r"\s+", "", s)


def canon_url(u):
    if "://" not in u:
        u = "http://" + u       # our canonical scheme-less form
    try:
        p = urllib.parse.urlsplit(u)
        host = p.hostname or ""
        port = p.port
    except ValueError:
        return u
    try:
        host = host.encode("idna").decode() if host else host
    except UnicodeError:
        pass
    if host and ":" in host:
        host = "[%s]" % ipaddress.ip_address(host).compressed
    scheme = p.scheme.lower()
    default = {"http": 80, "https": 443, "ftp": 21}.get(scheme)
    net = host
    if p.username:
        net = p.username + "@" + net
    if port is not None and port != default:
        net += ":%d" % port
    path = p.path or "/"
    out = "%s://%s%s" % (scheme, net, path)
    if p.query:
        out += "?" + p.query
    if p.fragment:
        out += "#" + p.fragment
    return urllib.parse.unquote(out).lower()


def is_ip(s):
    try:
        ipaddress.ip_address(s.strip("[]"))
        return True
    except ValueError:
        return False


def canon_ip(s):
    try:
        return ipaddress.ip_address(s.strip("[]")).compressed
    except ValueError:
        return s


def canon_domain(v):
    v = re.split(r"[/:?#]", v, maxsplit=1)[0].rstrip(".").lower()
    try:
        return v.encode("idna").decode()
    except UnicodeError:
        return v


def canon(kind, v):
    if kind == "domain":
        return canon_domain(v)
    if kind == "url":
        return canon_url(v)
    if kind == "ip":
        return canon_ip(v)
    return v.lower()


# --- the vector sets ---------------------------------------------------

FUNC_KIND = {
    "extract_urls": "url", "extract_emails": "email",
    "refang_email": "email", "extract_ipv4s": "ip", "extract_ipv6s": "ip",
    "extract_ips": "ip", "refang_ipv4": "ip",
    "extract_md5_hashes": "md5", "extract_sha1_hashes": "sha1",
    "extract_sha256_hashes": "sha256", "extract_sha512_hashes": "sha512",
    "extract_encoded_urls": "url-encoded", "refang_data": "url",
}


def iocextract_cases():
    """(kind, input, [expected alternatives] or [] for "none")."""
    calls = json.loads((VECTORS / "iocextract" /
                        "recorded_calls.json").read_text())
    cases, skipped = [], {}
    for c in calls:
        f, inp, out = c["function"], c["input"], c.get("output")
        if out is None:
            skipped[f] = skipped.get(f, 0) + 1
            continue
        if f == "defang_data":
            # Our extractor must see through iocextract's own defanging.
            kind = "url" if "://" in inp or "__" in inp else "domain"
            if kind == "domain" and is_ip(inp):
                kind = "ip"
            cases.append((kind, out, [inp], c))
            continue
        if f == "extract_hashes":
            for h in out:
                k = {32: "md5", 40: "sha1", 64: "sha256",
                     128: "sha512"}.get(len(h))
                if k:
                    cases.append((k, inp, [h], c))
            continue
        kind = FUNC_KIND.get(f)
        if kind is None:
            skipped[f] = skipped.get(f, 0) + 1
            continue
        if isinstance(out, str):
            out = [out]
            if kind == "url" and "://" not in out[0]:
                kind = "domain"
                if is_ip(refang(out[0])):
                    kind = "ip"
        cases.append((kind, inp, [refang(o) for o in out], c))
    return cases, skipped


def fanger_pairs():
    d = json.loads((VECTORS / "ioc-fanger" / "fang_vectors.json")
                   .read_text())
    pairs = [tuple(p) for p in d["defang_to_fang_pairs"]]
    pairs += [(x["input"], x["expected"]) for x in d["fang_asserts"]]
    pairs += [(x["expected"], x["input"]) for x in d["defang_asserts"]]
    for t in d["parametrized"]:
        pairs += [tuple(v) for v in t["values"]]
    return pairs


def kinds_of(obj):
    ks = {k: set(canon(k, v) for v in values(obj, k)) for k in KEYS}
    for h in HASHES:
        ks[h] = set(values(obj, h))
    return ks


def report(rates, misses):
    lines = ["ioc-vectors pass rates (mailsoar extract):"]
    for kind in sorted(rates):
        ok, total = rates[kind]
        pct = 100.0 * ok / total if total else 100.0
        floor = FLOOR.get(kind)
        lines.append("  %-14s %5d / %5d  %6.2f %%%s" % (
            kind, ok, total, pct,
            "" if floor is None else "  (floor %.1f %%)" % floor))
    for kind in sorted(misses):
        lines.append("misses [%s] (first 15 of %d):" % (kind,
                                                        len(misses[kind])))
        for m in misses[kind][:15]:
            lines.append("    " + m)
    text = "\n".join(lines) + "\n"
    print(text)
    full = text + "\nall misses:\n" + "".join(
        "[%s] %s\n" % (k, m) for k in sorted(misses) for m in misses[k])
    out = pathlib.Path(os.environ.get("MS_RATES_DIR", ".")) / \
        "ioc_vectors_rates.txt"
    try:
        out.write_text(full)
    except OSError:
        pass
    return text


@pytest.mark.skipif(not VECTORS.is_dir(), reason="no ioc-vectors corpus")
def test_ioc_vectors():
    assert os.access(MAILSOAR, os.X_OK), "set MAILSOAR to the binary"
    rates, misses = {}, {}

    def score(kind, ok, why):
        r = rates.setdefault(kind, [0, 0])
        r[1] += 1
        if ok:
            r[0] += 1
        else:
            misses.setdefault(kind, []).append(why)

    cases, skipped = iocextract_cases()
    res = run_batch([c[1] for c in cases])
    for (kind, inp, exp, _), obj in zip(cases, res):
        look = "url" if kind == "url-encoded" else kind
        got = kinds_of(obj)[look]
        if not exp:
            score(kind, not got, "%r: expected none, got %s" %
                  (inp, sorted(got)))
            continue
        want = [canon(look, e) for e in exp]
        hit = any(w in got for w in want)
        if not hit and look == "url":
            # A scheme-less "example[.]com" that iocextract calls a URL
            # is a domain to us (only www. and defanged names with a
            # path become scheme-less URLs): found if it is a domain.
            doms = kinds_of(obj)["domain"]
            hit = any("://" not in e and "/" not in e and
                      canon_domain(e) in doms for e in exp)
        score(kind, hit,
              "%r: want one of %s, got %s" % (inp, sorted(set(want)),
                                              sorted(got)))

    pairs = fanger_pairs()
    res = run_batch([p[0] for p in pairs] + [p[1] for p in pairs])
    n = len(pairs)
    for i, (d, f) in enumerate(pairs):
        a, b = kinds_of(res[i]), kinds_of(res[n + i])
        same = all(a[k] == b[k] for k in a)
        score("fanger", same, "%r -> %r: %s vs %s" % (
            d, f, {k: sorted(v) for k, v in a.items() if v},
            {k: sorted(v) for k, v in b.items() if v}))

    dl = (VECTORS / "ioc-fanger" / "sample_text_defanged.txt").read_text() \
        .splitlines()
    fl = (VECTORS / "ioc-fanger" / "sample_text_fanged.txt").read_text() \
        .splitlines()
    assert len(dl) == len(fl)
    res = run_batch(dl + fl)
    n = len(dl)
    for i in range(n):
        if not fl[i].strip():
            continue
        a, b = kinds_of(res[i]), kinds_of(res[n + i])
        found = any(b[k] for k in b)
        score("fanger-sample", found and all(a[k] == b[k] for k in a),
              "%r / %r: %s vs %s" % (
                  dl[i], fl[i], {k: sorted(v) for k, v in a.items() if v},
                  {k: sorted(v) for k, v in b.items() if v}))

    # iocextract's own corpus document: every valid.txt line must be
    # found (as the URL, or, without a scheme, as its domain or IP), and
    # no invalid.txt line may come out as an indicator.
    ie = VECTORS / "iocextract"
    doc = (ie / "input.txt").read_text()
    obj = run_batch([doc])[0]
    got = kinds_of(obj)
    allvals = set()
    for k in got:
        allvals |= set(got[k])
    for line in (ie / "valid.txt").read_text().splitlines():
        r = refang(line)
        if re.fullmatch(r"[0-9-]+", r):
            continue            # a telephone number: not a kind we keep
        if len(r) in (32, 40, 64, 128) and re.fullmatch("[0-9a-f]+", r):
            ok = r in allvals
        elif "://" in r:
            # A marker left in a path ("/[.]") is kept as written.
            sch, _, rest = line.partition("://")
            host, sl, path = rest.partition("/")
            lit = refang(sch + "://" + host) + sl + path
            ok = canon_url(r) in got["url"] or \
                canon_url(lit) in got["url"]
        elif is_ip(re.split(r"[:/]", r)[0]):
            ok = canon_ip(re.split(r"[:/]", r)[0]) in got["ip"]
        else:
            ok = canon_domain(r) in got["domain"] or \
                canon_url(r) in got["url"]
        score("iocextract-doc", ok, "valid %r (as %r) not found" %
              (line, r))
    for line in (ie / "invalid.txt").read_text().splitlines():
        score("iocextract-doc", line.lower() not in allvals,
              "invalid %r extracted" % line)

    report(rates, misses)
    if skipped:
        print("not evaluated (not indicator kinds we extract):",
              ", ".join("%s %d" % kv for kv in sorted(skipped.items())))
    low = []
    for kind, (ok, total) in rates.items():
        if kind in INFO_ONLY or total == 0:
            continue
        pct = 100.0 * ok / total
        if pct + 1e-9 < FLOOR[kind]:
            low.append("%s %.2f %% < %.1f %%" % (kind, pct, FLOOR[kind]))
    assert not low, "below floor: " + "; ".join(low)
