"""Accessibility of every main page, checked by axe-core in Chromium against WCAG 2.1 A and AA.

axe-core comes from npm (``make install`` runs ``npm ci``); each page gets ``axe.min.js`` injected
and fails on any violation axe rates serious or critical, and on the results axe leaves for review
of the rules in ``REVIEW_FAILS`` (axe cannot always tell a broken reference from one it cannot
see), listing each rule's failing nodes. Pages show real data, made in the service's tables, as a
signed-in workspace owner sees it (an owner sees all a marketer does, plus the workspace's member
management); the service's own OAuth sign-in and consent pages are checked signed out, its
developer pages signed in there, and the pages its mailed links open as the person mailed. The
notice of a service that cannot answer is checked with the service really refusing (its daily
quota set to nothing) or really unreachable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from oauth2_provider.models import Application
from playwright.sync_api import FilePayload, Page, Route, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.models import Connection, Invitation, Role
from apps.contacts.services import PAGE_SIZE
from apps.jobs.models import Job
from apps.v3.account.models import AccountEmail, AccountMembership
from apps.v3.account.services import confirmation_link
from apps.v3.bulk.models import Activity
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactNote,
    ContactPhone,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from apps.v3.contacts.services.resubscribe_link import resubscribe_link
from tests.dashboard.accounts.factories import WorkspaceMembershipFactory

from .conftest import PASSWORD, ROOT, Connected, Service

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.0 and 2.1 levels A and AA; axe tags each rule with the levels it checks.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

# Rules whose "needs review" results fail too: an aria-describedby naming no element on the page
# (a help text that was not rendered) is only "incomplete" to axe, and once went unnoticed.
REVIEW_FAILS = frozenset({"aria-valid-attr-value"})

# Nodes axe flags wrongly, by rule: (rule id, the node's selector as axe prints it) -> why it is not a violation.
FALSE_POSITIVES: dict[tuple[str, str], str] = {}

# Runs in the page: axe's violations and the results it left for review, reduced to what a report needs.
RUN_AXE = """async (tags) => {
  const results = await axe.run(
    document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations", "incomplete"]});
  const brief = (kind) => (rule) => ({
    kind, id: rule.id, impact: rule.impact, help: rule.help,
    nodes: rule.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
  });
  return results.violations.map(brief("violation")).concat(results.incomplete.map(brief("needs review")));
}"""


def blocks(rule: dict[str, Any]) -> bool:
    """Whether axe's finding fails the check: a serious or critical violation, or a review of ``REVIEW_FAILS``."""
    if rule["kind"] == "violation":
        return rule["impact"] in BLOCKING
    return rule["id"] in REVIEW_FAILS


def violations(page: Page) -> list[str]:
    """axe's findings that fail the check on the page as shown now, one line per failing node."""
    assert AXE.is_file(), f"{AXE} is missing: run `make install` (it runs `npm ci`)"
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_21_AA)
    lines = []
    for rule in found:
        if not blocks(rule):
            continue
        for node in rule["nodes"]:
            if (rule["id"], node["target"]) in FALSE_POSITIVES:
                continue
            summary = " ".join((node["summary"] or "").split())
            what = f"{rule['impact']} {rule['kind']}: {rule['help']}"
            lines.append(f"{rule['id']} ({what}) at {node['target']}: {summary}")
    return lines


def assert_accessible(page: Page) -> None:
    """Fail listing every finding of axe on the page that :func:`blocks`."""
    found = violations(page)
    assert not found, f"{len(found)} accessibility violation(s) on {page.url}:\n" + "\n".join(found)


# --- The dashboard, signed in --------------------------------------------------------------------


@dataclass
class Site:
    """The ids the checked pages' paths name, in an account with something on every page."""

    contact: str
    list: str
    tag: str
    custom_field: str
    segment: int
    running_job: int
    finished_job: int
    activity: str
    workspace: int
    connection: int


