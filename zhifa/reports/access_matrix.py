from zhifa.common.access_matrix import console, only

CASES = {
    "reports:dashboard": console(),
    "reports:officers": console(query="?figure=hours_behind"),
    # Without a knowledge point the cell does not exist: 404 for everyone, the login page for the citizen.
    "reports:weak": only({}),
    # POST only (a GET is 405 for everyone logged in); who may plan is the plans service's check (tests).
    "reports:weak-to-plan": only({}, others=405),
    # Somebody else's (or no) export: 404 for everyone.
    "reports:export-job": only({}, kwargs={"job_id": 999999}),
    # Somebody else's (or no) recommendation: 404 for everyone.
    "reports:follow": only({}, kwargs={"recommendation_id": 999999}),
}
