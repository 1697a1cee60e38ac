"""the roster stamp: HR's aggregates are kept per process while it does not change

Revision ID: 5c0a7e3d9b21
Revises: e5c1a7d3b9f2
Create Date: 2026-12-03 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0a7e3d9b21'
down_revision = 'e5c1a7d3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_stamps',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_stamps'))
    )


def downgrade():
    op.drop_table('roster_stamps')
