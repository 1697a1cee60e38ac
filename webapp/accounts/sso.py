"""Single sign-on: its settings (environment variables) and how a directory entry or an ID token
becomes an account's employee number, name, department and role (pure).

LDAP and OpenID Connect map the same way: attributes (claims) name the employee number, name and
department; the person's groups give the role through an explicit map (the highest mapped role
wins, no mapped group means trainee, so the administrator role only ever comes from the map) and
may give the department; an attribute with a configured value marks the person disabled.
"""
import json
import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

from webapp.access import Role
from webapp.accounts.roster import EMPLOYEE_NO, N_

#: User.source of accounts that sign in through the directory.
LDAP, OIDC = "ldap", "oidc"

#: Lowest first: of several mapped groups the last in this order wins.
ROLE_RANK = (Role.TRAINEE, Role.TRAINER, Role.HR, Role.ADMIN)

LDAP_FIELDS = {"employee_no": "employeeNumber", "name": "cn", "department": "departmentNumber"}
OIDC_FIELDS = {"employee_no": "employee_number", "name": "name", "department": "department", "groups": "groups"}


class SettingsError(ValueError):
    """A single sign-on environment variable that cannot be used; the message names it."""


class Unusable(Exception):
    """A directory entry or token that cannot become an account. ``message`` is an English msgid."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.message, self.params = message, params or {}


@dataclass(frozen=True)
class Mapping:
    #: Account field (employee_no, name, department, groups) → attribute or claim name.
    fields: dict[str, str]
    #: Group name (lower case) → role.
    roles: dict[str, Role] = field(default_factory=dict)
    #: Group name or department value (lower case) → department shown here.
    departments: dict[str, str] = field(default_factory=dict)
    #: (attribute, value): a person whose attribute holds this value is disabled.
    disabled: tuple[str, str] | None = None

    @property
    def attributes(self) -> list[str]:
        """Everything to read from the directory."""
        names = [name for key, name in self.fields.items() if key != "groups"]
        return names + ([self.disabled[0]] if self.disabled else [])


@dataclass(frozen=True)
class Person:
    employee_no: str
    name: str
    department: str
    role: Role
    disabled: bool


@dataclass(frozen=True)
class LdapSettings:
    url: str
    base_dn: str
    bind_dn: str
    bind_password: str
    #: ``{employee_no}`` is replaced by the escaped employee number typed at sign-in.
    user_filter: str
    #: Searched under ``group_base``; ``{dn}`` is replaced by the escaped DN of the person.
    group_filter: str
    group_base: str
    #: Seconds to connect and for each answer (whole seconds: ldap3 sets them on the socket).
    timeout: int
    mapping: Mapping


@dataclass(frozen=True)
class OidcSettings:
    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    scope: str
    mapping: Mapping


def values_of(raw) -> list[str]:
    """An attribute or claim as a list of non-empty strings (LDAP gives lists, claims may be either)."""
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def person_from(values: MappingType[str, object], groups: list[str], mapping: Mapping) -> Person:
    """``values``: attribute or claim name → value(s); ``groups``: the person's group names.
    Names match whatever their case (LDAP attribute names are case-insensitive)."""
    values = {name.lower(): value for name, value in values.items()}

    def first(key: str) -> str:
        found = values_of(values.get(mapping.fields[key].lower())) if key in mapping.fields else []
        return found[0] if found else ""

    employee_no = first("employee_no")
    if not employee_no:
        raise Unusable(N_("the directory gives no employee number (%(attribute)s)"),
                       {"attribute": mapping.fields.get("employee_no", "")})
    if len(employee_no) > 32 or not re.fullmatch(EMPLOYEE_NO, employee_no):
        raise Unusable(N_("the employee number from the directory is not usable: %(value)s"), {"value": employee_no[:40]})
    folded = [group.lower() for group in groups]
    mapped_roles = {mapping.roles[group] for group in folded if group in mapping.roles}
    role = max(mapped_roles, key=ROLE_RANK.index, default=Role.TRAINEE)
    department = first("department")
    department = next((mapping.departments[group] for group in folded if group in mapping.departments),
                      mapping.departments.get(department.lower(), department))
    disabled = mapping.disabled is not None and mapping.disabled[1].lower() in {
        value.lower() for value in values_of(values.get(mapping.disabled[0].lower()))}
    return Person(employee_no=employee_no, name=(first("name") or employee_no)[:100], department=department[:100],
                  role=role, disabled=disabled)


def person_from_claims(claims: MappingType[str, object], mapping: Mapping) -> Person:
    """An ID token's claims; the groups are a claim too."""
    return person_from(claims, values_of(claims.get(mapping.fields.get("groups", ""))), mapping)


