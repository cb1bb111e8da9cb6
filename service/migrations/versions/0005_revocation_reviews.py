"""revocation reviews and certificates: the revoking decision kept apart from the award's own,
revoked history titles, review tasks, verifiable certificates

Revision ID: 0005_revocation_reviews
Revises: 0004
Create Date: 2026-11-22 06:10:00

Before this revision a revocation overwrote ``nominations.decision_id`` with the revoking
decision; the upgrade moves it to ``revocation_decision_id`` and puts back the award's own
decision, read from the nomination's audit trail (the ``decide`` / ``record_central_result``
entry names its document number).
"""
import json
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005_revocation_reviews'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'review_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('revoking_decision_id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('title_year', sa.Integer(), nullable=False),
        sa.Column('unmet', sa.JSON(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id']),
        sa.ForeignKeyConstraint(['revoking_decision_id'], ['decisions.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_tasks_nomination_id'), ['nomination_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_tasks_status'), ['status'], unique=False)
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id']),
        sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
        sa.UniqueConstraint('nomination_id'),
    )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revocation_decision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_nominations_revocation_decision_id', 'decisions', ['revocation_decision_id'], ['id'])
    with op.batch_alter_table('title_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_decision_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_foreign_key('fk_title_records_revoked_decision_id', 'decisions', ['revoked_decision_id'], ['id'])
    _restore_award_decisions()


def _restore_award_decisions() -> None:
    bind = op.get_bind()
    revoked = bind.execute(sa.text(
        "SELECT n.id, n.decision_id FROM nominations n JOIN decisions d ON d.id = n.decision_id "
        "WHERE n.state = 'revoked' AND d.kind = 'revocation'"
    )).all()
    for nomination_id, revoking_id in revoked:
        payloads = bind.execute(sa.text(
            "SELECT payload FROM audit_entries WHERE chain = :chain AND action IN ('decide', 'record_central_result') "
            "ORDER BY seq DESC"
        ), {"chain": f"nomination:{nomination_id}"}).scalars().all()
        number = next((json.loads(p).get("document") for p in payloads if json.loads(p).get("document")), None)
        original = bind.execute(sa.text("SELECT id FROM decisions WHERE number = :n"), {"n": number}).scalar() if number else None
        bind.execute(sa.text("UPDATE nominations SET revocation_decision_id = :r, decision_id = :d WHERE id = :id"),
                     {"r": revoking_id, "d": original, "id": nomination_id})


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE nominations SET decision_id = revocation_decision_id WHERE revocation_decision_id IS NOT NULL"))
    with op.batch_alter_table('title_records', schema=None) as batch_op:
        batch_op.drop_constraint('fk_title_records_revoked_decision_id', type_='foreignkey')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_decision_id')
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_nominations_revocation_decision_id', type_='foreignkey')
        batch_op.drop_column('revocation_decision_id')
    op.drop_table('certificates')
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_tasks_status'))
        batch_op.drop_index(batch_op.f('ix_review_tasks_nomination_id'))
    op.drop_table('review_tasks')
