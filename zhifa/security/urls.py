from django.urls import path

from zhifa.security import views

app_name = "security"
urlpatterns = [
    path("otp/", views.otp_verify, name="otp-verify"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("sso/oidc/login/", views.oidc_login, name="oidc-login"),
    path("sso/oidc/callback/", views.oidc_callback, name="oidc-callback"),
    path("sso/cas/login/", views.cas_login, name="cas-login"),
    path("sso/failed/", views.sso_failed, name="sso-failed"),
    path("manage/", views.security_manage, name="manage"),
    path("manage/lockouts/reset/", views.lockout_reset, name="lockout-reset"),
    path("my-data/export/", views.my_data_export, name="my-data-export"),
    path("people/<int:officer_id>/export/", views.person_export, name="person-export"),
    path("people/<int:officer_id>/erase/", views.person_erase, name="person-erase"),
    path("manage/second-factor/reset/", views.second_factor_reset, name="second-factor-reset"),
]
