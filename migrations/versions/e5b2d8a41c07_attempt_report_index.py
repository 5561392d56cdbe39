"""attempt: a covering index for the branch totals (exam, learner, state, number, passed, percent)

Revision ID: e5b2d8a41c07
Revises: d4f2a8c61e07
Create Date: 2026-12-01 05:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b2d8a41c07'
down_revision = 'd4f2a8c61e07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_report', ['exam_id', 'user_id', 'state', 'number', 'passed', 'percent'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_report')
