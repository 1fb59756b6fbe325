"""Segments: the criteria grammar, its evaluation into one queryset, and the six endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import (
    ActivityRole,
    CampaignActivity,
    EmailCampaign,
    EventKind,
    Send,
    SendRun,
    TrackingEvent,
)
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactPhone,
    CustomField,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from apps.v3.contacts.segments import CriteriaError, contacts_matching, validate_criteria
from tests.v3.conftest import V3Api
from tests.v3.factories import AccountFactory
from tests.v3.support import error_of, follow_all


def criteria(*group: dict[str, Any], kind: str = "and") -> str:
    """A criteria document whose top-level group holds ``group``."""
    return json.dumps({"version": "1.0.0", "criteria": {"type": kind, "group": list(group)}})


def contact(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    """A ``contact`` condition."""
    node = {"source": "contact", "field": field, "op": op, **extra}
    if value is not None:
        node["const_value"] = value
    return node


def either(*group: dict[str, Any]) -> dict[str, Any]:
    """An ``or`` group."""
    return {"type": "or", "group": list(group)}


def in_lists(*lists: ContactList, op: str = "contains-any") -> dict[str, Any]:
    """A ``list_membership`` condition."""
    return {"source": "list_membership", "field": "list_id", "op": op, "const_value": [str(x.list_id) for x in lists]}


def tagged(*tags: Tag, op: str = "contains-any") -> dict[str, Any]:
    """A ``tags`` condition."""
    return {"source": "tags", "field": "tag_id", "op": op, "const_value": [str(t.tag_id) for t in tags]}


def matching(account: Account, text: str) -> set[str]:
    """The email addresses of the contacts a segment with ``text`` selects."""
    segment = Segment.objects.create(account=account, name=f"s{Segment.objects.count()}", segment_criteria=text)
    return set(contacts_matching(account, segment).values_list("email_address", flat=True))


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """An account with five contacts, lists, tags and custom field values, plus a stranger account."""
    account = AccountFactory()
    ann = Contact.objects.create(
        account=account, email_address="ann@example.com", first_name="Ann", last_name="Lee", birthday_month=4
    )
    bob = Contact.objects.create(
        account=account,
        email_address="bob@corp.test",
        first_name="Bob",
        job_title="Engineer",
        permission_to_send="unsubscribed",
        birthday_month=11,
        opt_out_date=datetime(2024, 3, 10, 15, 0, tzinfo=UTC),
    )
    cat = Contact.objects.create(
        account=account,
        email_address="cat@example.com",
        first_name="Catherine",
        permission_to_send="explicit",
        opt_out_date=datetime(2024, 3, 11, 0, 0, tzinfo=UTC),
    )
    dan = Contact.objects.create(account=account, email_address="dan@corp.test", first_name="dan")
    gone = Contact.objects.create(
        account=account, email_address="gone@example.com", first_name="Ann", deleted_at=timezone.now()
    )
    Contact.objects.filter(pk=dan.pk).update(created_at=timezone.now() - timedelta(days=400))
    ContactAddress.objects.create(contact=ann, kind="home", city="Baltimore", state="MD")
    ContactAddress.objects.create(contact=bob, kind="home", city="Boston", state="MA")
    ContactAddress.objects.create(contact=bob, kind="work", city="Annapolis", state="MD")
    ContactPhone.objects.create(contact=cat, phone_number="555-0100")
    color = CustomField.objects.create(account=account, label="Color", name="color", type="string")
    renewal = CustomField.objects.create(account=account, label="Renewal", name="renewal", type="date")
    CustomFieldValue.objects.create(contact=ann, custom_field=color, value="Blue")
    CustomFieldValue.objects.create(contact=bob, custom_field=color, value="green")
    CustomFieldValue.objects.create(contact=cat, custom_field=color, value="")
    CustomFieldValue.objects.create(contact=ann, custom_field=renewal, value="2025-01-15")
    CustomFieldValue.objects.create(contact=bob, custom_field=renewal, value="2025-06-30")
    CustomFieldValue.objects.create(contact=cat, custom_field=renewal, value="someday")
    vip = ContactList.objects.create(account=account, name="VIP")
    news = ContactList.objects.create(account=account, name="News")
    old = ContactList.objects.create(account=account, name="Old", deleted_at=timezone.now())
    for who, lst in [(ann, vip), (bob, vip), (bob, news), (cat, news), (dan, old), (gone, vip)]:
        ListMembership.objects.create(contact=who, contact_list=lst)
    donor = Tag.objects.create(account=account, name="donor")
    staff = Tag.objects.create(account=account, name="staff")
    for who, tag in [(ann, donor), (cat, donor), (cat, staff), (gone, staff)]:
        Tagging.objects.create(contact=who, tag=tag)
    stranger = AccountFactory()
    Contact.objects.create(account=stranger, email_address="ann@example.com", first_name="Ann")
    return {
        "account": account,
        "stranger": stranger,
        "color": color,
        "renewal": renewal,
        "vip": vip,
        "news": news,
        "old": old,
        "donor": donor,
        "staff": staff,
    }


ANN, BOB, CAT, DAN = "ann@example.com", "bob@corp.test", "cat@example.com", "dan@corp.test"
EVERYONE = {ANN, BOB, CAT, DAN}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (contact("first_name", "eq", "ANN"), {ANN}),
        (contact("first_name", "ne", "ann"), {BOB, CAT, DAN}),
        (contact("first_name", "contains", "at"), {CAT}),
        (contact("first_name", "not-contains", "a"), {BOB}),
        (contact("email_address", "ends-with", "@corp.test"), {BOB, DAN}),
        (contact("first_name", "starts-with", "D"), {DAN}),
        (contact("first_name", "in", ["bob", "Dan", "nobody"]), {BOB, DAN}),
        (contact("first_name", "not-in", ["bob", "Dan"]), {ANN, CAT}),
        (contact("job_title", "is-not-empty"), {BOB}),
        (contact("job_title", "is-empty"), {ANN, CAT, DAN}),
        (contact("permission_to_send", "eq", "unsubscribed"), {BOB}),
        (contact("permission_to_send", "in", ["explicit", "unsubscribed"]), {BOB, CAT}),
        (contact("permission_to_send", "ne", "implicit"), {BOB, CAT}),
        (contact("birthday_month", "eq", 4), {ANN}),
        (contact("birthday_month", "gt", 4), {BOB}),
        (contact("birthday_month", "lte", 11), {ANN, BOB}),
        (contact("birthday_month", "ne", 4), {BOB, CAT, DAN}),
        (contact("birthday_month", "is-empty"), {CAT, DAN}),
        (contact("street_address.state", "eq", "md"), {ANN, BOB}),
        (contact("street_address.state", "ne", "MD"), {CAT, DAN}),
        (contact("street_address.city", "starts-with", "B"), {ANN, BOB}),
        (contact("street_address.city", "is-empty"), {CAT, DAN}),
        (contact("phone_number", "contains", "0100"), {CAT}),
    ],
    ids=lambda v: v["field"] + ":" + v["op"] if isinstance(v, dict) else "",
)
def test_contact_field_conditions(people: dict[str, Any], condition: dict[str, Any], expected: set[str]) -> None:
    assert matching(people["account"], criteria(condition)) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (contact("opt_out_date", "on", "2024-03-10"), {BOB}),
        (contact("opt_out_date", "before", "2024-03-11"), {BOB}),
        (contact("opt_out_date", "after", "2024-03-10"), {CAT}),
        (contact("opt_out_date", "between", ["2024-03-01", "2024-03-11"]), {BOB, CAT}),
        (contact("opt_out_date", "is-empty"), {ANN, DAN}),
        (contact("created_at", "in-last-n-days", 30), {ANN, BOB, CAT}),
        (contact("created_at", "in-last-n-days", "500"), EVERYONE),
    ],
    ids=lambda v: v["field"] + ":" + v["op"] if isinstance(v, dict) else "",
)
def test_date_conditions(people: dict[str, Any], condition: dict[str, Any], expected: set[str]) -> None:
    assert matching(people["account"], criteria(condition)) == expected


def test_custom_field_conditions(people: dict[str, Any]) -> None:
    account, color, renewal = (
        people["account"],
        str(people["color"].custom_field_id),
        str(people["renewal"].custom_field_id),
    )

    def cf(field_id: str, op: str, value: Any = None) -> str:
        return criteria(contact("custom_field", op, value, param=field_id))

    assert matching(account, cf(color, "eq", "blue")) == {ANN}
    assert matching(account, cf(color, "ne", "blue")) == {BOB, CAT, DAN}
    assert matching(account, cf(color, "in", ["Blue", "GREEN"])) == {ANN, BOB}
    assert matching(account, cf(color, "is-not-empty")) == {ANN, BOB}
    assert matching(account, cf(color, "is-empty")) == {CAT, DAN}
    assert matching(account, cf(renewal, "before", "2025-06-30")) == {ANN}
    assert matching(account, cf(renewal, "after", "2025-01-15")) == {BOB}
    assert matching(account, cf(renewal, "on", "2025-06-30")) == {BOB}
    assert matching(account, cf(renewal, "between", ["2025-01-01", "2025-12-31"])) == {ANN, BOB}
    # Another account's field id selects nothing, even for an id that exists elsewhere.
    foreign = CustomField.objects.create(account=people["stranger"], label="Color", name="color", type="string")
    assert matching(account, cf(str(foreign.custom_field_id), "is-not-empty")) == set()


def test_list_membership_and_tag_conditions(people: dict[str, Any]) -> None:
    account = people["account"]
    assert matching(account, criteria(in_lists(people["vip"]))) == {ANN, BOB}
    assert matching(account, criteria(in_lists(people["vip"], people["news"]))) == {ANN, BOB, CAT}
    assert matching(account, criteria(in_lists(people["news"], op="contains-none"))) == {ANN, DAN}
    # A deleted list no longer selects its former members.
    assert matching(account, criteria(in_lists(people["old"]))) == set()
    assert matching(account, criteria(tagged(people["donor"]))) == {ANN, CAT}
    assert matching(account, criteria(tagged(people["staff"], op="contains-none"))) == {ANN, BOB, DAN}
    assert matching(account, criteria(either(tagged(people["staff"]), in_lists(people["vip"])))) == {ANN, BOB, CAT}


def test_and_or_and_nesting(people: dict[str, Any]) -> None:
    account = people["account"]
    vip_in_md = criteria(in_lists(people["vip"]), contact("street_address.state", "eq", "MD"), tagged(people["donor"]))
    assert matching(account, vip_in_md) == {ANN}
    anyone = criteria(either(contact("first_name", "eq", "dan"), tagged(people["staff"])))
    assert matching(account, anyone) == {CAT, DAN}
    nested = criteria(
        in_lists(people["vip"], people["news"]),
        either(
            contact("birthday_month", "eq", 11),
            {"type": "and", "group": [tagged(people["donor"]), contact("permission_to_send", "eq", "explicit")]},
        ),
    )
    assert matching(account, nested) == {BOB, CAT}


def mail(account: Account, name: str, days_ago: int, sent_to: list[Contact], **events: list[Contact]) -> EmailCampaign:
    """A campaign mailed ``days_ago`` days ago to ``sent_to``, with ``opened``/``clicked`` rows of some of them."""
    when = timezone.now() - timedelta(days=days_ago)
    campaign = EmailCampaign.objects.create(account=account, name=name)
    activity = CampaignActivity.objects.create(campaign=campaign, role=ActivityRole.PRIMARY_EMAIL)
    mail_activity(activity, when, sent_to, **events)
    return campaign


def mail_activity(activity: CampaignActivity, when: datetime, sent_to: list[Contact], **events: list[Contact]) -> None:
    run = SendRun.objects.create(activity=activity, send_id=activity.runs.count() + 1, run_date=when)
    Send.objects.bulk_create(
        [Send(activity=activity, contact=c, run=run, email_address=c.email_address, sent_at=when) for c in sent_to]
    )
    kinds = {"opened": EventKind.OPEN, "clicked": EventKind.CLICK}
    rows = [
        TrackingEvent(account_id=c.account_id, activity=activity, contact=c, kind=kinds[field])
        for field, contacts in events.items()
        for c in contacts
    ]
    created = TrackingEvent.objects.bulk_create(rows)
    TrackingEvent.objects.filter(pk__in=[row.pk for row in created]).update(created_at=when)


@pytest.fixture
def mailings(people: dict[str, Any]) -> dict[str, EmailCampaign]:
    """Three campaigns of the account, mailed 40, 10 and 2 days ago; one never mailed; a stranger's."""
    account = people["account"]
    ann, bob, cat, dan = (Contact.objects.get(account=account, email_address=a) for a in (ANN, BOB, CAT, DAN))
    gone = Contact.objects.get(account=account, email_address="gone@example.com")
    old = mail(account, "old", 40, [ann, bob], opened=[ann])
    mid = mail(account, "mid", 10, [ann, bob, cat], opened=[ann, cat], clicked=[ann])
    new = mail(account, "new", 2, [ann, cat, gone], opened=[ann, gone])
    # The newest campaign's resend reached dan, who opened it: it counts for the campaign.
    resend = CampaignActivity.objects.create(campaign=new, role=ActivityRole.RESEND)
    mail_activity(resend, timezone.now() - timedelta(days=1), [dan], opened=[dan])
    draft = EmailCampaign.objects.create(account=account, name="draft")
    stranger_ann = Contact.objects.get(account=people["stranger"], email_address=ANN)
    theirs = mail(people["stranger"], "theirs", 1, [stranger_ann], opened=[stranger_ann], clicked=[stranger_ann])
    return {"old": old, "mid": mid, "new": new, "draft": draft, "theirs": theirs}


