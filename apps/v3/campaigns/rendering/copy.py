"""One recipient's copy of an activity, prepared once per activity and filled in per contact.

``Renderer`` does the expensive work once: CSS inlined (css-inline), the HTML's http(s) links
numbered as the activity's ``TrackedUrl`` rows, the footer, the text part, and every part
compiled to a ``str.format_map`` pattern. ``copies`` then costs one signed token, one query for
the batch's custom field values, and a few formatting calls per contact.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import css_inline
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.v3.campaigns.models import ActivityRole, CampaignActivity, TrackedUrl
from apps.v3.campaigns.rendering.merge import TAG, TRACKING_IMAGE, Compiler, custom_names_used, literal
from apps.v3.campaigns.rendering.text import html_to_text
from apps.v3.campaigns.tracking.links import make_token
from apps.v3.contacts.models import Contact, CustomField, CustomFieldValue

# A copy's links point at the public pages through the recipient's token, written {t} in the patterns.
_TOKEN = "{t}"  # noqa: S105 - a format slot, not a secret
UNSUBSCRIBE_POST = "List-Unsubscribe=One-Click"

# The scanners: links of the HTML (attribute values as css-inline writes them, always double-quoted),
# bare links of the text, and merge tags. A link carrying a merge tag is personal and stays untracked.
_HTML_SCAN = re.compile(
    r'(?P<href>\bhref\s*=\s*")(?P<url>https?://[^"\[\]]*)(?=")|' + TAG,
    re.IGNORECASE,
)
# A text link runs to the next space, merge tags (which may hold quoted spaces) included, and does
# not end in sentence punctuation.
_TEXT_TAG = r"\[\[[^\[\]]*\]\]"
_TEXT_SCAN = re.compile(
    rf"(?P<url>https?://(?:{_TEXT_TAG}|[^\s<>\"\[])*(?:{_TEXT_TAG}|[^\s<>\"\[.,;:!?)']))|" + TAG, re.IGNORECASE
)
_TAG_SCAN = re.compile(TAG, re.IGNORECASE)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)

# Rules are inlined for clients that drop <style>; @media and other at-rules cannot be, so they stay
# in a <style> for the clients that honour them. A copy never fetches a remote style sheet.
# (css-inline 0.17's type stub omits keep_at_rules, which its CSSInliner takes.)
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)  # type: ignore[call-arg]
# At-rules without a block (@import, @charset, @namespace) are dropped before inlining: css-inline
# 0.17 keeps only their name, fusing it with the next rule ("@import@media ..."), which makes clients
# discard the whole sheet; and a copy's remote @import is never fetched, nor honoured by most clients.
_STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style\s*>)", re.IGNORECASE | re.DOTALL)
_BLOCKLESS_AT_RULE = re.compile(r"@(?:import|charset|namespace)\b[^;{}]*;", re.IGNORECASE)


def _inline(markup: str) -> str:
    """``markup`` with its CSS inlined, at-rules kept in a <style>."""
    cleaned = _STYLE_ELEMENT.sub(lambda m: m.group(1) + _BLOCKLESS_AT_RULE.sub("", m.group(2)) + m.group(3), markup)
    return _INLINER.inline(cleaned)


@dataclass(frozen=True)
class Copy:
    """What one recipient is mailed."""

    subject: str
    html: str
    text: str
    headers: dict[str, str]


def public_url(name: str, *args: Any) -> str:
    """The absolute URL of a public mail page (``v3-mail``), with ``{t}`` where the token goes."""
    path = reverse(f"v3-mail:{name}", args=["TOKEN", *args])
    return literal(settings.SITE_URL + path).replace("TOKEN", _TOKEN)


def _in_href(markup: str, at: int) -> bool:
    """Whether position ``at`` of serialized HTML is inside an ``href="..."`` value."""
    start = markup.rfind('href="', 0, at)
    return start != -1 and '"' not in markup[start + len('href="') : at]


def _pixel() -> str:
    """The open pixel's tag (a pattern: the token is filled in per contact)."""
    return (
        f'<img src="{public_url("open")}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px">'
    )


