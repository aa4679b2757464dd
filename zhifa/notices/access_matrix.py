"""Who gets what on the notice pages: every logged-in user his own notices; another user's notice is 404."""

from zhifa.common.access_matrix import PERSONAS, Case, logged_in


def _notice_of_officer(world) -> dict:
    """A notice to 张明: he opens it (a redirect to its page); everyone else gets 404."""
    if "notice" not in world.extra:
        from zhifa.notices.models import Notice

        world.extra["notice"] = Notice.objects.create(
            user=world.officer.user, key="matrix:1", title="矩阵通知", url="/notices/"
        )
    return {"notice_id": world.extra["notice"].pk}


def _only_officer(status: int) -> dict[str, int]:
    expect = dict.fromkeys(PERSONAS, 404)
    expect.update(officer=status, citizen=302)
    return expect


POST_ONLY = logged_in(405, anonymous=405)

CASES = {
    "notices:list": logged_in(),
    "notices:open": Case(expect=_only_officer(302), kwargs=_notice_of_officer),
    "notices:read": Case(expect=_only_officer(302), kwargs=_notice_of_officer, method="post"),
    "notices:read-all": POST_ONLY,
    "notices:preferences": logged_in(),
}
