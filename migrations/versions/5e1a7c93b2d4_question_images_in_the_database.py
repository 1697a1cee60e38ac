"""question images in the database (Moodle XML embedded images)

Revision ID: 5e1a7c93b2d4
Revises: 834920e0830f
Create Date: 2026-12-03 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1a7c93b2d4'
down_revision = '834920e0830f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('mimetype', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_images')),
    sa.UniqueConstraint('name', name=op.f('uq_question_images_name'))
    )


def downgrade():
    op.drop_table('question_images')
