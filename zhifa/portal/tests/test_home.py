from zhifa.people.testing import PASSWORD


def test_an_anonymous_visitor_is_sent_to_login(citizen):
    response = citizen.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_officer_logs_in_with_his_certificate_number_and_sees_his_home(client, officer):
    response = client.post("/accounts/login/", {"username": "JB00000001", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "我的学习" in page
    assert "东城区市场监督管理局" in page
