from .fixtures import course_app, course_client, imported  # noqa: F401
