"""Notices: one notification mechanism (in-app bell, e-mail, SMS / 政务钉钉 / 企业微信 adapters) and each user's choice of channels."""
