"""Supervision and evaluation: Indicator, Period, Score, ThirdPartyReview, SatisfactionSurvey, Assessment."""
