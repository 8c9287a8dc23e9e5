# SPDX-License-Identifier: Apache-2.0
"""email_triage -- the default playbook for reported emails.

It follows Splunk SOAR's "Email-based Orchestration" playbook (the seed):

  attachments: detonate file -> threat score; if dangerous: hunt file in
               the data sources and on endpoints, block the IPs it talked
               to, threat-intel attribution of its domains;
  URLs:        detonate url, lookup domain (its IPs), whois ip,
               geolocate ip (country of concern?), a threat score; if
               dangerous: hunt ip, block ip, attribution;
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


async def _attribution(c, domain):
    r = await ms.act("hunt domain", domain=domain)
    if r.ok and r.data:
        actors = sorted({d.get("actor") for d in r.data if d.get("actor")})
        c.add_note("Threat intel: %s" % domain,
                   "Attribution: %s" % (", ".join(actors) or "unknown"))


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
    for d in domains:
        rep = await ms.act("domain reputation", domain=d)
        if rep.ok and rep.summary.get("verdict") == "malicious":
            c.score.add(30, "threat intel: %s is malicious" % d,
                        evidence=rep)
            await _attribution(c, d)


async def on_start(c):
    await ms.gather(_attachments(c), _urls(c))
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
