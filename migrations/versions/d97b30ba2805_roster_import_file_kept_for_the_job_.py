"""Roster import: the uploaded file kept on its row while it waits for a job worker

Revision ID: d97b30ba2805
Revises: d36e804ade51
Create Date: 2026-12-03 14:46:09.965799

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd97b30ba2805'
down_revision = 'd36e804ade51'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('roster_import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('roster_import_jobs', schema=None) as batch_op:
        batch_op.drop_column('source')
