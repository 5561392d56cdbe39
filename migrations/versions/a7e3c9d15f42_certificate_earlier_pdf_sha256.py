"""certificate.earlier_pdf_sha256: a certificate HR issued without every requirement met is rendered again with
its true wording (by decision of HR); the earlier PDF's SHA-256 is kept so a copy handed out before still verifies

Revision ID: a7e3c9d15f42
Revises: c8e2f4a6b913
Create Date: 2026-12-03 04:40:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c9d15f42'
down_revision = 'c8e2f4a6b913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('earlier_pdf_sha256', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_certificate_earlier_pdf_sha256', ['earlier_pdf_sha256'], unique=False)
    # The stored PDFs that say "has met every requirement" of a certificate whose evidence keeps one unmet:
    # forgotten (the next download renders the corrected one), their SHA-256 kept for /verify's upload.
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, evidence_json FROM certificate "
                                "WHERE pdf_sha256 IS NOT NULL AND evidence_json LIKE '%false%'")).all()
    wrong = [row.id for row in rows if not all(line.get("met") for line in json.loads(row.evidence_json or "[]"))]
    for start in range(0, len(wrong), 500):
        conn.execute(sa.text("UPDATE certificate SET earlier_pdf_sha256 = pdf_sha256, pdf = NULL, pdf_sha256 = NULL "
                             "WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                     {"ids": wrong[start:start + 500]})


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_earlier_pdf_sha256')
        batch_op.drop_column('earlier_pdf_sha256')
