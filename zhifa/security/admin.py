"""三员分立: second-factor devices are reset by the security administrator (/security/manage/, audited), so Django
admin — the system administrator's tool — does not offer django-otp's device pages."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
