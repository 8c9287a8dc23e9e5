# SPDX-License-Identifier: Apache-2.0
"""A real Dovecot for tests (../shared/recipes/dovecot.md): its own
config, users and maildirs under a temporary directory, on free loopback
ports, optionally with TLS from a CA made here with openssl.  Used by the
serve tests and bench/ingest."""
import imaplib
import os
import shutil
import socket
import ssl
import subprocess
import time

USERS = {"soc": "socpw", "alice": "pw", "bob": "pw"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_ca(d, host="127.0.0.1"):
    """A CA and a server certificate for 'host' (an IP address)."""
    def run(*a):
        subprocess.run(a, check=True, capture_output=True, cwd=d)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=mailsoar test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
        "server.key", "-out", "server.csr", "-subj", "/CN=" + host)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:%s,DNS:localhost\n" % host)
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem",
        "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
        "-days", "2", "-extfile", "ext.cnf")
    return os.path.join(d, "ca.pem")


class Dovecot:
    def __init__(self, root, tls=False, idle=True):
        if shutil.which("dovecot") is None:
            raise RuntimeError("dovecot is not installed "
                               "(scripts/install-deps)")
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.ca = make_ca(root) if tls else None
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        # Dovecot's auth process runs as dovenull and must reach the
        # users file: let it through our (0700) temporary directories.
        p = os.path.abspath(root)
        while p not in ("/", "/tmp"):
            st = os.stat(p)
            if st.st_uid == os.getuid():
                os.chmod(p, (st.st_mode & 0o7777) | 0o011)
            p = os.path.dirname(p)
        shutil.chown(os.path.join(root, "mail"), "dovenull", "dovenull")
        self.conf = os.path.join(root, "dovecot.conf")
        tls_conf = ""
        if tls:
            tls_conf = ("ssl = yes\nssl_cert = <%s/server.pem\n"
                        "ssl_key = <%s/server.key\n" % (root, root))
        # Without 'idle', a server that does not offer IDLE once logged
        # in (Dovecot's own list, less IDLE): clients must poll.
        caps = "" if idle else (
            "imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE "
            "UNSELECT CHILDREN NAMESPACE UIDPLUS MOVE ESEARCH\n")
        with open(self.conf, "w") as f:
            f.write("""{caps}base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{r}/mail/%u
default_internal_user = dovenull
default_login_user = dovenull
first_valid_uid = 1
first_valid_gid = 1
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {p}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tp}
    ssl = {imaps}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/users
}}
userdb {{
  driver = static
  args = uid=dovenull gid=dovenull home={r}/mail/%u
}}
""".format(caps=caps, r=root, p=self.port,
                tp=self.tls_port or free_port(), imaps="yes" if tls else "no",
                ssl=tls_conf or "ssl = no"))
        with open(os.path.join(root, "users"), "w") as f:
            for u, p in USERS.items():
                f.write("%s:{PLAIN}%s\n" % (u, p))
        self.start()

    def start(self):
        subprocess.run(["dovecot", "-c", self.conf], check=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start: " + self.log())

    def children(self):
        """The pids of this Dovecot's processes (the master's children:
        logins, auth, and the imap process of each session)."""
        try:
            master = int(open(os.path.join(self.root, "run",
                                           "master.pid")).read())
        except (OSError, ValueError):
            return []
        kids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = open("/proc/%s/stat" % pid).read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                kids.append(int(pid))
        return kids

    def stop(self, sessions=False):
        """Stop the server; with 'sessions', also kill the imap processes
        that serve connections already open (Dovecot lets them live)."""
        kids = self.children() if sessions else []
        subprocess.run(["doveadm", "-c", self.conf, "stop"],
                       capture_output=True)
        for pid in kids:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         0.1).close()
                time.sleep(0.05)
            except OSError:
                return

    def log(self):
        try:
            return open(os.path.join(self.root, "dovecot.log")).read()
        except OSError:
            return ""

    def client(self, user="soc"):
        c = imaplib.IMAP4("127.0.0.1", self.port)
        c.login(user, USERS[user])
        return c

    def append(self, raw, user="soc", folder="INBOX"):
        c = self.client(user)
        try:
            typ, _ = c.append(folder, None, None, raw)
            assert typ == "OK"
        finally:
            c.logout()

    def append_many(self, raws, user="soc", folder="INBOX"):
        c = self.client(user)
        try:
            for raw in raws:
                typ, _ = c.append(folder, None, None, raw)
                assert typ == "OK"
        finally:
            c.logout()

    def asset(self, name="reports", user="soc", tls="none", extra="",
              poll=5):
        port = self.tls_port if tls == "imaps" else self.port
        return ("[asset %s]\napp=imap\nhost=127.0.0.1\nport=%d\ntls=%s\n"
                "username=%s\npassword=%s\npoll_interval=%d\n%s\n"
                % (name, port, tls, user, USERS[user], poll, extra))
