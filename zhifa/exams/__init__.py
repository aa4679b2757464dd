"""Online exams (在线测试): Blueprint, Exam, ExamPaper, Attempt, Answer; assembly, grading, item analysis."""
