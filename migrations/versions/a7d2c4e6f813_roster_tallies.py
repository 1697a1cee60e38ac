"""roster tallies: the roster's counts per department, post and state, kept by each write

Revision ID: a7d2c4e6f813
Revises: 5c0a7e3d9b21
Create Date: 2026-12-03 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d2c4e6f813'
down_revision = '5c0a7e3d9b21'
branch_labels = None
depends_on = None


def upgrade():
    # Empty: the hourly job (hr.roster_tallies) counts them the first time; until then the
    # roster computes its figures from the assignments.
    op.create_table('roster_tally_days',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_tally_days'))
    )
    op.create_table('roster_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('post_id', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('issued_month', sa.Date(), nullable=True),
    sa.Column('expires_month', sa.Date(), nullable=True),
    sa.Column('assignments', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_tallies'))
    )
    op.create_index('ix_roster_tallies_department_post_id', 'roster_tallies', ['department', 'post_id'], unique=False)


def downgrade():
    op.drop_index('ix_roster_tallies_department_post_id', table_name='roster_tallies')
    op.drop_table('roster_tallies')
    op.drop_table('roster_tally_days')
