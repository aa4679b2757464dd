from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "zhifa.exams"
    label = "exams"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from zhifa.exams import queries, services
        from zhifa.exams.models import Exam, ExamPaper
        from zhifa.people.models import Audience

        # This worker forgets its cached admission facts of an exam the moment it changes the exam (the others
        # within queries.ADMISSION_TTL).
        for signal in (post_save, post_delete):
            signal.connect(queries.admission_forget, sender=Exam, dispatch_uid="exams-admission-exam")
            signal.connect(queries.admission_forget, sender=ExamPaper, dispatch_uid="exams-admission-paper")
            signal.connect(services.paper_forget, sender=ExamPaper, dispatch_uid="exams-paper-questions")
        # An audience's rules changed: this worker forgets every cached admission (audiences are shared, and a
        # change is rare; the admission is re-read on the next start).
        post_save.connect(queries.admission_forget_all, sender=Audience, dispatch_uid="exams-admission-audience")
        for name in ("units", "domains", "include", "exclude"):
            through = getattr(Audience, name).through
            m2m_changed.connect(queries.admission_forget_all, sender=through, dispatch_uid=f"exams-audience-{name}")
