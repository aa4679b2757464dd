"""The long-term training mechanism: TrainingPlan, Assignment, Cohort, OfflineSession, Attendance, Instructor."""
