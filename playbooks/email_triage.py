# SPDX-License-Identifier: Apache-2.0
"""email_triage -- the default playbook for reported emails.

It follows Splunk SOAR's "Email-based Orchestration" playbook (the seed):

  attachments: detonate file -> threat score; if dangerous: hunt file in
               the data sources and on endpoints, block the IPs it talked
               to, threat-intel attribution of its domains;
  URLs:        detonate url, lookup domain (its IPs), whois ip,
               geolocate ip (country of concern?), a threat score; if
               dangerous: hunt ip, block ip, attribution;
  intel:       every URL, domain, IP and attachment hash against every
               configured reputation source (local feeds, MISP,
               VirusTotal): a match adds to the score naming the source,
               attribution (actors, malware, campaigns) goes in a note;
  finally:     delete the email from every mailbox (quarantine), and tell
               the reporter the outcome.

Steps whose action no configured asset provides come back "skipped" with
the reason, and the run goes on: they light up as apps are configured.
Every step is recorded by the engine; this file only decides.
"""
import mailsoar as ms

DANGEROUS = 70          # sandbox / URL score from which we act
MAX_URLS = 20           # detonations per email
MAX_IPS = 30            # lookups per email
MAX_INTEL = 50          # reputation lookups per kind and source
INTEL_POINTS = {"malicious": 40, "suspicious": 15}
INTEL_CAP = 80          # what threat intel alone adds at most

# (contains type, parameter, action): what the intel step looks up.
REPUTATION = (("url", "url", "url reputation"),
              ("domain", "domain", "domain reputation"),
              ("ip", "ip", "ip reputation"),
              ("hash", "hash", "file reputation"))


def _score(r, key="score"):
    try:
        return int(r.summary.get(key) or 0)
    except (TypeError, ValueError):
        return 0


async def _attachments(c):
    files = c.artifacts(contains="vault id")
    reports = await ms.gather(*[
        ms.act("detonate file", vault_id=a.cef.get("vaultId"),
               file_name=a.cef.get("fileName"))
        for a in files])
    dangerous = []
    for a, r in zip(files, reports):
        if r.ok and _score(r) >= DANGEROUS:
            c.score.add(40, "sandbox: %s scored %d (%s)"
                        % (a.cef.get("fileName"), _score(r),
                           r.summary.get("verdict", "malicious")),
                        evidence=r)
            dangerous.append((a, r))
    for a, r in dangerous:
        sha = a.cef.get("fileHashSha256") or a.cef.get("fileHash")
        seen = await ms.act("hunt file", hash=sha)
        if seen.ok and seen.summary.get("total", 0):
            c.score.add(10, "file seen before in the data sources",
                        evidence=seen)
        for ip in r.summary.get("contacted_ips", []) or []:
            await ms.act("block ip", ip=ip)
        for dom in r.summary.get("contacted_domains", []) or []:
            await _attribution(c, dom)


def _sources(action):
    """The assets to ask for 'action': every configured one, or one
    unnamed call that the engine records as skipped with the reason."""
    return ms.assets(action) or [(None, None)]


def _names(attribution):
    """'APT1 (intrusion-set)' for each {type, name} of a list."""
    return {"%s (%s)" % (a["name"], a["type"]) if a.get("type")
            else a["name"]
            for a in attribution or []
            if isinstance(a, dict) and a.get("name")}


def _attribution_of(r):
    """Who a result attributes its indicator to: the reputation apps'
    summary matches (intel, MISP, VirusTotal), the intel hunts' actor,
    malware and campaign lists and their data items."""
    names = set()
    for k in ("actors", "malware", "campaigns"):
        names.update(x for x in (r.summary.get(k) or []) if x)
    for m in r.summary.get("matches") or []:
        if isinstance(m, dict):
            names |= _names(m.get("attribution"))
    for d in r.data:
        names |= _names(d.get("attribution"))
    return names


async def _attribution(c, domain):
    hunts = await ms.gather(*[ms.act("hunt domain", asset=a, domain=domain)
                              for a, _ in _sources("hunt domain")])
    names = set()
    for r in hunts:
        if r.ok:
            names |= _attribution_of(r)
    if names:
        c.add_note("Threat intel: %s" % domain,
                   "Attribution: %s" % ", ".join(sorted(names)))


