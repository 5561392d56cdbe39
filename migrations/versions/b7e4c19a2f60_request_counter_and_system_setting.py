"""request counters shared by app processes; system settings

Revision ID: b7e4c19a2f60
Revises: b7c41e0a9d25
Create Date: 2026-12-01 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c19a2f60'
down_revision = 'b7c41e0a9d25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('request_counter',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_request_counter'))
    )
    with op.batch_alter_table('request_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_counter_expires_at'), ['expires_at'], unique=False)

    op.create_table('system_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_system_setting_changed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_system_setting'))
    )


def downgrade():
    op.drop_table('system_setting')
    with op.batch_alter_table('request_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_counter_expires_at'))
    op.drop_table('request_counter')
