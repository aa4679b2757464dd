from zhifa.common.access_matrix import PERSONAS, Case, console, only

OFFICERS = {"officer": 200, "outsider": 200, "unit_admin": 200}  # unit_admin is also an officer of his bureau
AUTHORS = {"instructor": 200, "unit_admin": 200, "sysadmin": 200}

CASES = {
    "practice:home": only(OFFICERS),
    "practice:player": only(OFFICERS),
    "practice:scope": only(OFFICERS),
    "practice:mistakes": only(OFFICERS),
    "practice:mastery": only(OFFICERS),
    "practice:service-worker": Case(expect=dict.fromkeys(PERSONAS, 200)),
    "practice:heatmap": console(),
    "practice:generated-queue": only(AUTHORS),
    # POST on a question that is not a generated one: 404 for everyone (authors included), login for the citizen.
    "practice:generated-review": only({}, kwargs={"question_id": 999999}, method="post", data={"decision": "approve"}),
    "api:practice-session": only(OFFICERS, others=404, anonymous=401),
    "api:practice-reviews": only({"officer": 405, "outsider": 405, "unit_admin": 405}, others=405, anonymous=405),
}
