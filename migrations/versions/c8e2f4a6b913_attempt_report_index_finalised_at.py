"""attempt: the reports' covering index holds finalised_at too (the rankings count the attempts finalised in a period)

Revision ID: c8e2f4a6b913
Revises: a6c1f0d93b52
Create Date: 2026-12-02 23:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c8e2f4a6b913'
down_revision = 'a6c1f0d93b52'
branch_labels = None
depends_on = None

BEFORE = ['exam_id', 'user_id', 'state', 'number', 'passed', 'percent']


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_report')
        batch_op.create_index('ix_attempt_report', [*BEFORE, 'finalised_at'], unique=False)


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_report')
        batch_op.create_index('ix_attempt_report', BEFORE, unique=False)
