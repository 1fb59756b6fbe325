"""Helpers for the bulk-activity tests: rows made directly, requests made through the API, and the
work of an activity run in this process.

``run`` does an activity's work with ``apps.v3.bulk.handlers.process`` (the function the Celery task
calls), so a test sees exactly what a worker would write.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.v3.account.models import Account
from apps.v3.bulk import handlers as activities
from apps.v3.bulk.models import Activity
from apps.v3.contacts.models import (
    Contact,
    ContactList,
    CustomField,
    CustomFieldChoice,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from apps.v3.contract import validate_django_response, validate_response
from tests.v3.conftest import V3Api


def make_list(account: Account, name: str) -> ContactList:
    """A live list of ``account``."""
    return ContactList.objects.create(account=account, name=name)


def make_contacts(account: Account, n: int, prefix: str = "c", **fields: Any) -> list[Contact]:
    """``n`` contacts ``{prefix}{i}@example.com`` with ``fields``."""
    return [
        Contact.objects.create(account=account, email_address=f"{prefix}{i}@example.com", **fields) for i in range(n)
    ]


def join(contacts: list[Contact], *lists: ContactList) -> None:
    """Put every contact on every list."""
    ListMembership.objects.bulk_create([ListMembership(contact=c, contact_list=lst) for c in contacts for lst in lists])


def tag(contacts: list[Contact], *tags: Tag) -> None:
    """Put every tag on every contact."""
    Tagging.objects.bulk_create([Tagging(contact=c, tag=t) for c in contacts for t in tags])


def make_field(account: Account, name: str, kind: str = "string", choices: tuple[str, ...] = ()) -> CustomField:
    """A custom field (with choices for the select types)."""
    field = CustomField.objects.create(account=account, label=name, name=name, type=kind)
    for i, label in enumerate(choices, start=1):
        CustomFieldChoice.objects.create(custom_field=field, choice_id=i, choice_label=label)
    return field


def csv_text(header: list[str], *rows: list[str]) -> str:
    """A CSV document."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def post_file(
    api: V3Api,
    content: str | bytes,
    list_ids: list[str] | str | None,
    name: str = "contacts.csv",
    **fields: str,
) -> Any:
    """``POST /activities/contacts_file_import`` as multipart/form-data; the response is checked against the spec."""
    raw = content.encode() if isinstance(content, str) else content
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, raw, content_type="text/csv"), **fields}
    if list_ids is not None:
        data["list_ids"] = list_ids
    response = api.client.post("/v3/activities/contacts_file_import", data=data)
    validate_django_response(response)
    return response


def download(api: V3Api, path: str) -> str:
    """``GET`` an export file (streamed, so checked here rather than by the client) and return its text."""
    response = api.get(path, headers={"Accept": "text/csv"}, validate=False)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode()
    validate_response("GET", "/v3" + path, 200, text, response["Content-Type"])
    return text


def created(response: Any, status: int = 201) -> Activity:
    """The activity a 201 (a single list or tag DELETE: 202) answered with, linked where GET /activities finds it."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["state"] == "initialized"
    assert body["_links"]["self"]["href"] == f"/v3/activities/{body['activity_id']}"
    return Activity.objects.get(activity_id=body["activity_id"])


def run(api: V3Api, activity: Activity) -> dict[str, Any]:
    """Do the activity's work here, as the worker would, and return ``GET /activities/{id}``."""
    activities.process(activity.pk)
    response = api.get(f"/activities/{activity.activity_id}")
    assert response.status_code == 200, response.content
    return response.json()


def email_segment(account: Account, name: str, op: str, value: str) -> Segment:
    """A segment of the contacts whose email address meets ``op value``."""
    condition = {"source": "contact", "field": "email_address", "op": op, "const_value": value}
    criteria = {"version": "1.0.0", "criteria": {"type": "and", "group": [condition]}}
    return Segment.objects.create(account=account, name=name, segment_criteria=json.dumps(criteria))


def emails(account: Account, **filters: Any) -> set[str]:
    """The email addresses of the account's contacts."""
    return set(Contact.objects.filter(account=account, **filters).values_list("email_address", flat=True))
