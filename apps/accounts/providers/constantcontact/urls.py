"""``/accounts/constantcontact/login/`` and ``.../login/callback/``."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import ConstantContactProvider

urlpatterns = default_urlpatterns(ConstantContactProvider)
