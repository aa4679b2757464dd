import pytest

from zhifa.questions.tests.factories import make_point, make_question


@pytest.fixture
def bank(db, org):
    """Six published practice questions (the officer's market domain and general ones) on two knowledge points."""
    procedure = make_point("行政处罚程序", code="procedure")
    ethics = make_point("廉洁自律", code="integrity")
    questions = [
        make_question("single", knowledge_points=["procedure"], difficulty=1),
        make_question("multiple", knowledge_points=["procedure"], difficulty=2),
        make_question("judge", knowledge_points=["integrity"], difficulty=1),
        make_question("blank", knowledge_points=["procedure"], difficulty=3),
        make_question("single", knowledge_points=["integrity"], domains=["market"], difficulty=2),
        make_question("single", domains=["transport"], difficulty=2),  # another domain: not in the officer's scope
    ]
    return {"questions": questions, "procedure": procedure, "ethics": ethics}