@pytest.fixture
def site(connected: Connected) -> Site:
    """An account with contacts (more than a page), lists, tags, fields, a segment, jobs and an activity."""
    account = connected.account
    newsletter = ContactList.objects.create(account=account, name="Newsletter", description="Monthly news")
    ContactList.objects.create(account=account, name="VIP", favorite=True)
    regulars = Tag.objects.create(account=account, name="Regulars")
    Tag.objects.create(account=account, name="Wholesale")
    note = CustomField.objects.create(account=account, label="Favourite bread", name="favourite_bread", type="string")
    size = CustomField.objects.create(
        account=account,
        label="Shirt size",
        name="shirt_size",
        type="single_select",
        metadata={"display_type": "dropdown"},
    )
    CustomFieldChoice.objects.bulk_create(
        CustomFieldChoice(custom_field=size, choice_id=n, choice_label=label, display_order=n)
        for n, label in enumerate(["Small", "Medium", "Large"], start=1)
    )
    Contact.objects.bulk_create(
        Contact(account=account, email_address=f"guest{n:02}@example.com", first_name=f"Guest {n}")
        # With Ann, one more contact than a page of the list holds: the pager has somewhere to go.
        for n in range(1, PAGE_SIZE + 1)
    )
    ann = Contact.objects.create(
        account=account,
        email_address="ann@example.com",
        permission_to_send="explicit",
        first_name="Ann",
        last_name="Lee",
        job_title="Baker",
        company_name="Harbor Bakery",
        birthday_month=5,
        birthday_day=4,
        sms_address="15551234567",
        sms_permission="explicit",
    )
    ContactPhone.objects.create(contact=ann, phone_number="555-0100", kind="work")
    ContactAddress.objects.create(contact=ann, kind="work", street="1 Quay St", city="Portland", state="ME")
    ContactNote.objects.create(contact=ann, content="Prefers morning deliveries", created_at=dt.datetime.now(dt.UTC))
    ListMembership.objects.create(contact=ann, contact_list=newsletter)
    Tagging.objects.create(contact=ann, tag=regulars)
    CustomFieldValue.objects.create(contact=ann, custom_field=note, value="Rye")
    CustomFieldValue.objects.create(contact=ann, custom_field=size, choice_ids=[2])
    opted_in = {"source": "contact", "field": "permission_to_send", "op": "eq", "const_value": "explicit"}
    segment = Segment.objects.create(
        account=account,
        name="Opted in",
        segment_criteria=json.dumps({"version": "1.0.0", "criteria": {"type": "and", "group": [opted_in]}}),
    )

    def job(label: str, **activity: Any) -> Job:
        row = Activity.objects.create(account=account, kind="file_import", **activity)
        return Job.objects.create(
            workspace=connected.workspace,
            connection=connected.connection,
            kind=Job.Kind.IMPORT,
            activity_id=str(row.activity_id),
            label=label,
            created_by=connected.user,
        )

    # Running, so its page polls (held by the test); finished with row errors, so the page lists them.
    running = job("fair-signups.csv", state="processing", percent_done=40)
    finished = job(
        "spring-fair.csv",
        state="completed",
        percent_done=100,
        items_total_count=3,
        items_completed_count=3,
        error_count=1,
        activity_errors=["Row 3: 'not-an-address' is not an email address"],
    )
    deleted_list = Activity.objects.create(account=account, kind="list_delete", state="completed", percent_done=100)

    # Someone else in the workspace, and someone invited, for the workspace page's member tables.
    WorkspaceMembershipFactory.create(workspace=connected.workspace, role=Role.MARKETER)
    Invitation.objects.create(
        workspace=connected.workspace, email="new.baker@example.com", role=Role.MARKETER, invited_by=connected.user
    )
    return Site(
        contact=str(ann.contact_id),
        list=str(newsletter.list_id),
        tag=str(regulars.tag_id),
        custom_field=str(note.custom_field_id),
        segment=segment.segment_id,
        running_job=running.pk,
        finished_job=finished.pk,
        activity=str(deleted_list.activity_id),
        workspace=connected.workspace.pk,
        connection=connected.connection.pk,
    )


def refused_contact(page: Page) -> None:
    """Submit the new-contact form with a date the API refuses: the form comes back with its errors."""
    page.get_by_label("Email address").fill("dee@example.com")
    page.get_by_label("Anniversary").fill("2023-02-30")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_label("Anniversary")).to_have_attribute("aria-invalid", "true")


def empty_contact(page: Page) -> None:
    """Submit the new-contact form empty: the refusal above the form, the fields it is about marked."""
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")


