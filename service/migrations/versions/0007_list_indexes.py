"""composite indexes for the inboxes: a unit's, a cluster's or an award's nominations in one state

A unit's inbox asks for its nominations in one state (drafts, returns, awaiting the head), a
cluster head's for the cluster's in review, the Board's for one award at the council or what of
a state falls due soon; with one-column indexes the database read every row of the unit (or of
the state) to find them (workload 4, bench/findings.md). Each composite index
replaces the one-column index it starts with, except the state's: a list of one state in id order
reads that index without sorting.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:50:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index('ix_nominations_unit_state', ['proposing_unit_code', 'state'], unique=False)
        batch_op.create_index('ix_nominations_cluster_state', ['cluster_id', 'state'], unique=False)
        batch_op.create_index('ix_nominations_award_state', ['award_code', 'state'], unique=False)
        batch_op.create_index('ix_nominations_state_due', ['state', 'due_at'], unique=False)
        batch_op.drop_index('ix_nominations_proposing_unit_code')
        batch_op.drop_index('ix_nominations_cluster_id')
        batch_op.drop_index('ix_nominations_award_code')


def downgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index('ix_nominations_award_code', ['award_code'], unique=False)
        batch_op.create_index('ix_nominations_cluster_id', ['cluster_id'], unique=False)
        batch_op.create_index('ix_nominations_proposing_unit_code', ['proposing_unit_code'], unique=False)
        batch_op.drop_index('ix_nominations_state_due')
        batch_op.drop_index('ix_nominations_award_state')
        batch_op.drop_index('ix_nominations_cluster_state')
        batch_op.drop_index('ix_nominations_unit_state')
