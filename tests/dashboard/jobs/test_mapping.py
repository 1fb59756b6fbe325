"""The wizard's second and third steps without JavaScript: the preview button, going back, SMS numbers."""

from __future__ import annotations

from django.urls import reverse

from tests.dashboard.conftest import Connected

from .conftest import csv_bytes, make_custom_field, make_list, selected, token_of, upload


def test_the_preview_button_and_going_back_keep_the_choice(connected: Connected) -> None:
    make_custom_field(connected.account, "Favourite colour")
    pages = connected.pages()
    rows = [["ann@example.com", "Ann", "blue", "+1 555 0100"], ["bo@example.com", "Bo", "red", ""]]
    token = token_of(upload(pages, "crm.csv", csv_bytes(["Email", "Name", "Favourite colour", "Tel"], rows)))
    map_url = reverse("jobs:import-map", args=[token])
    html = pages.get(map_url).content.decode()
    assert [selected(html, i) for i in range(4)] == ["email", "", "cf:favourite_colour", "phone"]
    assert "Favourite colour</option>" in html  # custom fields are read from the account

    chosen = {"column_0": "email", "column_1": "first_name", "column_2": "cf:favourite_colour", "column_3": ""}
    page = pages.post(map_url, {**chosen, "action": "preview"})
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html  # the whole page again, with the new preview
    assert '<th scope="col">First name</th>' in html and "<td>Ann</td>" in html
    assert selected(html, 1) == "first_name" and selected(html, 3) == ""

    assert pages.post(map_url, {**chosen, "action": "continue"}).status_code == 302
    start = pages.get(reverse("jobs:import-start", args=[token])).content.decode()
    assert "<dt>Name</dt><dd>First name</dd>" in start and "<dd>Favourite colour</dd>" in start
    assert "This account has no lists yet" in start
    # Back at step 2 the saved choice is shown, not the automatic one.
    html = pages.get(map_url).content.decode()
    assert [selected(html, i) for i in range(4)] == ["email", "first_name", "cf:favourite_colour", ""]
    pages.post(reverse("jobs:import-cancel", args=[token]))


def test_sms_numbers_need_a_permission_and_explicit_needs_a_consent_date(connected: Connected) -> None:
    crew = make_list(connected.account, "Crew")
    pages = connected.pages()
    rows = [["ann@example.com", "2025550100"]]
    token = token_of(upload(pages, "sms.csv", csv_bytes(["Email", "SMS number"], rows)))
    pages.post(
        reverse("jobs:import-map", args=[token]), {"column_0": "email", "column_1": "sms_number", "action": "continue"}
    )
    start_url = reverse("jobs:import-start", args=[token])
    assert "Permission to send text messages" in pages.get(start_url).content.decode()
    lists = {"list_ids": [str(crew.list_id)]}
    missing = pages.post(start_url, lists)
    assert missing.status_code == 400 and "Say whether these contacts agreed" in missing.content.decode()
    explicit = pages.post(start_url, {**lists, "sms_permission_to_send": "explicit"})
    assert explicit.status_code == 400 and "needs an SMS consent date column" in explicit.content.decode()
    pages.post(reverse("jobs:import-cancel", args=[token]))