def refused_name(button: str, label: str = "Name", taken: str = "Regulars") -> Callable[[Page], None]:
    """Name a new tag or custom field as an existing one: the API's conflict comes back at the field."""

    def refuse(page: Page) -> None:
        page.get_by_label(label).fill(taken)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")

    return refuse


def paged(page: Page) -> None:
    """The contacts list shows a full page of rows and a way to the next."""
    expect(page.get_by_role("row")).to_have_count(PAGE_SIZE + 1)  # with the header row
    expect(page.get_by_role("navigation", name="Contact pages").get_by_role("link", name="Next")).to_be_visible()


def second_page(page: Page) -> None:
    """The contacts list's next page, as the pager's htmx swaps it in: the last row and the ways back."""
    paged(page)
    page.get_by_role("navigation", name="Contact pages").get_by_role("link", name="Next").click()
    expect(page.get_by_role("table", name="Contacts, page 2").get_by_role("row")).to_have_count(2)


def saved_contact(page: Page) -> None:
    """Save the contact's edit form unchanged: its page comes back with the "was saved" message."""
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="was saved.")).to_be_visible()


def refused_list(page: Page) -> None:
    """Name a new list as an existing one: the API's conflict comes back at the name."""
    page.get_by_label("Name").fill("Newsletter")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")


def refused_workspace(page: Page) -> None:
    """Create a workspace without a name: the form comes back with the error."""
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")


def csv_file(name: str, text: str) -> FilePayload:
    """A CSV file to upload, as its bytes."""
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def refused_upload(page: Page) -> None:
    """Upload a CSV with a header line and nothing else: step 1 comes back with the file's problem."""
    page.get_by_label("CSV file").set_input_files(csv_file("empty.csv", "Email,First\n"))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("no contacts")


def upload(page: Page) -> None:
    """Step 1 of the import wizard, done: a CSV uploaded, the column matching shown."""
    rows = "Email,First,Shoe size\nann@example.com,Ann,38\nbob@example.com,Bob,44\n"
    page.get_by_label("CSV file").set_input_files(csv_file("fair-signups.csv", rows))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", name="Import fair-signups.csv")).to_be_visible()


def matched(page: Page) -> None:
    """Steps 1 and 2 of the import wizard, done: the lists to add the contacts to shown."""
    upload(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("group", name="Add the contacts to these lists")).to_be_visible()


def refused_export(page: Page) -> None:
    """Export by a tag and a segment at once: the form comes back saying to choose one source."""
    page.get_by_role("group", name="Or contacts with these tags").get_by_label("Regulars").check()
    page.get_by_label("Or the contacts of a segment").select_option(label="Opted in")
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("alert").filter(has_text="choose only one of them")).to_be_visible()


def refused_campaign(page: Page) -> None:
    """A campaign saved with nothing filled in: the form comes back with its errors."""
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").first).to_be_visible()


def hold_polls(page: Page) -> None:
    """Keep a running job's progress polls unanswered, so the page stays as axe reads it."""

    def hold(route: Route) -> None:
        # An htmx poll is left pending until the page closes; the page itself loads as usual.
        if route.request.header_value("hx-request") != "true":
            route.fallback()

    page.route("**/jobs/*/", hold)


@dataclass(frozen=True)
class Visit:
    """A page to check: its path (``{names}`` filled from :class:`Site`), what to do first and what to do there."""

    path: str
    before: Callable[[Page], None] | None = None
    then: Callable[[Page], None] | None = None


