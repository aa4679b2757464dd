from zhifa.common.access_matrix import console, only

CASES = {
    "reports:dashboard": console(),
    "reports:officers": console(query="?figure=hours_behind"),
    # Without a knowledge point the cell does not exist: 404 for everyone, the login page for the citizen.
    "reports:weak": only({}),
    # Somebody else's (or no) recommendation: 404 for everyone.
    "reports:follow": only({}, kwargs={"recommendation_id": 999999}),
}
