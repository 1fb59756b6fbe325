"""Routes of the V3 service under ``/v3/``, one include per spec tag."""

from __future__ import annotations

from django.urls import path

from .endpoints import meta

urlpatterns = [
    path("swagger.json", meta.swagger_json, name="swagger-json"),
]
