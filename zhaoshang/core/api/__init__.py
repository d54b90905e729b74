"""The REST API's shared pieces: error envelope, cursor pagination, scope permission, masking,
access events and the OpenAPI schema. Each app's endpoints live in its own `api.py`; `urls.py`
here assembles them under /api/v1/ with the schema at /api/schema/ and the docs at /api/docs/.
"""