def tracked(field: str, op: str, window: str, param: Any) -> dict[str, Any]:
    """A ``tracking`` condition."""
    return {"source": "tracking", "field": field, "op": op, "const_value": window, "param": param}


def ids(mailings: dict[str, EmailCampaign], *names: str) -> list[str]:
    return [str(mailings[name].campaign_id) for name in names]


def test_tracking_conditions_select_from_sends_and_tracking_rows(
    people: dict[str, Any], mailings: dict[str, EmailCampaign]
) -> None:
    account = people["account"]
    cases = [
        # The newest campaign (its resend included): ann opened the primary, dan the resend.
        (tracked("opened", "contains-any", "last-n-campaigns", "1"), {ANN, DAN}),
        (tracked("opened", "contains-all", "last-n-campaigns", 2), {ANN}),
        (tracked("opened", "contains-any", "last-n-campaigns", 2), {ANN, CAT, DAN}),
        (tracked("opened", "contains-all", "last-n-campaigns", 500), {ANN}),
        (tracked("sent", "contains-any", "last-n-days", 5), {ANN, CAT, DAN}),
        (tracked("sent", "contains-all", "last-n-days", 15), {ANN, CAT}),
        (tracked("opened", "contains-any", "last-n-days", 5), {ANN, DAN}),
        (tracked("not_opened", "contains-any", "campaigns", ids(mailings, "old")), {BOB}),
        (tracked("not_opened", "contains-any", "last-n-campaigns", 2), {BOB, CAT}),
        (tracked("not_opened", "contains-all", "campaigns", ids(mailings, "old", "mid")), {BOB}),
        (tracked("clicked", "contains-any", "campaigns", ids(mailings, "old", "mid")), {ANN}),
        (tracked("not_clicked", "contains-all", "campaigns", ids(mailings, "mid", "new")), {CAT}),
        (tracked("not_clicked", "contains-any", "last-n-days", 30), {ANN, BOB, CAT, DAN}),
        # A campaign never mailed, or another account's, selects nobody.
        (tracked("sent", "contains-any", "campaigns", ids(mailings, "draft")), set()),
        (tracked("sent", "contains-all", "campaigns", ids(mailings, "draft")), set()),
        (tracked("opened", "contains-any", "campaigns", ids(mailings, "theirs")), set()),
    ]
    for condition, expected in cases:
        assert matching(account, criteria(condition)) == expected, condition
    # Combined with contact conditions, in and/or groups.
    opened_new = tracked("opened", "contains-any", "last-n-campaigns", 1)
    assert matching(account, criteria(either(opened_new, contact("first_name", "eq", "bob")))) == {ANN, BOB, DAN}
    assert matching(account, criteria(opened_new, contact("first_name", "eq", "dan"))) == {DAN}


