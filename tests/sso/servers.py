"""Real single sign-on servers for the tests, each private on 127.0.0.1 in a temporary folder:
Debian's OpenLDAP (slapd) with a generated directory, and the OpenID Connect provider of the
PyPI package oidc-provider-mock (a real provider: discovery, JWKS, RS256-signed ID tokens, PKCE).

Both run as children that die with the test process (PR_SET_PDEATHSIG), so a killed run leaves
no server behind; a normal run stops them by PID.
"""
import ctypes
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import requests
from ldap3 import MODIFY_ADD, MODIFY_REPLACE, Connection, Server

SUFFIX = "dc=hotline,dc=test"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "directory-admin-pw"
READER_DN, READER_PASSWORD = f"cn=reader,{SUFFIX}", "reader-pw"
PEOPLE, GROUPS = f"ou=people,{SUFFIX}", f"ou=groups,{SUFFIX}"
#: Groups of the generated directory (groupOfNames needs a member: the reader stands in).
GROUP_NAMES = ("trainers", "hr-team", "it-admins", "hall-east")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _binary(name: str, package: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is None:
        raise RuntimeError(f"{name} is not installed: apt-get install {package} (scripts/test installs it)")
    return path


def _wait(ready, process: subprocess.Popen, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}: {log.read_text() if log else ''}")
        if ready():
            return
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not start within 30 s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Slapd:
    """OpenLDAP with ou=people and ou=groups; people are added per test through ``add_person``."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-slapd-"))
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        self._numbers = count(1)
        slappasswd = _binary("slappasswd", "slapd")
        admin_hash = subprocess.run([slappasswd, "-s", ADMIN_PASSWORD], check=True, capture_output=True,
                                    text=True).stdout.strip()
        (self.folder / "db").mkdir()
        config = self.folder / "slapd.conf"
        config.write_text(textwrap.dedent(f"""\
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            include /etc/ldap/schema/nis.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile {self.folder}/slapd.pid
            database mdb
            suffix "{SUFFIX}"
            rootdn "{ADMIN_DN}"
            rootpw {admin_hash}
            directory {self.folder}/db
            access to attrs=userPassword by self write by anonymous auth by * none
            access to * by dn.exact="{READER_DN}" read by users read by * none
            """))
        subprocess.run([_binary("slaptest", "slapd"), "-u", "-f", str(config)], check=True, capture_output=True)
        self.process = subprocess.Popen(
            [_binary("slapd", "slapd"), "-d", "0", "-h", f"{self.url}/", "-f", str(config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        _wait(self._answers, self.process, "slapd")
        with self.admin() as connection:
            connection.add(SUFFIX, ["dcObject", "organization"], {"o": "Hotline test", "dc": "hotline"})
            connection.add(READER_DN, ["simpleSecurityObject", "organizationalRole"],
                           {"cn": "reader", "userPassword": READER_PASSWORD})
            connection.add(PEOPLE, ["organizationalUnit"], {"ou": "people"})
            connection.add(GROUPS, ["organizationalUnit"], {"ou": "groups"})
            for group in GROUP_NAMES:
                connection.add(f"cn={group},{GROUPS}", ["groupOfNames"], {"cn": group, "member": READER_DN})

    def _answers(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    @contextmanager
    def admin(self):
        connection = Connection(Server(self.url), ADMIN_DN, ADMIN_PASSWORD, raise_exceptions=True)
        try:
            connection.bind()
            yield connection
        finally:
            connection.unbind()

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment variables that point the app at this directory."""
        return {"HOTLINE_LDAP_URL": self.url, "HOTLINE_LDAP_BASE_DN": PEOPLE, "HOTLINE_LDAP_GROUP_BASE_DN": GROUPS,
                "HOTLINE_LDAP_BIND_DN": READER_DN, "HOTLINE_LDAP_BIND_PASSWORD": READER_PASSWORD, **overrides}

    def new_employee_no(self) -> str:
        return f"L{next(self._numbers):04d}"

    def add_person(self, employee_no: str, name: str, department: str, password: str, groups=(),
                   employee_type: str | None = None) -> str:
        dn = f"uid={employee_no.lower()},{PEOPLE}"
        attributes = {"uid": employee_no.lower(), "cn": name, "sn": name[:1], "employeeNumber": employee_no,
                      "departmentNumber": department, "userPassword": password}
        if employee_type:
            attributes["employeeType"] = employee_type
        with self.admin() as connection:
            connection.add(dn, ["inetOrgPerson"], attributes)
            for group in groups:
                connection.modify(f"cn={group},{GROUPS}", {"member": [(MODIFY_ADD, [dn])]})
        return dn

    def change(self, dn: str, **attributes: str) -> None:
        with self.admin() as connection:
            connection.modify(dn, {name: [(MODIFY_REPLACE, [value])] for name, value in attributes.items()})

    def join(self, dn: str, group: str) -> None:
        with self.admin() as connection:
            connection.modify(f"cn={group},{GROUPS}", {"member": [(MODIFY_ADD, [dn])]})

    def remove(self, dn: str) -> None:
        with self.admin() as connection:
            connection.delete(dn)

    def stop(self) -> None:
        _stop(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)


class OidcProvider:
    """oidc-provider-mock on its own port; nonces required. Users and their claims are set per
    test through the provider's own /users API; signing in picks the user on its form."""

    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="hotline-oidc-", suffix=".log")[1])
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "oidc_provider_mock", "-H", "127.0.0.1", "-p", str(self.port),
                 "--require-nonce", "true"],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        _wait(self._answers, self.process, "oidc-provider-mock", self.log)

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).ok
        except requests.RequestException:
            return False

    def env(self, **overrides: str) -> dict[str, str]:
        return {"HOTLINE_OIDC_ISSUER": self.issuer, "HOTLINE_OIDC_CLIENT_ID": "hotline-academy",
                "HOTLINE_OIDC_CLIENT_SECRET": "client-secret", "HOTLINE_OIDC_NAME": "统一身份认证", **overrides}

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", data=json.dumps(claims),
                                headers={"Content-Type": "application/json"}, timeout=10)
        response.raise_for_status()

    def sign_in(self, authorize_url: str, sub: str | None) -> str:
        """Submit the provider's sign-in form (None: press "Deny"); returns where it redirects."""
        data = {"sub": sub} if sub is not None else {"action": "deny"}
        response = requests.post(authorize_url, data=data, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        return response.headers["Location"]

    def stop(self) -> None:
        _stop(self.process)
        self.log.unlink(missing_ok=True)
