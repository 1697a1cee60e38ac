"""Users carry a session stamp: part of every session's user id, renewed to end the account's
sessions (sign-out, password change or reset, role change, deactivation)

Revision ID: c3f9a1d2e7b4
Revises: a7d2c4e6f813
Create Date: 2026-12-04 14:45:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f9a1d2e7b4'
down_revision = 'a7d2c4e6f813'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_stamp', sa.String(length=24), nullable=False, server_default=''))
    # Each account its own stamp; sessions from before the upgrade (a bare user id) then match
    # none and sign in again once.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_stamp', sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(users.c.id)).scalars().all()
    if ids:
        connection.execute(users.update().where(users.c.id == sa.bindparam('user_id')),
                           [{'user_id': user_id, 'session_stamp': secrets.token_urlsafe(12)} for user_id in ids])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_stamp', server_default=None)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_stamp')
