"""attempt.state: only open, grading or finalised (CHECK constraint)

Revision ID: c3a9e5f17d42
Revises: b7e4c19a2f60
Create Date: 2026-12-01 04:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3a9e5f17d42'
down_revision = 'b7e4c19a2f60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_attempt_state'), "state IN ('open', 'grading', 'finalised')")


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attempt_state'), type_='check')