def test_tracking_conditions_are_one_query(
    people: dict[str, Any], mailings: dict[str, EmailCampaign], django_assert_num_queries: Any
) -> None:
    account = people["account"]
    segment = Segment.objects.create(
        account=account,
        name="engaged",
        segment_criteria=criteria(
            tracked("opened", "contains-all", "last-n-campaigns", 2),
            tracked("not_clicked", "contains-any", "last-n-days", 30),
        ),
    )
    with django_assert_num_queries(1):
        found = set(contacts_matching(account, segment).values_list("email_address", flat=True))
    assert found == {ANN}
    assert not contacts_matching(people["stranger"], segment).exists()


def test_evaluation_is_one_query_and_stays_in_the_account(
    people: dict[str, Any], django_assert_num_queries: Any
) -> None:
    account = people["account"]
    segment = Segment.objects.create(
        account=account,
        name="big",
        segment_criteria=criteria(
            in_lists(people["vip"], people["news"]),
            either(
                tagged(people["donor"]),
                contact("custom_field", "eq", "green", param=str(people["color"].custom_field_id)),
            ),
            contact("first_name", "ne", "nobody"),
        ),
    )
    with django_assert_num_queries(1):
        found = set(contacts_matching(account, segment).values_list("email_address", flat=True))
    assert found == {ANN, BOB, CAT}
    # The same segment evaluated for another account selects nothing of either account.
    assert not contacts_matching(people["stranger"], segment).exists()
    assert matching(account, criteria(contact("first_name", "eq", "ann"))) == {ANN}  # not the stranger's Ann


