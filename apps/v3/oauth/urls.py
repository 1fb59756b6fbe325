"""Routes of the authorization server: Constant Contact's paths, so clients change only the host."""

from __future__ import annotations

from django.urls import path

from apps.v3.oauth import views

# DOT's application views reverse "oauth2_provider:list" and ":detail", so this is the namespace.
app_name = "oauth2_provider"

urlpatterns = [
    path("oauth2/default/v1/authorize", views.AuthorizeView.as_view(), name="authorize"),
    path("oauth2/default/v1/token", views.TokenView.as_view(), name="token"),
    path("oauth2/default/v1/revoke", views.RevokeView.as_view(), name="revoke"),
    path("oauth2/default/v1/introspect", views.IntrospectView.as_view(), name="introspect"),
    path("oauth2/default/v1/keys", views.jwks_view, name="keys"),
    path("oauth2/login/", views.LoginView.as_view(), name="login"),
    path("oauth2/logout/", views.LogoutView.as_view(), name="logout"),
    path("partners/oauth2/default/v1/token", views.PartnerTokenView.as_view(), name="partner-token"),
    path("developer/applications/", views.ApplicationList.as_view(), name="list"),
    path("developer/applications/register/", views.ApplicationRegistration.as_view(), name="register"),
    path("developer/applications/<int:pk>/", views.ApplicationDetail.as_view(), name="detail"),
    path("developer/applications/<int:pk>/edit/", views.ApplicationUpdate.as_view(), name="update"),
    path("developer/applications/<int:pk>/delete/", views.ApplicationDelete.as_view(), name="delete"),
]
