"""Who may open the bank's pages: authors (instructors, unit administrators, system administrators) and read-only
auditors; officers and evaluators never see the bank or an answer key (404)."""

from zhifa.common.access_matrix import logged_in, only

READERS = {"instructor": 200, "unit_admin": 200, "sysadmin": 200, "auditor": 200}
AUTHORS = {"instructor": 200, "unit_admin": 200, "sysadmin": 200, "auditor": 403}


def _question(world) -> dict:
    from zhifa.questions.tests.factories import make_question

    if "question" not in world.extra:
        world.extra["question"] = make_question("single")
    return {"question_id": world.extra["question"].pk}


def _batch(world) -> dict:
    from zhifa.questions.models import QuestionImport

    if "batch" not in world.extra:
        world.extra["batch"] = QuestionImport.objects.create(
            uploaded_by=world.instructor, filename="a.xlsx", format="xlsx", sha256="0" * 64,
            status=QuestionImport.Status.FAILED, errors=[{"row": 2, "column": "答案", "message": "示例"}],
        )  # fmt: skip
    return {"batch_id": world.extra["batch"].pk}


def _bank(world) -> dict:
    from zhifa.questions.models import QuestionBank

    if "bank" not in world.extra:
        world.extra["bank"] = QuestionBank.objects.create(name="矩阵题库")
    return {"bank_id": world.extra["bank"].pk}


CASES = {
    "questions:question-list": only(READERS),
    "questions:question-detail": only(READERS, kwargs=_question),
    "questions:question-create": only(AUTHORS),
    "questions:question-edit": only(AUTHORS, kwargs=_question),
    "questions:question-status": logged_in(405, anonymous=405, kwargs=_question),  # POST only
    "questions:question-tag": logged_in(405, anonymous=405),  # POST only
    "questions:duplicate-list": only(READERS),
    "questions:import-page": only(AUTHORS),
    "questions:import-template": only(AUTHORS),
    "questions:import-sample-docx": only(AUTHORS),
    "questions:bank-list": only(READERS),
    "questions:bank-edit": only(AUTHORS, kwargs=_bank),
    # a batch is seen by its uploader (and system administrators) only
    "questions:import-detail": only(
        {"instructor": 200, "sysadmin": 200, "unit_admin": 404, "auditor": 403}, kwargs=_batch
    ),
    "questions:question-export": only(READERS, kwargs={"fmt": "xlsx"}),
}
