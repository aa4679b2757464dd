"""Notices: one notification mechanism (in-app bell, e-mail, SMS / 政务钉钉 / 企业微信) and each user's channels."""
