"""system_setting_value_text: a setting's value is text of any length (a notification channel switched on for every kind is over 300 characters; it was cut at 200 and failed on PostgreSQL)

Revision ID: a6c1f0d93b52
Revises: b7d3e9a2c418
Create Date: 2026-12-02 10:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6c1f0d93b52'
down_revision = 'b7d3e9a2c418'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('system_setting', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('system_setting', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.Text(), type_=sa.String(length=200), existing_nullable=False)
