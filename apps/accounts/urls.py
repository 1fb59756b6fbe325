"""Routes of the accounts pages (under /accounts/, beside allauth's login, logout and provider)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("workspaces/", views.workspace_list, name="workspace-list"),
    path("workspaces/new/", views.workspace_create, name="workspace-create"),
    path("workspaces/<int:pk>/", views.workspace_detail, name="workspace-detail"),
    path("workspaces/<int:pk>/members/", views.member_add, name="member-add"),
    path("workspaces/<int:pk>/members/<int:member_pk>/role/", views.member_role, name="member-role"),
    path("workspaces/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path(
        "workspaces/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("workspaces/<int:pk>/connections/new/", views.connection_add, name="connection-add"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("connections/<int:pk>/", views.connection_detail, name="connection-detail"),
    path("connections/<int:pk>/switch/", views.connection_switch, name="connection-switch"),
    path("connections/<int:pk>/remove/", views.connection_remove, name="connection-remove"),
    path("reconnect/<int:pk>/", views.reconnect, name="reconnect"),
]