DASHBOARD = [
    pytest.param(Visit("/"), id="home, an account with data"),
    pytest.param(Visit("/contacts/", then=paged), id="/contacts/"),
    pytest.param(Visit("/contacts/", then=second_page), id="/contacts/ page 2"),
    pytest.param(Visit("/contacts/{contact}/"), id="/contacts/<id>/"),
    pytest.param(Visit("/contacts/new/"), id="/contacts/new/"),
    pytest.param(Visit("/contacts/new/", then=refused_contact), id="/contacts/new/ refused"),
    pytest.param(Visit("/contacts/new/", then=empty_contact), id="/contacts/new/ empty"),
    pytest.param(Visit("/contacts/{contact}/edit/"), id="/contacts/<id>/edit/"),
    pytest.param(Visit("/contacts/{contact}/edit/", then=saved_contact), id="/contacts/<id>/ saved"),
    pytest.param(Visit("/contacts/{contact}/delete/"), id="/contacts/<id>/delete/"),
    pytest.param(Visit("/contacts/lists/"), id="/contacts/lists/"),
    pytest.param(Visit("/contacts/lists/{list}/"), id="/contacts/lists/<id>/"),
    # The same form as /contacts/lists/<id>/edit/, here with the API's error in it too.
    pytest.param(Visit("/contacts/lists/new/", then=refused_list), id="/contacts/lists/new/ refused"),
    pytest.param(Visit("/contacts/lists/{list}/delete/"), id="/contacts/lists/<id>/delete/"),
    pytest.param(Visit("/contacts/tags/"), id="/contacts/tags/"),
    pytest.param(Visit("/contacts/tags/{tag}/"), id="/contacts/tags/<id>/"),
    pytest.param(Visit("/contacts/tags/new/"), id="/contacts/tags/new/"),
    pytest.param(Visit("/contacts/tags/new/", then=refused_name("Create tag")), id="/contacts/tags/new/ refused"),
    pytest.param(Visit("/contacts/custom-fields/"), id="/contacts/custom-fields/"),
    pytest.param(Visit("/contacts/custom-fields/{custom_field}/"), id="/contacts/custom-fields/<id>/"),
    pytest.param(Visit("/contacts/custom-fields/new/"), id="/contacts/custom-fields/new/"),
    pytest.param(
        Visit("/contacts/custom-fields/new/", then=refused_name("Create custom field", "Label", "Favourite bread")),
        id="/contacts/custom-fields/new/ refused",
    ),
    pytest.param(Visit("/contacts/segments/"), id="/contacts/segments/"),
    pytest.param(Visit("/contacts/segments/{segment}/"), id="/contacts/segments/<id>/"),
    pytest.param(Visit("/contacts/segments/new/"), id="/contacts/segments/new/"),
    pytest.param(Visit("/campaigns/"), id="/campaigns/ empty"),
    pytest.param(Visit("/campaigns/?status=draft&q=spring"), id="/campaigns/ draft tab, searched"),
    pytest.param(Visit("/campaigns/new/"), id="/campaigns/new/"),
    pytest.param(Visit("/campaigns/new/", then=refused_campaign), id="/campaigns/new/ refused"),
    pytest.param(Visit("/reports/"), id="/reports/ nothing sent yet"),
    pytest.param(Visit("/jobs/"), id="/jobs/"),
    pytest.param(Visit("/jobs/import/"), id="/jobs/import/"),
    pytest.param(Visit("/jobs/import/", then=refused_upload), id="/jobs/import/ refused"),
    pytest.param(Visit("/jobs/import/", then=upload), id="/jobs/import/<token>/columns/"),
    pytest.param(Visit("/jobs/import/", then=matched), id="/jobs/import/<token>/lists/"),
    pytest.param(Visit("/jobs/export/"), id="/jobs/export/"),
    pytest.param(Visit("/jobs/export/", then=refused_export), id="/jobs/export/ refused"),
    pytest.param(Visit("/jobs/{running_job}/", before=hold_polls), id="/jobs/<id>/ running"),
    pytest.param(Visit("/jobs/{finished_job}/"), id="/jobs/<id>/ finished"),
    pytest.param(Visit("/jobs/activities/{activity}/"), id="/jobs/activities/<id>/"),
    pytest.param(Visit("/accounts/workspaces/"), id="/accounts/workspaces/"),
    pytest.param(Visit("/accounts/workspaces/{workspace}/"), id="/accounts/workspaces/<id>/"),
    pytest.param(
        Visit("/accounts/workspaces/new/", then=refused_workspace),
        id="/accounts/workspaces/new/ refused",
    ),
    pytest.param(Visit("/accounts/connections/{connection}/"), id="/accounts/connections/<id>/"),
]


@pytest.mark.parametrize("visit", DASHBOARD)
def test_dashboard_page(page: Page, site: Site, visit: Visit) -> None:
    check(page, visit, **vars(site))


def check(page: Page, visit: Visit, **names: Any) -> None:
    """Open the visit's page (its path filled from ``names``), do what it says, and check what it shows."""
    if visit.before:
        visit.before(page)
    response = page.goto(visit.path.format(**names))
    assert response is not None
    assert response.ok, f"{response.status} {response.url}"
    if visit.then:
        visit.then(page)
    assert_accessible(page)