# --- settings from the environment ----------------------------------------------------------------

def _json_object(env: MappingType[str, str], name: str) -> dict[str, str]:
    text = env.get(name, "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError(f"{name}: not valid JSON ({error.msg})") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SettingsError(f"{name}: expected a JSON object of strings, e.g. {{\"key\": \"value\"}}")
    return value


def _mapping(env: MappingType[str, str], prefix: str, default_fields: dict[str, str], fields_name: str) -> Mapping:
    fields = {**default_fields, **_json_object(env, f"{prefix}_{fields_name}")}
    unknown = set(fields) - set(OIDC_FIELDS)
    if unknown:
        raise SettingsError(f"{prefix}_{fields_name}: unknown keys {sorted(unknown)}; use {sorted(OIDC_FIELDS)}")
    roles = {}
    for group, role in _json_object(env, f"{prefix}_ROLE_MAP").items():
        if role not in set(Role):
            raise SettingsError(f"{prefix}_ROLE_MAP: {group!r} maps to {role!r}; roles are {[r.value for r in Role]}")
        roles[group.lower()] = Role(role)
    departments = {key.lower(): value for key, value in _json_object(env, f"{prefix}_DEPARTMENT_MAP").items()}
    disabled = None
    if env.get(f"{prefix}_DISABLED", "").strip():
        attribute, equals, value = env[f"{prefix}_DISABLED"].strip().partition("=")
        if not equals or not attribute.strip() or not value.strip():
            raise SettingsError(f"{prefix}_DISABLED: expected attribute=value, e.g. employeeType=disabled")
        disabled = (attribute.strip(), value.strip())
    return Mapping(fields=fields, roles=roles, departments=departments, disabled=disabled)


def _required(env: MappingType[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} must be set when single sign-on through it is on")
    return value


def ldap_settings(env: MappingType[str, str]) -> LdapSettings | None:
    """None (LDAP off) unless HOTLINE_LDAP_URL is set."""
    url = env.get("HOTLINE_LDAP_URL", "").strip()
    if not url:
        return None
    base_dn = _required(env, "HOTLINE_LDAP_BASE_DN")
    try:
        timeout = int(env.get("HOTLINE_LDAP_TIMEOUT", "5"))
        if timeout < 1:
            raise ValueError
    except ValueError:
        raise SettingsError("HOTLINE_LDAP_TIMEOUT: a whole number of seconds, e.g. 5") from None
    user_filter = env.get("HOTLINE_LDAP_USER_FILTER", "").strip() or "(employeeNumber={employee_no})"
    if "{employee_no}" not in user_filter:
        raise SettingsError("HOTLINE_LDAP_USER_FILTER must contain {employee_no}")
    group_filter = env.get("HOTLINE_LDAP_GROUP_FILTER", "").strip() or "(member={dn})"
    if "{dn}" not in group_filter:
        raise SettingsError("HOTLINE_LDAP_GROUP_FILTER must contain {dn}")
    return LdapSettings(
        url=url, base_dn=base_dn, bind_dn=env.get("HOTLINE_LDAP_BIND_DN", "").strip(),
        bind_password=env.get("HOTLINE_LDAP_BIND_PASSWORD", ""), user_filter=user_filter,
        group_filter=group_filter, group_base=env.get("HOTLINE_LDAP_GROUP_BASE_DN", "").strip() or base_dn,
        timeout=timeout, mapping=_mapping(env, "HOTLINE_LDAP", LDAP_FIELDS, "ATTRIBUTES"))


def oidc_settings(env: MappingType[str, str]) -> OidcSettings | None:
    """None (OpenID Connect off) unless HOTLINE_OIDC_ISSUER or HOTLINE_OIDC_DISCOVERY_URL is set."""
    issuer = env.get("HOTLINE_OIDC_ISSUER", "").strip().rstrip("/")
    discovery_url = env.get("HOTLINE_OIDC_DISCOVERY_URL", "").strip()
    if not issuer and not discovery_url:
        return None
    return OidcSettings(
        name=env.get("HOTLINE_OIDC_NAME", "").strip() or "SSO",
        discovery_url=discovery_url or f"{issuer}/.well-known/openid-configuration",
        client_id=_required(env, "HOTLINE_OIDC_CLIENT_ID"),
        client_secret=env.get("HOTLINE_OIDC_CLIENT_SECRET", ""),
        scope=env.get("HOTLINE_OIDC_SCOPE", "").strip() or "openid profile",
        mapping=_mapping(env, "HOTLINE_OIDC", OIDC_FIELDS, "CLAIMS"))
