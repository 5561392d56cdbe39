"""exam.open_to_all, notebook_entry.partly_right

Revision ID: b7c41e0a9d25
Revises: 5d8a2790b232
Create Date: 2026-12-01 02:45:00

An exam a trainer opened to every learner (otherwise only members of a
programme whose week includes it may start it, from that week's opening);
a notebook entry whose last exam answer earned part of the points.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c41e0a9d25'
down_revision = '5d8a2790b232'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_to_all', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('notebook_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partly_right', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('notebook_entry', schema=None) as batch_op:
        batch_op.drop_column('partly_right')
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.drop_column('open_to_all')
