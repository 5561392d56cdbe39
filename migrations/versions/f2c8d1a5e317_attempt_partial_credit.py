"""attempt.partial_credit: the exam's partial-credit rule when the attempt started (a trainer who turns it on or off mid-week does not change how attempts already started are scored)

Revision ID: f2c8d1a5e317
Revises: a3f9c2d71b58
Create Date: 2026-12-01 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c8d1a5e317'
down_revision = 'a3f9c2d71b58'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('attempt', sa.Column('partial_credit', sa.Boolean(), nullable=True))
    # Existing attempts: the rule in force now is the best knowledge there is
    # (a submitted attempt was scored at submit, so its score is not changed).
    op.execute("UPDATE attempt SET partial_credit = (SELECT exam.partial_credit FROM exam WHERE exam.id = attempt.exam_id)")


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('partial_credit')
