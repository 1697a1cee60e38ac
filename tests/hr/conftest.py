from tests.certification.conftest import posts, records, today  # noqa: F401 - shared fixtures
