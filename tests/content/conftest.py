from tests.courses.fixtures import course_app  # noqa: F401
