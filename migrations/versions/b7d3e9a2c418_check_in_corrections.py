"""mentor_check_in_correction: a mentor's correction of their own check-in, kept beside the unchanged original

Revision ID: b7d3e9a2c418
Revises: f2c8d1a5e317
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d3e9a2c418'
down_revision = 'f2c8d1a5e317'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mentor_check_in_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_in_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['check_in_id'], ['mentor_check_in.id'],
                                name=op.f('fk_mentor_check_in_correction_check_in_id_mentor_check_in')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL',
                                name=op.f('fk_mentor_check_in_correction_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_check_in_correction')),
    )
    op.create_index(op.f('ix_mentor_check_in_correction_check_in_id'), 'mentor_check_in_correction',
                    ['check_in_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_mentor_check_in_correction_check_in_id'), table_name='mentor_check_in_correction')
    op.drop_table('mentor_check_in_correction')
