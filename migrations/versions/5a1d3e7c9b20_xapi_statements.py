"""xAPI statements recorded for the learning record store, with their delivery state

Revision ID: 5a1d3e7c9b20
Revises: d97b30ba2805
Create Date: 2026-12-03 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1d3e7c9b20'
down_revision = 'd97b30ba2805'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_statements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verb', sa.String(length=16), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_xapi_statements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statements'))
    )
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_statements_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statements_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statements_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statements_user_id'))
        batch_op.drop_index(batch_op.f('ix_xapi_statements_state'))
        batch_op.drop_index(batch_op.f('ix_xapi_statements_created_at'))

    op.drop_table('xapi_statements')
