"""The shell around every page: the icon browsers ask for by its old name."""


def test_favicon_ico_leads_to_the_shipped_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.location.endswith("/static/favicon.svg")
    with client.get(response.location) as icon:  # a file response: close it
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
