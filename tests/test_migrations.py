"""A fresh database reaches the current schema with the committed migrations, and the models
and migrations agree (autogenerate finds nothing to do)."""
import tempfile

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp import create_app
from webapp.extensions import db

from tests.conftest import TEST_DB


def test_migrations_build_exactly_the_models(request):
    if TEST_DB == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database("migration_check")
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='hotline-migrations-')}/fresh.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()