# --- The service's own sign-in, signed out ---------------------------------------------------------


def to_service_login(page: Page) -> None:
    """From the dashboard's sign-in page to the service's, as "Sign in with Constant Contact" leads."""
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Constant Contact").click()
    expect(page.get_by_label("Username")).to_be_visible()


def wrong_password(page: Page, username: str) -> None:
    """The service's sign-in page after a refused password: its error shown."""
    to_service_login(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def consent(page: Page, username: str) -> None:
    """Signed in at the service: its consent page for the dashboard."""
    to_service_login(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Allow")).to_be_visible()


SIGN_IN: list[Any] = [
    pytest.param(lambda page, _: page.goto("/accounts/login/"), id="/accounts/login/"),
    pytest.param(lambda page, _: to_service_login(page), id="/oauth2/login/"),
    pytest.param(wrong_password, id="/oauth2/login/ refused"),
    pytest.param(consent, id="/oauth2/default/v1/authorize"),
]


@pytest.mark.parametrize("reach", SIGN_IN)
def test_sign_in_page(
    page: Page, service: Service, cc_owner: AccountMembership, reach: Callable[[Page, str], Any]
) -> None:
    reach(page, cc_owner.user.username)
    assert_accessible(page)


# --- The service's developer pages, signed in there ------------------------------------------------


def signed_in_developer(page: Page, username: str) -> None:
    """Signed in at the service's own login page, which the developer pages send a visitor to."""
    page.goto("/developer/applications/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your applications")).to_be_visible()


def refused_application(page: Page) -> None:
    """Register a web application whose redirect URI is no URI: the form comes back with the error."""
    page.get_by_label("Name").fill("Harbor Bakery shop")
    page.get_by_label("Client type").select_option(label="Confidential")
    page.get_by_label("Authorization grant type").select_option(label="Authorization code")
    page.get_by_label("Redirect URIs:", exact=True).fill("not a uri")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_be_visible()


DEVELOPER = [
    pytest.param(Visit("/developer/applications/"), id="/developer/applications/"),
    pytest.param(Visit("/developer/applications/register/"), id="/developer/applications/register/"),
    pytest.param(
        Visit("/developer/applications/register/", then=refused_application),
        id="/developer/applications/register/ refused",
    ),
    pytest.param(Visit("/developer/applications/{pk}/"), id="/developer/applications/<id>/"),
    pytest.param(Visit("/developer/applications/{pk}/edit/"), id="/developer/applications/<id>/edit/"),
    pytest.param(Visit("/developer/applications/{pk}/delete/"), id="/developer/applications/<id>/delete/"),
]


@pytest.mark.parametrize("visit", DEVELOPER)
def test_developer_page(page: Page, service: Service, cc_owner: AccountMembership, visit: Visit) -> None:
    application = Application.objects.create(
        user=cc_owner.user,
        name="Harbor Bakery sync",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://bakery.example/callback",
    )
    signed_in_developer(page, cc_owner.user.username)
    check(page, visit, pk=application.pk)


# --- Pages the service's mailed links open -----------------------------------------------------------


def resubscribe_request(owner: AccountMembership, issued_at: dt.datetime) -> str:
    """The link mailed to a contact the account asked to resubscribe, who has not confirmed yet."""
    contact = Contact.objects.create(
        account=owner.account,
        email_address="dana@example.com",
        permission_to_send="pending_confirmation",
        email_updated_at=dt.datetime.now(dt.UTC),
    )
    return resubscribe_link(contact, issued_at=issued_at)


def added_email(owner: AccountMembership, issued_at: dt.datetime) -> str:
    """The link mailed to an address added to the account, not confirmed yet."""
    email = AccountEmail.objects.create(account=owner.account, email_address="dlang@example.com")
    return confirmation_link(email, issued_at=issued_at)


def pressed(name: str) -> Callable[[Page], None]:
    """Press the page's button ``name``, as the person does who means it."""

    def press(page: Page) -> None:
        page.get_by_role("button", name=name).click()
        expect(page.get_by_role("button")).to_have_count(0)

    return press


@dataclass(frozen=True)
class Link:
    """A mailed link to open: who made it, how old it is, what status its page answers, what to do there."""

    make: Callable[[AccountMembership, dt.datetime], str]
    age: dt.timedelta
    status: int
    then: Callable[[Page], None] | None = None


NOW = dt.timedelta(0)
MAILED_LINKS = [
    pytest.param(Link(resubscribe_request, NOW, 200), id="/v3-confirm/resubscribe/<token>"),
    pytest.param(
        Link(resubscribe_request, NOW, 200, pressed("Yes, resubscribe me")), id="/v3-confirm/resubscribe/ confirmed"
    ),
    pytest.param(Link(resubscribe_request, dt.timedelta(days=400), 410), id="/v3-confirm/resubscribe/ expired"),
    pytest.param(Link(added_email, NOW, 200), id="/v3-confirm/email/<token>"),
    pytest.param(Link(added_email, NOW, 200, pressed("Confirm dlang@example.com")), id="/v3-confirm/email/ confirmed"),
    pytest.param(Link(added_email, dt.timedelta(days=30), 410), id="/v3-confirm/email/ expired"),
]


@pytest.mark.parametrize("link", MAILED_LINKS)
def test_mailed_link_page(page: Page, service: Service, cc_owner: AccountMembership, link: Link) -> None:
    mailed = link.make(cc_owner, dt.datetime.now(dt.UTC) - link.age)
    response = page.goto(urlsplit(mailed).path)
    assert response is not None and response.status == link.status
    if link.then:
        link.then(page)
    assert_accessible(page)


# --- A service that cannot answer ----------------------------------------------------------------------


def quota_spent(settings: SettingsWrapper) -> None:
    """From now on the service refuses every call of the dashboard's: the day's quota is used up."""
    settings.V3_RATE_LIMIT_PER_DAY = 0


def test_service_trouble_page(page: Page, site: Site, settings: SettingsWrapper) -> None:
    quota_spent(settings)
    response = page.goto("/contacts/")
    assert response is not None and response.status == 429
    expect(page.get_by_role("heading", name="Constant Contact is busy")).to_be_visible()
    assert_accessible(page)


def test_service_trouble_after_a_form(page: Page, site: Site, settings: SettingsWrapper) -> None:
    page.goto("/contacts/new/")
    page.get_by_label("Email address").fill("dee@example.com")
    quota_spent(settings)
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("alert")).to_contain_text("What you sent may not have been saved.")
    # Back to the form's page, where the quota spent is now the page's own notice.
    expect(page.get_by_role("link", name="Try again")).to_have_attribute("href", "/contacts/new/")
    assert_accessible(page)


