"""Email Reporting: tracking pages of an activity, its link stats, campaign summaries and stats.

Every handler first folds what is new into the rollups (one bounded batch, see
apps/v3/reporting/rollups/catchup.py), then reads rollups for counts and the event rows, by keyset,
for the tracking pages.
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.campaigns.models import EventKind
from apps.v3.contract import operation_by_id
from apps.v3.gate.errors import bad_request, not_found
from apps.v3.http.paging import next_link, query_of
from apps.v3.reporting.endpoints.base import ReportingView
from apps.v3.reporting.serializers import email_reporting as shapes
from apps.v3.reporting.services import email_reporting as service

TRACKING_MAX = 500


class _TrackingView(ReportingView):
    """One tracking page of an activity; subclasses name the rows."""

    def page(self, request: Request, campaign_activity_id: str) -> tuple[Any, Any, dict[str, Any]]:
        activity_uuid = self.path_id("campaign_activity_id", campaign_activity_id)
        query = self.query()
        limit = service.check_limit(query.get("limit"), TRACKING_MAX, TRACKING_MAX)
        service.refreshed()
        activity = service.find_activity(self.account, activity_uuid)
        return activity, query, {"limit": limit, "cursor": query.get("cursor")}

    def respond(self, request: Request, rows: list[dict[str, Any]], cursor: str | None) -> Response:
        return Response(shapes.tracking_page(rows, next_link(request.path, query_of(request), cursor)))


class SendsView(_TrackingView):
    operation_ids = {"get": "getSends"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity, _, paging = self.page(request, campaign_activity_id)
        page = service.sends_page(activity, paging["limit"], paging["cursor"])
        return self.respond(request, [shapes.send_row(activity, s, "em_sends") for s in page.rows], page.next_cursor)


class DidNotOpensView(_TrackingView):
    operation_ids = {"get": "getDidNotOpens"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity, _, paging = self.page(request, campaign_activity_id)
        page = service.did_not_open_page(activity, paging["limit"], paging["cursor"])
        rows = [shapes.did_not_open_row(activity, r) for r in page.rows]
        return self.respond(request, rows, page.next_cursor)


class UniqueOpensView(_TrackingView):
    operation_ids = {"get": "getUniqueOpens"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity, _, paging = self.page(request, campaign_activity_id)
        page = service.unique_opens_page(activity, paging["limit"], paging["cursor"])
        return self.respond(request, [shapes.unique_open_row(activity, r) for r in page.rows], page.next_cursor)


class _EventsView(_TrackingView):
    kind: str = ""

    def filters(self, query: dict[str, Any]) -> dict[str, Any]:
        return {}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity, query, paging = self.page(request, campaign_activity_id)
        page = service.event_page(activity, self.kind, paging["limit"], paging["cursor"], **self.filters(query))
        return self.respond(request, [shapes.event_row(activity, e) for e in page.rows], page.next_cursor)


class OpensView(_EventsView):
    operation_ids = {"get": "getOpens"}
    kind = EventKind.OPEN


class ClicksView(_EventsView):
    operation_ids = {"get": "getClicks"}
    kind = EventKind.CLICK

    def filters(self, query: dict[str, Any]) -> dict[str, Any]:
        return {"url__url_id": query["url_id"]} if "url_id" in query else {}


class ForwardsView(_EventsView):
    operation_ids = {"get": "getForwards"}
    kind = EventKind.FORWARD


class OptoutsView(_EventsView):
    operation_ids = {"get": "getOptouts"}
    kind = EventKind.OPTOUT


class BouncesView(_EventsView):
    operation_ids = {"get": "getBounces"}
    kind = EventKind.BOUNCE

    def filters(self, query: dict[str, Any]) -> dict[str, Any]:
        # A repeatable parameter (collectionFormat multi): every bounce_code=... of the query, each checked.
        codes = self.request.query_params.getlist("bounce_code")
        if not codes:
            return {}
        declared = next(p for p in operation_by_id(self.operation_id).parameters if p["name"] == "bounce_code")
        allowed = declared["items"]["enum"]
        unknown = [code for code in codes if code not in allowed]
        if unknown:
            raise bad_request(f"bounce_code: {', '.join(unknown)} is not one of {', '.join(allowed)}")
        return {"bounce_code__in": codes}


class LinksView(ReportingView):
    operation_ids = {"get": "getCampaignActivityLinkStats"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity_uuid = self.path_id("campaign_activity_id", campaign_activity_id)
        query = self.query()
        service.refreshed()
        activity = service.find_activity(self.account, activity_uuid)
        links = service.link_stats(activity, no_clicks=bool(query.get("no_clicks")))
        counts = [
            {"link_url": link.url, "url_id": str(link.url_id), "unique_clicks": clickers} for link, clickers in links
        ]
        return Response({"campaign_activity_id": str(activity.campaign_activity_id), "link_click_counts": counts})


class CampaignSummariesView(ReportingView):
    operation_ids = {"get": "getAllBulkEmailCampaignSummaries"}

    def get(self, request: Request) -> Response:
        query = self.query()
        limit = service.check_limit(query.get("limit"), 50, service.SUMMARIES_MAX)
        service.refreshed()
        page, cursor = service.summaries_page(self.account, limit, query.get("cursor"))
        by_campaign = service.activities_of(c for c, _ in page)
        counts = service.counters(pk for pks in by_campaign.values() for pk in pks)
        summaries, everything = [], []
        for campaign, last in page:
            own = [counts.get(pk, {}) for pk in by_campaign.get(campaign.pk, [])]
            everything += own
            summaries.append(
                {
                    "campaign_id": str(campaign.campaign_id),
                    "campaign_type": campaign.type,
                    "last_sent_date": shapes.when(last),
                    "unique_counts": service.unique_counts(own),
                }
            )
        # Aggregate percents over this page's campaigns (docs/decisions/reporting.md#formulas).
        aggregate = service.percents(service.activity_stats(everything, per_code=False))
        keep = ("click", "open", "did_not_open", "bounce", "unsubscribe")
        return Response(
            {
                "bulk_email_campaign_summaries": summaries,
                "aggregate_percents": {k: aggregate[k] for k in keep},
                "_links": next_link(request.path, query_of(request), cursor),
            }
        )


class CampaignStatsView(ReportingView):
    operation_ids = {"get": "getEmailSummary"}

    def get(self, request: Request, campaign_ids: str) -> Response:
        ids = _path_ids(self, "campaign_ids", campaign_ids)
        refreshed = service.refreshed()
        campaigns = service.campaigns_by_ids(self.account, ids)
        by_campaign = service.activities_of(campaigns)
        counts = service.counters(pk for pks in by_campaign.values() for pk in pks)
        results = []
        for campaign in campaigns:
            stats = service.activity_stats(
                [counts.get(pk, {}) for pk in by_campaign.get(campaign.pk, [])], per_code=False
            )
            results.append(
                {
                    "campaign_id": str(campaign.campaign_id),
                    "stats": stats,
                    "percents": service.percents(stats),
                    "last_refresh_time": shapes.when(refreshed),
                }
            )
        return Response({"results": results, "errors": []})


class ActivityStatsView(ReportingView):
    operation_ids = {"get": "getEmailCampaignActivitySummary"}

    def get(self, request: Request, campaign_activity_ids: str) -> Response:
        ids = _path_ids(self, "campaign_activity_ids", campaign_activity_ids)
        refreshed = service.refreshed()
        found = {
            a.campaign_activity_id: a
            for a in service.reported_activities(self.account)
            .filter(campaign_activity_id__in=ids)
            .select_related("campaign")
        }
        counts = service.counters(a.pk for a in found.values())
        results, errors = [], []
        for activity_id in dict.fromkeys(ids):
            activity = found.get(activity_id)
            if activity is None or activity.pk not in counts:
                # Unknown, removed, not a reported activity, or never sent (no counter yet): named
                # under errors while the rest are still answered (the spec).
                errors.append(
                    {
                        "error_key": "reporting.campaign_activity.not_found",
                        "error_message": f"No stats for {activity_id}.",
                    }
                )
                continue
            results.append(
                {
                    "campaign_id": str(activity.campaign.campaign_id),
                    "campaign_activity_id": str(activity.campaign_activity_id),
                    "stats": service.activity_stats([counts.get(activity.pk, {})], per_code=True),
                    "last_refresh_time": shapes.when(refreshed),
                }
            )
        return Response({"results": results, "errors": errors})


def _path_ids(view: ReportingView, name: str, raw: str) -> list[Any]:
    """A comma-separated id list of the path: at most the spec's ``maximum`` (a count, SPEC-NOTES); a malformed
    id is a 404 for the whole call, as both stats operations state."""
    declared = next(p for p in operation_by_id(view.operation_id).parameters if p["name"] == name)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise bad_request(f"{name}: at least one id")
    if len(items) > declared["maximum"]:
        raise bad_request(f"{name}: at most {declared['maximum']} ids, got {len(items)}")
    ids = []
    for item in items:
        try:
            ids.append(uuid.UUID(item))
        except ValueError:
            raise not_found(f"{name}: {item!r} is not a campaign id") from None
    return ids


# Routes under reports/email_reports/<campaign_activity_id>/ (apps/v3/urls.py).
ACTIVITY_ROUTES: dict[str, type[ReportingView]] = {
    "links": LinksView,
    "tracking/sends": SendsView,
    "tracking/opens": OpensView,
    "tracking/unique_opens": UniqueOpensView,
    "tracking/didnotopens": DidNotOpensView,
    "tracking/clicks": ClicksView,
    "tracking/forwards": ForwardsView,
    "tracking/optouts": OptoutsView,
    "tracking/bounces": BouncesView,
}
