from zhifa.common.access_matrix import console, logged_in, public

CASES = {
    "people:login": logged_in(302, anonymous=200),  # a logged-in user is sent home
    "people:logout": logged_in(405, anonymous=405),  # POST only
    "people:password-change": logged_in(),
    "console:home": console(),
}
