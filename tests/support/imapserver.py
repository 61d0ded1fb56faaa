"""A real IMAP server for tests: Debian's Dovecot with a throw-away configuration (its own
base_dir, a free loopback port, one passwd-file user, plaintext auth), started in the
foreground and stopped when the block ends. With ``tls=True`` it also listens for IMAPS on a
second port, with a certificate for ``localhost`` made by ``openssl`` for this run (the
client trusts it through ``cafile``)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.procs import free_port, wait_for_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "replies", "replies-password"


@dataclass(frozen=True)
class ImapServer:
    port: int
    user: str
    password: str
    log: Path
    tls_port: int | None = None
    cafile: Path | None = None  # the certificate the IMAPS port presents (self-signed)

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"

    @property
    def tls_url(self) -> str:
        """The shape the issue writes: ``imaps://user:password@host/INBOX`` (with a port)."""
        assert self.tls_port is not None, "started without tls=True"
        return f"imaps://{self.user}:{self.password}@localhost:{self.tls_port}/INBOX"

    def append(self, data: bytes) -> None:
        """Deliver one message into the mailbox, as the mail server would."""
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10) as client:
            client.login(self.user, self.password)
            client.append("INBOX", data)

    def keywords(self) -> list[set[bytes]]:
        """Each message's flags, in mailbox order."""
        from imapclient import IMAPClient

        with IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10) as client:
            client.login(self.user, self.password)
            client.select_folder("INBOX", readonly=True)
            flags = client.get_flags(client.search("ALL"))
            return [set(flags[uid]) for uid in sorted(flags)]


def _accounts() -> tuple[str, str, int, int]:
    """(internal user, login user, mail uid, mail gid): Dovecot's own users as root (mail may
    not be accessed as UID 0), the current user otherwise."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        return "dovecot", "dovenull", mail.pw_uid, mail.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


def _certificate(root: Path) -> tuple[Path, Path]:
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def _config(root: Path, port: int, tls_port: int | None = None) -> str:
    internal, login, uid, gid = _accounts()
    if tls_port is None:
        ssl = "ssl = no"
    else:
        cert, key = _certificate(root)
        ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port or 0}
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
"""


@contextmanager
def imap_server(*, tls: bool = False) -> Iterator[ImapServer]:
    """Run Dovecot on 127.0.0.1:<free port> with its state in a folder of its own (Dovecot's
    unprivileged users must reach it, which pytest's private tmp_path does not allow)."""
    root = Path(tempfile.mkdtemp(prefix="convene-dovecot-"))
    try:
        with _running(root, tls) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _running(root: Path, tls: bool) -> Iterator[ImapServer]:
    _, _, uid, gid = _accounts()
    port = free_port()
    tls_port = free_port() if tls else None
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(exist_ok=True)
    (root / "home").chmod(0o755)
    os.chown(root / "home", uid, gid)
    root.chmod(0o755)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port, tls_port))
    log = root / "dovecot.log"
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=open(root / "dovecot.stderr", "wb"))  # noqa: SIM115
    try:
        try:
            wait_for_port(port, proc=proc)
        except (RuntimeError, TimeoutError):
            raise RuntimeError("dovecot did not start:\n" + (root / "dovecot.stderr").read_text()
                               + (log.read_text() if log.exists() else "")) from None
        if tls_port is not None:
            wait_for_port(tls_port, proc=proc)
        yield ImapServer(port=port, user=USER, password=PASSWORD, log=log, tls_port=tls_port,
                         cafile=root / "cert.pem" if tls_port else None)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
