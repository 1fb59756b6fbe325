"""The authorization server's pages and endpoints, at Constant Contact's own paths."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot
from oauth2_provider.models import Application
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views.introspect import IntrospectTokenView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from apps.v3.account.membership import member_account, memberships_of
from apps.v3.account.models import Account
from apps.v3.account.provisioning import DEMO_USERNAME
from apps.v3.oauth import keys
from apps.v3.oauth.forms import ConsentForm
from apps.v3.oauth.models import ApplicationAccountChoice
from apps.v3.oauth.server import PartnerServer

LOGIN_URL = "/oauth2/login/"
# The account last authorized in this sign-in session, preselected on the next consent page.
LAST_ACCOUNT_SESSION_KEY = "v3_oauth_last_account"


class LoginView(auth_views.LoginView):
    """The service's own sign-in page, shown before consent."""

    template_name = "v3/oauth/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The page, with the demo sign-in named while the service is the embedded one (``make run``)."""
        context = super().get_context_data(**kwargs)
        # Only with DEBUG on: a deployed service never advertises an account, even one named demo.
        if settings.DEBUG and get_user_model().objects.filter(username=DEMO_USERNAME).exists():
            context["demo_username"] = DEMO_USERNAME
        return context


class LogoutView(auth_views.LogoutView):
    """Sign out of the service."""

    next_page = LOGIN_URL


class AuthorizeView(dot.AuthorizationView):
    """``/oauth2/default/v1/authorize``: the consent page naming the application and each scope.

    A user with several accounts also chooses the one the authorization is for.
    """

    template_name = "v3/oauth/authorize.html"
    login_url = LOGIN_URL
    form_class = ConsentForm
    chosen_account: Account | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()
        kwargs["memberships"] = list(memberships_of(self.request.user))
        kwargs["preselected"] = self.request.session.get(LAST_ACCOUNT_SESSION_KEY, "")
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scope_items"] = list(
            zip(context.get("scopes", []), context.get("scopes_descriptions", []), strict=False)
        )
        return context

    def form_valid(self, form: ConsentForm) -> HttpResponse:
        self.chosen_account = form.cleaned_data["account"]
        if self.chosen_account is not None and form.cleaned_data.get("allow"):
            self.request.session[LAST_ACCOUNT_SESSION_KEY] = self.chosen_account.encoded_account_id
            application = Application.objects.filter(client_id=form.cleaned_data.get("client_id")).first()
            if application is not None:
                ApplicationAccountChoice.objects.update_or_create(
                    user=self.request.user, application=application, defaults={"account": self.chosen_account}
                )
        response: HttpResponse = super().form_valid(form)
        return response

    def form_invalid(self, form: ConsentForm) -> HttpResponse:
        """A tampered consent form (a forged account, missing fields) ends here, with its reasons."""
        reasons = [
            message if name == "account" else f"{name}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        error = oauth_errors.InvalidRequestFatalError(description=" ".join(reasons))
        return self.render_to_response(self.get_context_data(form=form, error=error), status=400)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request, *args, **kwargs)
        except _ConsentNeeded:
            # DOT was about to approve without the page; this user must choose the account first.
            response = self.render_to_response(self.get_context_data(**self.oauth2_data))
        return response

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> tuple[str, dict[str, str], str, int]:
        """Hand the account to oauthlib with the other credentials; it reaches the validator on the request.

        Without the consent page (``approval_prompt=auto``, or an application that skips consent)
        the account is the one this user last chose for this application; a user with several
        accounts who never chose one for it sees the page after all.
        """
        account = self.chosen_account
        if account is None:
            account = _remembered_account(request.user, credentials.get("client_id"))
        result: tuple[str, dict[str, str], str, int] = super().create_authorization_response(
            request=request, scopes=scopes, credentials={**credentials, "account": account}, allow=allow
        )
        return result


class _ConsentNeeded(Exception):
    """An approval without the consent page cannot tell which of the user's accounts it is for."""


def _remembered_account(user: Any, client_id: Any) -> Account | None:
    """The account the user chose for this application, if still theirs; their only account; or none."""
    choice = ApplicationAccountChoice.objects.filter(user=user, application__client_id=client_id).first()
    if choice is not None:
        remembered = member_account(user, choice.account.encoded_account_id)
        if remembered is not None:
            return remembered
    memberships = list(memberships_of(user)[:2])
    if len(memberships) > 1:
        raise _ConsentNeeded
    return memberships[0].account if memberships else None


class TokenView(dot.TokenView):
    """``/oauth2/default/v1/token``: code, refresh and client-credential grants."""


class RevokeView(dot.RevokeTokenView):
    """``/oauth2/default/v1/revoke`` (RFC 7009)."""


@method_decorator(csrf_exempt, name="dispatch")
class IntrospectView(View):
    """``/oauth2/default/v1/introspect`` (RFC 7662): the calling client authenticates itself."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not get_oauthlib_core().authenticate_client(request):
            return JsonResponse({"error": "invalid_client"}, status=401)
        response: HttpResponse = IntrospectTokenView.get_token_response(request.POST.get("token"))
        return response


def jwks_view(request: HttpRequest) -> JsonResponse:
    """``/oauth2/default/v1/keys``: the public keys access tokens verify against."""
    return JsonResponse(keys.jwks())


class PartnerTokenView(dot.TokenView):
    """``/partners/oauth2/default/v1/token``: one-hour partner tokens (client credentials, JWT bearer)."""

    server_class = PartnerServer


class DeveloperMixin:
    """Developer pages sign in at the service's own login page."""

    login_url = LOGIN_URL


class ApplicationList(DeveloperMixin, dot.ApplicationList):
    """The signed-in user's registered applications."""

    template_name = "v3/developer/application_list.html"


class ApplicationRegistration(DeveloperMixin, dot.ApplicationRegistration):
    """Register an application; the generated secret is shown on this form only."""

    template_name = "v3/developer/application_form.html"


class ApplicationDetail(DeveloperMixin, dot.ApplicationDetail):
    """One application: its client id (the API key), type and redirect URIs."""

    template_name = "v3/developer/application_detail.html"


class ApplicationUpdate(DeveloperMixin, dot.ApplicationUpdate):
    """Change an application's name, type or redirect URIs."""

    template_name = "v3/developer/application_form.html"


class ApplicationDelete(DeveloperMixin, dot.ApplicationDelete):
    """Delete an application after confirmation; its tokens go with it."""

    template_name = "v3/developer/application_confirm_delete.html"