def test_the_spec_example_is_valid() -> None:
    example = (
        '{"version":"1.0.0","criteria":{"type":"and","group":[{"source":"tracking","field":"not_opened",'
        '"op":"contains-any","const_value":"last-n-campaigns","param":"5"}]}}'
    )
    parsed = validate_criteria(example)
    assert parsed.root.type == "and" and parsed.root.items[0].param == 5  # type: ignore[union-attr]


LIST_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (json.dumps({"criteria": {"type": "and", "group": []}}), "criteria.group: must be a non-empty array"),
        (json.dumps({"version": "2.0", "criteria": {}}), "version"),
        (json.dumps({"version": "1.0.0"}), "criteria: is required"),
        (criteria(contact("first_name", "eq", "a"), kind="or"), "top-level group must be 'and'"),
        (
            json.dumps({"criteria": {"type": "and", "group": [{"type": "xor", "group": []}]}}),
            "'xor' is not 'and' or 'or'",
        ),
        (json.dumps({"criteria": {"type": "and", "group": [], "extra": 1}}), "unknown key 'extra'"),
        (criteria({"source": "weather", "field": "x", "op": "eq"}), "'weather' is not one of contact"),
        (criteria(contact("shoe_size", "eq", "9")), "'shoe_size' is not a contact field"),
        (criteria(contact("first_name", "gt", "a")), "'gt' is not an operator for contact field first_name"),
        (criteria(contact("birthday_month", "eq", "4")), "'4' is not an integer"),
        (criteria(contact("birthday_month", "eq", 13)), "13 is not between 1 and 12"),
        (criteria(contact("first_name", "eq", 7)), "7 is not a string"),
        (criteria(contact("first_name", "eq")), "const_value: is required for eq"),
        (criteria(contact("first_name", "is-empty", "x")), "is-empty takes no value"),
        (criteria(contact("first_name", "in", [])), "takes an array of 1 to 100 values"),
        (criteria(contact("permission_to_send", "eq", "maybe")), "'maybe' is not one of implicit"),
        (criteria(contact("created_at", "on", "03/10/2024")), "is not a date (YYYY-MM-DD)"),
        (criteria(contact("created_at", "on", "2024-02-30")), "is not a date (YYYY-MM-DD)"),
        (criteria(contact("created_at", "between", ["2015-01-01", "2024-01-01"])), "spans more than 1825 days"),
        (criteria(contact("created_at", "between", ["2024-01-02", "2024-01-01"])), "first date is after the last"),
        (criteria(contact("created_at", "in-last-n-days", 1826)), "from 1 to 1825"),
        (criteria(contact("custom_field", "eq", "x")), "param: None is not a UUID"),
        (criteria(contact("custom_field", "gt", "x", param=LIST_ID)), "not an operator for a custom field"),
        (criteria(contact("first_name", "eq", "x", param="y")), "param: not used"),
        (criteria(contact("first_name", "eq", "a\x00b")), "NUL"),
        (criteria({"source": "list_membership", "field": "tag_id", "op": "contains-any"}), "compare 'list_id'"),
        (criteria({"source": "list_membership", "field": "list_id", "op": "eq", "const_value": [LIST_ID]}), "'eq'"),
        (criteria({"source": "tags", "field": "tag_id", "op": "contains-any", "const_value": ["x"]}), "not a UUID"),
        (criteria({"source": "tags", "field": "tag_id", "op": "contains-any", "const_value": LIST_ID}), "an array"),
        (
            criteria(
                *[{"source": "list_membership", "field": "list_id", "op": "contains-any", "const_value": [LIST_ID]}] * 2
            ),
            "combine only with 'or'",
        ),
        (criteria({"source": "tracking", "field": "liked", "op": "contains-any"}), "not a tracking field"),
        (
            criteria({"source": "tracking", "field": "opened", "op": "contains-any", "const_value": "forever"}),
            "'forever' is not one of last-n-campaigns",
        ),
        (
            criteria(
                {
                    "source": "tracking",
                    "field": "opened",
                    "op": "contains-any",
                    "const_value": "last-n-campaigns",
                    "param": 501,
                }
            ),
            "campaigns from 1 to 500",
        ),
        ("x" * 20001, "longer than 20000 characters"),
        ("[" * 5000 + "]" * 5000, "segment_criteria:"),
    ],
)
def test_invalid_criteria_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(CriteriaError) as caught:
        validate_criteria(text)
    assert caught.value.status_code == 400
    assert problem in caught.value.error_message and caught.value.error_message.startswith("segment_criteria: ")