def footer_address(activity: CampaignActivity) -> list[str]:
    """The footer's address lines: the activity's ``physical_address_in_footer``, else the account's."""
    address = activity.physical_address_in_footer
    account = activity.campaign.account
    if not address:
        saved = getattr(account, "physical_address", None)
        if saved is None:
            return [account.organization_name] if account.organization_name else []
        address = {
            "organization_name": account.organization_name,
            **{
                key: getattr(saved, key)
                for key in ("address_line1", "address_line2", "address_line3", "city", "state_code")
                + ("state_name", "postal_code", "country_code")
            },
        }
    state = address.get("state_code") or address.get("state_name") or address.get("state_non_us_name") or ""
    locality = " ".join(part for part in (", ".join(p for p in (address.get("city"), state) if p),) if part)
    locality = " ".join(p for p in (locality, address.get("postal_code") or "") if p)
    lines = [
        address.get("organization_name") or "",
        address.get("address_line1") or "",
        address.get("address_line2") or "",
        address.get("address_line3") or "",
        address.get("address_optional") or "",
        locality,
        address.get("country_name") or address.get("country_code") or "",
    ]
    return [line for line in lines if line]


class Renderer:
    """Prepares ``activity`` once; ``copies`` fills it in for each contact of a batch.

    ``subject`` replaces the activity's (an A/B test's B subject, a resend's). Untracked copies
    (test sends, previews, the permalink) keep their links as written, carry no open pixel, and
    their footer links point nowhere: they are no recipient's. ``personal=False`` leaves merge
    tags as written.
    """

    def __init__(
        self, activity: CampaignActivity, *, subject: str | None = None, tracked: bool = True, personal: bool = True
    ) -> None:
        self.activity = activity
        self.tracked = tracked
        # False for test sends, which the spec says process no contact or custom field variables:
        # the tags stay as written (docs/decisions/campaigns.md#test-sends).
        self.personal = personal
        self.account_id: int = activity.campaign.account_id
        properties = activity.document_properties or {}
        raw_html = activity.html_content or "<html><body></body></html>"
        raw_text = properties.get("text_content") or ""
        raw_subject = activity.subject if subject is None else subject

        # Custom fields the tags name, by lower-cased name; the account's others are never loaded.
        wanted = custom_names_used(raw_html, raw_text, raw_subject)
        fields = CustomField.objects.filter(account_id=self.account_id) if wanted else CustomField.objects.none()
        self.custom_fields: dict[int, str] = {f.pk: f.name.lower() for f in fields if f.name.lower() in wanted}
        custom_names = set(self.custom_fields.values())

        inlined = _inline(raw_html)
        text_source = raw_text or html_to_text(inlined)
        self.urls = self._url_ids(inlined, text_source) if tracked else {}

        self.compiler = Compiler()
        pixel = _pixel() if tracked else ""
        html_pattern = self._compile(inlined, _HTML_SCAN, escape=True, names=custom_names, pixel=pixel)
        self.forward_name = properties.get("forward_email_link_name") or "Forward this email"
        top_html, top_text = self._top(activity, properties)
        html_pattern = self._after_body_opens(html_pattern, self._preheader(activity.preheader) + top_html)
        self.html = self._with_html_footer(html_pattern, footer_address(activity), has_pixel=pixel != "")
        text_pattern = self._compile(text_source, _TEXT_SCAN, escape=False, names=custom_names, pixel="")
        self.text = top_text + text_pattern + self._text_footer(footer_address(activity))
        self.subject = self._compile(raw_subject, None, escape=False, names=custom_names, pixel="")
        self.unsubscribe = public_url("unsubscribe")

    # Preparation ----------------------------------------------------------------------------

    def _url_ids(self, inlined: str, text: str) -> dict[str, int]:
        """Each tracked link's ``url_id``: the activity's rows, new links numbered after them, stored once."""
        found: list[str] = []
        for match in _HTML_SCAN.finditer(inlined):
            if match.group("url"):
                found.append(html.unescape(match.group("url")))
        found.extend(m.group("url") for m in _TEXT_SCAN.finditer(text) if m.group("url") and "[[" not in m.group("url"))
        ordered = list(dict.fromkeys(found))
        if not ordered:
            return {}
        for _attempt in range(3):
            known = dict(TrackedUrl.objects.filter(activity=self.activity).values_list("url", "url_id"))
            missing = [url for url in ordered if url not in known]
            if not missing:
                return {url: known[url] for url in ordered}
            start = max(known.values(), default=0) + 1
            rows = [TrackedUrl(activity=self.activity, url_id=start + i, url=url) for i, url in enumerate(missing)]
            try:
                # Two workers preparing one activity at once number the same links alike; if
                # another numbered different links first, the next round takes ids after theirs.
                with transaction.atomic():
                    TrackedUrl.objects.bulk_create(rows)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not number the links of activity {self.activity.pk}")

    def _compile(
        self,
        source: str,
        scanner: re.Pattern[str] | None,
        *,
        escape: bool,
        names: set[str],
        pixel: str,
        in_url: bool = False,
    ) -> str:
        """``source`` as a format pattern: literals escaped, links tracked, tags as slots.

        A tag inside a link's address (an HTML ``href``, a personal link of the text) is filled in
        percent-encoded, so that "Ben & Jerry's" stays one query value.
        """
        out: list[str] = []
        position = 0
        for match in (scanner or _TAG_SCAN).finditer(source):
            out.append(literal(source[position : match.start()]))
            position = match.end()
            url = match.groupdict().get("url")
            if url is not None:
                real = html.unescape(url) if escape else url
                prefix = match.group("href") if match.groupdict().get("href") else ""
                if real in self.urls:
                    out.append(literal(prefix) + public_url("click", self.urls[real]))
                elif "[[" in url:  # a personal link of the text part: its tags filled in, not tracked
                    out.append(self._compile(url, None, escape=escape, names=names, pixel="", in_url=True))
                else:
                    out.append(literal(match.group(0)))
                continue
            if match.group("name").lower() == TRACKING_IMAGE:
                out.append(pixel)
                continue
            piece = None
            if self.personal:
                linked = in_url or (escape and _in_href(source, match.start()))
                piece = self.compiler.tag(match, escape=escape, custom_names=names, in_url=linked)
            out.append(literal(match.group(0)) if piece is None else piece)
        out.append(literal(source[position:]))
        return "".join(out)

    @staticmethod
    def _preheader(preheader: str) -> str:
        """The preheader as hidden text: clients show the body's first text after the subject."""
        if not preheader:
            return ""
        return (
            '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all" aria-hidden="true">'
            f"{literal(html.escape(preheader))}</div>"
        )

    @staticmethod
    def _top(activity: CampaignActivity, properties: dict[str, Any]) -> tuple[str, str]:
        """Format types 1 and 2: the permission reminder and the view-as-web-page line, when enabled.

        The spec's ``document_properties`` flags are the strings "true"/"false"; the web page is
        the campaign's permalink (docs/decisions/campaigns.md#footer).
        """
        if activity.format_type not in (1, 2):
            return "", ""

        def enabled(name: str) -> bool:
            return str(properties.get(name, "")).strip().lower() == "true"

        html_lines: list[str] = []
        text_lines: list[str] = []
        reminder = properties.get("permission_reminder") or ""
        if enabled("permission_reminder_enabled") and reminder:
            html_lines.append(html.escape(reminder))
            text_lines.append(reminder)
        if enabled("view_as_webpage_enabled"):
            page = (
                CampaignActivity.objects.filter(campaign_id=activity.campaign_id, role=ActivityRole.PERMALINK)
                .values_list("campaign_activity_id", flat=True)
                .first()
            )
            if page is not None:
                url = settings.SITE_URL + reverse("v3-mail:permalink", args=[page])
                before = properties.get("view_as_webpage_text") or ""
                name = properties.get("view_as_webpage_link_name") or "View as web page"
                html_lines.append(f'{html.escape(before)} <a href="{html.escape(url)}">{html.escape(name)}</a>'.strip())
                text_lines.append(f"{before} {name}: {url}".strip())
        if not html_lines:
            return "", ""
        block = "".join(
            f'<p style="font-family:Arial,Helvetica,sans-serif;font-size:12px;color:#5d5d5d;margin:0 0 8px">{line}</p>'
            for line in html_lines
        )
        return literal(f'<div class="ctct-header" style="padding:8px">{block}</div>'), literal(
            "\n".join(text_lines) + "\n\n"
        )

    @staticmethod
    def _after_body_opens(pattern: str, piece: str) -> str:
        if not piece:
            return pattern
        opening = _BODY_OPEN.search(pattern)
        at = opening.end() if opening else 0
        return pattern[:at] + piece + pattern[at:]

    def _links(self) -> tuple[str, str]:
        if not self.tracked:
            return "#", "#"
        return public_url("unsubscribe"), public_url("forward")

    def _with_html_footer(self, pattern: str, address: list[str], *, has_pixel: bool) -> str:
        unsubscribe, forward = self._links()
        lines = "<br>".join(literal(html.escape(line)) for line in address)
        footer = (
            '<div class="ctct-footer" style="font-family:Arial,Helvetica,sans-serif;font-size:12px;'
            'line-height:1.5;color:#5d5d5d;text-align:center;padding:16px 8px">'
            f'<p style="margin:0 0 8px">{lines}</p>'
            f'<p style="margin:0"><a href="{unsubscribe}" style="color:#5d5d5d">Unsubscribe</a>'
            f' | <a href="{forward}" style="color:#5d5d5d">{literal(html.escape(self.forward_name))}</a></p>'
        )
        if self.tracked and not has_pixel:
            footer += _pixel()
        footer += "</div>"
        closings = list(_BODY_CLOSE.finditer(pattern))
        at = closings[-1].start() if closings else len(pattern)
        return pattern[:at] + footer + pattern[at:]

    def _text_footer(self, address: list[str]) -> str:
        if not self.tracked:
            return "\n\n--\n" + literal("\n".join(address))
        unsubscribe, forward = self._links()
        return (
            "\n\n--\n"
            + literal("\n".join(address))
            + f"\n\nUnsubscribe: {unsubscribe}\n{literal(self.forward_name)}: {forward}\n"
        )

    # Per contact ----------------------------------------------------------------------------

    def _custom_values(self, contacts: Sequence[Contact]) -> dict[int, dict[str, str]]:
        """The batch's values of the custom fields the tags name, in one query."""
        if not self.custom_fields:
            return {}
        pks = [contact.pk for contact in contacts if contact.pk is not None]
        values: dict[int, dict[str, str]] = {}
        rows = CustomFieldValue.objects.filter(contact_id__in=pks, custom_field_id__in=list(self.custom_fields))
        for contact_id, field_id, value in rows.values_list("contact_id", "custom_field_id", "value"):
            values.setdefault(contact_id, {})[self.custom_fields[field_id]] = value
        return values

    def copies(self, contacts: Sequence[Contact]) -> list[Copy]:
        """One copy per contact, in the same order."""
        custom = self._custom_values(contacts)
        html_pattern, text_pattern, subject_pattern = self.html, self.text, self.subject
        unsubscribe = self.unsubscribe
        out: list[Copy] = []
        for contact in contacts:
            values = self.compiler.values(contact, custom.get(contact.pk, {}))
            headers: dict[str, str] = {}
            if self.tracked:
                token = make_token(self.account_id, self.activity.pk, contact.pk)
                values["t"] = token
                headers = {
                    "List-Unsubscribe": "<" + unsubscribe.format(t=token) + ">",
                    "List-Unsubscribe-Post": UNSUBSCRIBE_POST,
                    # Lets a delivery report be matched to its activity and contact (ingest_bounces).
                    "X-CTCT-Send": token,
                }
            out.append(
                Copy(
                    subject=subject_pattern.format_map(values),
                    html=html_pattern.format_map(values),
                    text=text_pattern.format_map(values),
                    headers=headers,
                )
            )
        return out
