"""Content revisions are chained: each names the revision it follows, and a revision has one
successor (two nodes publishing over the same version at once: the second conflicts)

Revision ID: e5c1a7d3b9f2
Revises: 5e1a7c93b2d4
Create Date: 2026-12-03 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c1a7d3b9f2'
down_revision = '5e1a7c93b2d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_content_revisions_previous_id'), ['previous_id'])
        batch_op.create_foreign_key(batch_op.f('fk_content_revisions_previous_id_content_revisions'),
                                    'content_revisions', ['previous_id'], ['id'])


def downgrade():
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_content_revisions_previous_id_content_revisions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_content_revisions_previous_id'), type_='unique')
        batch_op.drop_column('previous_id')