def test_nesting_is_limited() -> None:
    node: dict[str, Any] = contact("first_name", "eq", "a")
    for _ in range(9):
        node = {"type": "or", "group": [node]}
    with pytest.raises(CriteriaError, match="nested deeper than 8"):
        validate_criteria(json.dumps({"criteria": {"type": "and", "group": [node]}}))


# --- the endpoints -----------------------------------------------------------------------------

SIMPLE = criteria(contact("first_name", "eq", "Ann"))


def make_segment(api: V3Api, name: str, text: str = SIMPLE) -> dict[str, Any]:
    """Create a segment through the API and return its body."""
    response = api.post("/segments", {"name": name, "segment_criteria": text})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_read_update_rename_delete(api: V3Api) -> None:
    text = (
        '{"version":"1.0.0", "criteria": {"type":"and","group":'
        '[{"source":"contact","field":"first_name","op":"eq","const_value":"Ann"}]}}'
    )
    created = make_segment(api, "Anns", text)
    assert created["segment_criteria"] == text  # stored as written, spaces and all
    assert isinstance(created["segment_id"], int) and created["created_at"].endswith("+00:00")
    segment_id = created["segment_id"]
    assert api.get(f"/segments/{segment_id}").json() == created

    updated = api.put(
        f"/segments/{segment_id}", {"name": "Bobs", "segment_criteria": criteria(contact("first_name", "eq", "Bob"))}
    )
    assert (
        updated.status_code == 200 and updated.json()["name"] == "Bobs" and "Bob" in updated.json()["segment_criteria"]
    )
    renamed = api.patch(f"/segments/{segment_id}/name", {"name": "Roberts"}).json()
    assert renamed["name"] == "Roberts" and renamed["segment_criteria"] == updated.json()["segment_criteria"]
    assert renamed["edited_at"] >= created["edited_at"]

    response = api.delete(f"/segments/{segment_id}")
    assert response.status_code == 204 and response.content == b""
    # A deleted segment stays readable by id, leaves the listing, and cannot be changed.
    assert api.get(f"/segments/{segment_id}").json()["name"] == "Roberts"
    assert api.get("/segments").json()["segments"] == []
    assert api.put(f"/segments/{segment_id}", {"name": "X", "segment_criteria": SIMPLE}).status_code == 404
    assert api.patch(f"/segments/{segment_id}/name", {"name": "X"}).status_code == 404
    assert api.delete(f"/segments/{segment_id}").status_code == 404
    make_segment(api, "Roberts")  # its name is free again


