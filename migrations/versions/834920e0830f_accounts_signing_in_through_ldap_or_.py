"""accounts signing in through LDAP or OpenID Connect

Revision ID: 834920e0830f
Revises: 08cb748a1623
Create Date: 2026-12-03 14:35:56.674015

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '834920e0830f'
down_revision = '08cb748a1623'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing account keeps its local password.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='local', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('source')
