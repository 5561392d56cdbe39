"""attempt.pass_mark: the exam's pass mark when the attempt started (a trainer who changes it mid-week does not re-judge attempts taken under the old one)

Revision ID: a3f9c2d71b58
Revises: 021cae70d5f8
Create Date: 2026-12-01 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f9c2d71b58'
down_revision = '021cae70d5f8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('attempt', sa.Column('pass_mark', sa.Float(), nullable=True))
    # Existing attempts: the pass mark in force now is the best knowledge there is.
    op.execute("UPDATE attempt SET pass_mark = (SELECT exam.pass_mark FROM exam WHERE exam.id = attempt.exam_id)")


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('pass_mark')