def test_invalid_criteria_are_refused_and_change_nothing(api: V3Api) -> None:
    segment = make_segment(api, "Keep")
    bad = criteria(contact("shoe_size", "eq", "9"))
    response = api.post("/segments", {"name": "New", "segment_criteria": bad})
    assert response.status_code == 400
    assert error_of(response)["error_message"].startswith("segment_criteria: criteria.group[0].field: 'shoe_size'")
    response = api.put(f"/segments/{segment['segment_id']}", {"name": "Changed", "segment_criteria": "{oops"})
    assert response.status_code == 400 and "not valid JSON" in error_of(response)["error_message"]
    assert api.get(f"/segments/{segment['segment_id']}").json() == segment
    assert api.post("/segments", {"name": "Long", "segment_criteria": "x" * 20001}).status_code == 400
    assert Segment.objects.filter(account=api.account).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"segment_criteria": SIMPLE}, "name"),
        ({"name": "No criteria"}, "segment_criteria"),
        ({"name": " ", "segment_criteria": SIMPLE}, "name"),
        ({"name": "x" * 256, "segment_criteria": SIMPLE}, "name"),
        ({"name": "Typed", "segment_criteria": {"version": "1.0.0"}}, "segment_criteria"),
    ],
)
def test_create_refuses_bad_bodies(api: V3Api, body: dict[str, Any], field: str) -> None:
    response = api.post("/segments", body)
    assert response.status_code == 400 and field in error_of(response)["error_message"]


