"""Programme audience by HR (programme_member), in-order and recurring programmes

Revision ID: e1a4c7b20f93
Revises: c3a9e5f17d42
Create Date: 2026-12-01 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a4c7b20f93'
down_revision = 'c3a9e5f17d42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_order', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('recurring', sa.String(length=16), server_default='', nullable=False))
    op.create_table(
        'programme_member',
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('since', sa.Date(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_programme_member_changed_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_programme_member_programme_id_programme'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_programme_member_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('programme_id', 'user_id', name=op.f('pk_programme_member')),
    )
    with op.batch_alter_table('programme_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_member_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_member_user_id'))
    op.drop_table('programme_member')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('recurring')
        batch_op.drop_column('in_order')
