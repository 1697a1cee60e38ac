"""Looking a person up in the company's LDAP directory and checking their password (ldap3).

The search runs as the configured service account (or anonymously), then the password is checked
by binding as the person found: the directory alone ever sees it.
"""
import logging
from dataclasses import dataclass

from ldap3 import SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from webapp.accounts import sso

log = logging.getLogger(__name__)


class DirectoryDown(Exception):
    """The directory cannot be reached or refuses the service account."""


@dataclass(frozen=True)
class Answer:
    #: None: nobody (or more than one entry) in the directory has this employee number.
    person: sso.Person | None
    password_ok: bool = False


def look_up(settings: sso.LdapSettings, employee_no: str, password: str) -> Answer:
    """Find the person, read their attributes and groups, and bind as them with ``password``
    (unless the directory marks them disabled). Raises DirectoryDown and sso.Unusable."""
    server = Server(settings.url, connect_timeout=settings.timeout)
    search = Connection(server, settings.bind_dn or None, settings.bind_password or None,
                        receive_timeout=settings.timeout, read_only=True, raise_exceptions=True)
    try:
        search.bind()
        search.search(settings.base_dn, settings.user_filter.format(employee_no=escape_filter_chars(employee_no)),
                      SUBTREE, attributes=settings.mapping.attributes)
        if len(search.entries) != 1:
            if search.entries:
                log.warning("LDAP: %d entries match employee number %r", len(search.entries), employee_no)
            return Answer(person=None)
        entry = search.entries[0]
        search.search(settings.group_base, settings.group_filter.format(dn=escape_filter_chars(entry.entry_dn)),
                      SUBTREE, attributes=["cn"])
        groups = [value for group in search.entries for value in sso.values_of(group.cn.values)]
        person = sso.person_from(entry.entry_attributes_as_dict, groups, settings.mapping)
        if person.disabled or not password:  # an empty password would be an anonymous bind
            return Answer(person=person)
        return Answer(person=person, password_ok=_binds(server, entry.entry_dn, password, settings.timeout))
    except LDAPException as error:
        log.error("LDAP directory %s unusable: %s", settings.url, error)
        raise DirectoryDown(str(error)) from error
    finally:
        _close(search)


def _binds(server: Server, dn: str, password: str, timeout: int) -> bool:
    """Does the directory accept this password for this entry? (Any other failure raises.)"""
    own = Connection(server, dn, password, receive_timeout=timeout)
    try:
        return own.bind()
    finally:
        _close(own)


def _close(connection: Connection) -> None:
    connection.unbind()
    if connection.socket is not None:  # ldap3 keeps the socket of a connect that failed
        connection.socket.close()
