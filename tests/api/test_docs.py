"""The schema and the docs page: for staff (portal session) and integrations (key), from vendored files."""

import pytest


def test_docs_page_is_a_portal_page(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("username", ["officer1", "auditor"])
def test_signed_in_staff_read_the_docs_from_vendored_files_under_the_csp(client, org, username):
    client.force_login(org[username])
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "招商管理平台 API 文档" in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "<style" not in page and "<script>" not in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_schema_is_served_to_staff_and_to_keys_not_to_anonymous(client, officer1, make_integration):
    assert client.get("/api/schema/").status_code == 401
    client.force_login(officer1)
    schema = client.get("/api/schema/").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/projects/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    error = schema["paths"]["/api/v1/projects/{id}/"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    client.logout()
    integration = make_integration()
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Api-Key {integration.key}")
    assert response.status_code == 200


CJK = __import__("re").compile(r"[\u4e00-\u9fff]")


def _texts(node, path=""):
    """(path, text) of every title, summary and description in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "summary", "description") and isinstance(value, str) and value:
                yield f"{path}/{key}", value
            yield from _texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{path}[{index}]")


def test_the_docs_read_in_chinese_no_english_docstrings(client, officer1):
    client.force_login(officer1)
    schema = client.get("/api/schema/").json()
    assert CJK.search(schema["info"]["title"]) and CJK.search(schema["info"]["description"])
    assert all(CJK.search(tag["name"]) and CJK.search(tag["description"]) for tag in schema["tags"])
    texts = list(_texts(schema))
    assert len(texts) > 30
    english = [(where, text[:60]) for where, text in texts if not CJK.search(text)]
    assert english == []
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert operations and all(CJK.search(op.get("summary", "")) for op in operations)
    assert all(op.get("tags") and all(CJK.search(tag) for tag in op["tags"]) for op in operations)


def test_the_schema_speaks_the_readers_language(client, officer1):
    """Title, description and tags follow the reader's language, and every operation's tag is one
    the schema lists (the endpoints and the settings name them from one module)."""
    client.force_login(officer1)
    chinese = client.get("/api/schema/").json()
    english = client.get("/api/schema/", {"lang": "en"}).json()
    assert chinese["info"]["title"] == "招商管理平台 API"
    assert english["info"]["title"] == "Investment Promotion Platform API"
    assert "Api-Key" in english["info"]["description"] and "接口" not in english["info"]["description"]
    for schema, expected in ((chinese, "企业"), (english, "Enterprises")):
        listed = [tag["name"] for tag in schema["tags"]]
        assert expected in listed
        used = {tag for path in schema["paths"].values() for op in path.values() for tag in op.get("tags", [])}
        assert used and used <= set(listed)
    english_text = str(english["tags"])
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english_text)