async def _intel(c):
    calls, keys = [], []
    for contains, param, action in REPUTATION:
        for asset, app in _sources(action):
            values = c.values(contains)
            if contains == "hash" and app != "intel":
                # A remote service needs one lookup per file, not three.
                values = c.values("sha256")
            for v in values[:MAX_INTEL]:
                keys.append((contains, v))
                calls.append(ms.act(action, asset=asset, **{param: v}))
    results = await ms.gather(*calls)
    # Per indicator: the worst verdict and every source that gave one.
    hits = {}
    for key, r in zip(keys, results):
        verdict = r.summary.get("verdict") if r.ok else None
        if verdict not in INTEL_POINTS:
            continue
        h = hits.setdefault(key, {"verdict": verdict, "sources": set(),
                                  "names": set(), "evidence": r})
        if INTEL_POINTS[verdict] > INTEL_POINTS[h["verdict"]]:
            h["verdict"], h["evidence"] = verdict, r
        h["sources"].update(r.summary.get("sources") or [r.app])
        h["names"] |= _attribution_of(r)
    added = 0
    for (kind, value), h in sorted(hits.items(),
                                   key=lambda kv: -INTEL_POINTS[
                                       kv[1]["verdict"]]):
        points = min(INTEL_POINTS[h["verdict"]], INTEL_CAP - added)
        if points <= 0:
            break
        added += points
        c.score.add(points, "threat intel (%s): %s %s is %s"
                    % (", ".join(sorted(h["sources"])), kind, value,
                       h["verdict"]), evidence=h["evidence"])
    lines = ["- **%s** %s: %s (%s)" % (kind, value,
                                       ", ".join(sorted(h["names"])),
                                       ", ".join(sorted(h["sources"])))
             for (kind, value), h in sorted(hits.items()) if h["names"]]
    if lines:
        c.add_note("Threat intel attribution", "\n".join(lines))


async def _ip(c, ip):
    who, geo = await ms.gather(ms.act("whois ip", ip=ip),
                               ms.act("geolocate ip", ip=ip))
    if geo.ok and geo.summary.get("country_of_concern"):
        c.score.add(20, "IP %s is in a country of concern (%s)"
                    % (ip, geo.summary.get("country")), evidence=geo)
        return True
    return False


async def _urls(c):
    urls = c.values("url")[:MAX_URLS]
    reports = await ms.gather(*[ms.act("detonate url", url=u)
                                for u in urls])
    dangerous = []
    for u, r in zip(urls, reports):
        if r.ok and _score(r) >= DANGEROUS:
            c.score.add(30, "URL %s scored %d when followed"
                        % (u, _score(r)), evidence=r)
            dangerous.append(u)
    # The domains' addresses, then every IP of the email.
    domains = c.values("domain")[:MAX_URLS]
    looked = await ms.gather(*[ms.act("lookup domain", domain=d)
                               for d in domains])
    ips = list(c.values("ip"))
    for r in looked:
        if r.ok:
            for item in r.data:
                if item.get("type") in ("A", "AAAA") and item.get("value"):
                    ips.append(item["value"])
    seen, uniq = set(), []
    for ip in ips:
        if ip not in seen:
            seen.add(ip)
            uniq.append(ip)
    concern = await ms.gather(*[_ip(c, ip) for ip in uniq[:MAX_IPS]])
    for ip, bad in zip(uniq, concern):
        if bad or dangerous:
            h = await ms.act("hunt ip", ip=ip)
            if h.ok and h.summary.get("total", 0):
                await ms.act("block ip", ip=ip)


async def on_start(c):
    await ms.gather(_attachments(c), _urls(c), _intel(c))
    if c.score.total >= DANGEROUS:
        c.set_severity("high")
        c.tag("phishing")
        mid = c.email.message_id
        if mid:
            await ms.act("delete email", message_id=mid)
    elif c.score.total >= 30:
        c.set_severity("medium")
    reporter = c.reporter.from_ if c.reporter else None
    if reporter:
        await ms.act("send email", to=reporter.get("address", ""),
                     subject="Your report: %s" % c.verdict,
                     body="Thank you. We analysed the email you reported "
                          "and found it %s." % c.verdict)


def on_finish(c, summary):
    ms.log.info("container %d: score %d (%s), %d actions, %d skipped",
                c.id, c.score.total, c.verdict, summary.get("actions", 0),
                summary.get("skipped", 0))