def test_malformed_json_and_wrong_content_type(api: V3Api) -> None:
    response = api.post("/segments", raw=b"{", content_type="application/json")
    assert response.status_code == 400 and error_of(response)["error_key"] == "api.malformed_json"
    # The Segments operations declare 415.
    response = api.post("/segments", raw=b"name=x", content_type="text/plain")
    assert response.status_code == 415
    segment_id = make_segment(api, "S")["segment_id"]
    assert api.patch(f"/segments/{segment_id}/name", raw=b"name=x", content_type="text/plain").status_code == 415


def test_names_are_unique(api: V3Api, other_api: V3Api) -> None:
    make_segment(api, "One")
    make_segment(other_api, "Two")
    assert api.post("/segments", {"name": "One", "segment_criteria": SIMPLE}).status_code == 409
    two = make_segment(api, "Two")["segment_id"]
    assert api.put(f"/segments/{two}", {"name": "One", "segment_criteria": SIMPLE}).status_code == 409
    response = api.patch(f"/segments/{two}/name", {"name": "One"})
    assert response.status_code == 409 and "One" in error_of(response)["error_message"]
    assert api.patch(f"/segments/{two}/name", {"name": "Two"}).status_code == 200


def test_listing_sorts_and_pages(api: V3Api, other_api: V3Api) -> None:
    for name in ("Cherry", "apple", "Banana", "Date"):
        make_segment(api, name)
    make_segment(other_api, "Elsewhere")
    Segment.objects.filter(name="Banana").update(edited_at=timezone.now() + timedelta(minutes=5))

    by_date = follow_all(api, "/segments", "segments", {"limit": "1"})
    assert [s["name"] for s in by_date] == ["Banana", "Date", "apple", "Cherry"]
    assert all("segment_criteria" not in s for s in by_date)
    by_name = follow_all(api, "/segments", "segments", {"limit": "3", "sort_by": "name"})
    assert sorted(s["name"] for s in by_name) == sorted(["Cherry", "apple", "Banana", "Date"])
    assert [s["name"] for s in by_name] == sorted(s["name"] for s in by_name)
    assert "_links" not in api.get("/segments").json()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"sort_by": "size"}, "sort_by"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_listing_refuses_bad_parameters(api: V3Api, params: dict[str, Any], name: str) -> None:
    response = api.get("/segments", params=params)
    assert response.status_code == 400 and error_of(response)["error_message"].startswith(f"{name}:")


def test_a_cursor_from_another_sort_order_is_a_400(api: V3Api) -> None:
    for name in ("A", "B", "C"):
        make_segment(api, name)
    href = api.get("/segments", params={"limit": "1", "sort_by": "name"}).json()["_links"]["next"]["href"]
    cursor = href.split("cursor=")[1]
    response = api.get(f"/segments?limit=1&sort_by=date&cursor={cursor}")
    assert response.status_code == 400 and error_of(response)["error_message"].startswith("cursor:")
