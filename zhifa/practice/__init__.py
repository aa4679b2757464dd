"""The mobile classroom's practice: ReviewCard (FSRS), ReviewLog, daily practice, the mistakes book, mastery."""
