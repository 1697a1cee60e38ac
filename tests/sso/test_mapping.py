"""Single sign-on settings and mapping (pure: no app, no server)."""
import pytest

from webapp.access import Role
from webapp.accounts import sso

LDAP_ENV = {"HOTLINE_LDAP_URL": "ldap://127.0.0.1:1", "HOTLINE_LDAP_BASE_DN": "ou=people,dc=x"}


def mapping(**env) -> sso.Mapping:
    return sso.ldap_settings({**LDAP_ENV, **env}).mapping


def test_single_sign_on_is_off_without_its_variables():
    assert sso.ldap_settings({}) is None and sso.oidc_settings({}) is None


def test_ldap_defaults_read_employee_number_name_and_department():
    settings = sso.ldap_settings(LDAP_ENV)
    assert settings.user_filter == "(employeeNumber={employee_no})" and settings.group_base == "ou=people,dc=x"
    person = sso.person_from({"employeeNumber": ["T1001"], "CN": ["张伟"], "departmentNumber": ["营业厅"]}, [],
                             settings.mapping)
    assert person == sso.Person("T1001", "张伟", "营业厅", Role.TRAINEE, disabled=False)


def test_the_highest_mapped_group_gives_the_role_and_unmapped_groups_give_trainee():
    roles = mapping(HOTLINE_LDAP_ROLE_MAP='{"Trainers": "trainer", "IT-Admins": "admin"}')
    values = {"employeeNumber": "T1"}
    assert sso.person_from(values, ["trainers", "it-admins"], roles).role == Role.ADMIN
    assert sso.person_from(values, ["TRAINERS"], roles).role == Role.TRAINER
    # A group called "admin" is not the admin role unless the map says so.
    assert sso.person_from(values, ["admin", "administrators"], roles).role == Role.TRAINEE


def test_department_from_a_mapped_group_or_a_mapped_value_or_the_value_itself():
    departments = mapping(HOTLINE_LDAP_DEPARTMENT_MAP='{"hall-east": "东区营业厅", "d10": "10086热线一部"}')
    assert sso.person_from({"employeeNumber": "T1", "departmentNumber": "d10"}, ["hall-east"], departments) \
        .department == "东区营业厅"
    assert sso.person_from({"employeeNumber": "T1", "departmentNumber": "D10"}, [], departments) \
        .department == "10086热线一部"
    assert sso.person_from({"employeeNumber": "T1", "departmentNumber": "other"}, [], departments) \
        .department == "other"


def test_a_configured_attribute_value_marks_the_person_disabled():
    disabled = mapping(HOTLINE_LDAP_DISABLED="employeeType=Disabled")
    assert sso.person_from({"employeeNumber": "T1", "employeetype": ["staff", "disabled"]}, [], disabled).disabled
    assert not sso.person_from({"employeeNumber": "T1", "employeeType": "staff"}, [], disabled).disabled


def test_oidc_claims_name_the_groups_and_fields():
    settings = sso.oidc_settings({"HOTLINE_OIDC_ISSUER": "https://id.example/", "HOTLINE_OIDC_CLIENT_ID": "app",
                                  "HOTLINE_OIDC_CLAIMS": '{"employee_no": "preferred_username"}',
                                  "HOTLINE_OIDC_ROLE_MAP": '{"hr": "hr"}'})
    assert settings.discovery_url == "https://id.example/.well-known/openid-configuration"
    assert settings.name == "SSO" and settings.scope == "openid profile"
    person = sso.person_from_claims({"preferred_username": "H01", "name": "李娜", "groups": "hr"}, settings.mapping)
    assert (person.employee_no, person.name, person.role) == ("H01", "李娜", Role.HR)


@pytest.mark.parametrize("values, message", [
    ({"cn": "无工号"}, "no employee number"),
    ({"employeeNumber": "T 1"}, "not usable"),
    ({"employeeNumber": "x" * 33}, "not usable"),
])
def test_an_entry_without_a_usable_employee_number_is_refused(values, message):
    with pytest.raises(sso.Unusable) as refused:
        sso.person_from(values, [], mapping())
    assert message in refused.value.message


@pytest.mark.parametrize("env, named", [
    ({"HOTLINE_LDAP_ROLE_MAP": '{"staff": "boss"}'}, "HOTLINE_LDAP_ROLE_MAP"),
    ({"HOTLINE_LDAP_ROLE_MAP": "not json"}, "HOTLINE_LDAP_ROLE_MAP"),
    ({"HOTLINE_LDAP_DEPARTMENT_MAP": '["a"]'}, "HOTLINE_LDAP_DEPARTMENT_MAP"),
    ({"HOTLINE_LDAP_ATTRIBUTES": '{"phone": "mobile"}'}, "HOTLINE_LDAP_ATTRIBUTES"),
    ({"HOTLINE_LDAP_DISABLED": "employeeType"}, "HOTLINE_LDAP_DISABLED"),
    ({"HOTLINE_LDAP_USER_FILTER": "(uid=x)"}, "HOTLINE_LDAP_USER_FILTER"),
    ({"HOTLINE_LDAP_TIMEOUT": "soon"}, "HOTLINE_LDAP_TIMEOUT"),
    ({"HOTLINE_LDAP_BASE_DN": ""}, "HOTLINE_LDAP_BASE_DN"),
])
def test_bad_settings_name_their_variable(env, named):
    with pytest.raises(sso.SettingsError, match=named):
        sso.ldap_settings({**LDAP_ENV, **env})


def test_oidc_needs_a_client_id():
    with pytest.raises(sso.SettingsError, match="HOTLINE_OIDC_CLIENT_ID"):
        sso.oidc_settings({"HOTLINE_OIDC_ISSUER": "https://id.example"})
