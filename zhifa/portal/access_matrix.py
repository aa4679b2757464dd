"""Who opens the portal's pages (walked by common/tests/test_access_matrix.py)."""

from zhifa.common.access_matrix import logged_in

CASES = {
    "portal:home": logged_in(),
}