def test_service_trouble_in_place_of_the_content(page: Page, site: Site, settings: SettingsWrapper) -> None:
    page.goto("/contacts/")
    paged(page)
    quota_spent(settings)
    page.get_by_role("navigation", name="Contact pages").get_by_role("link", name="Next").click()
    expect(page.locator("#content").get_by_role("alert")).to_contain_text("Try again tomorrow")
    expect(page.get_by_role("link", name="Skip to content")).to_be_visible()  # the page around it stays
    assert_accessible(page)


def test_a_poll_that_meets_trouble_leaves_the_page_and_says_it_is_retrying(page: Page, site: Site) -> None:
    page.goto(f"/jobs/{site.running_job}/")
    progress = page.locator("#job-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "40")
    connections = Connection.objects.filter(pk=site.connection)
    reachable = connections.get().api_base_url
    # The service becomes unreachable: port 9 refuses connections on the test machines.
    connections.update(api_base_url="http://127.0.0.1:9/v3")
    note = page.locator("#job-progress-retry")
    expect(note).to_have_text("Constant Contact did not answer: checking again…")
    expect(note).to_have_attribute("aria-live", "polite")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")  # still the page's section, still polling
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "40")
    assert_accessible(page)
    # Reachable again: the next poll answers, and the note goes.
    connections.update(api_base_url=reachable)
    Activity.objects.filter(activity_id=Job.objects.get(pk=site.running_job).activity_id).update(percent_done=70)
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "70")
    expect(note).to_have_text("")


def test_home_of_an_empty_account(page: Page, connected: Connected) -> None:
    # The home page's other state, first steps and empty panels (the "home" visit above has data).
    check(page, Visit("/"))
