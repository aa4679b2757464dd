"""Courses (视频课程) and micro-lessons: Course, Lesson, VideoAsset, WatchSession, LessonProgress, Certificate."""
