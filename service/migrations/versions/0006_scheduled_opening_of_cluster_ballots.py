"""scheduled opening of cluster ballot rounds

Revision ID: 0006
Revises: 0005_revocation_reviews
Create Date: 2026-11-22 06:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0006'
down_revision: Union[str, None] = '0005_revocation_reviews'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('cluster_ballot_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_year_id', sa.Integer(), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('election', sa.JSON(), nullable=False),
    sa.Column('opens_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['cluster_ballots.id'], ),
    sa.ForeignKeyConstraint(['cluster_year_id'], ['cluster_years.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cluster_ballot_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_ballot_schedules_cluster_year_id'), ['cluster_year_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_ballot_schedules_opens_at'), ['opens_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_ballot_schedules_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cluster_ballot_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_ballot_schedules_state'))
        batch_op.drop_index(batch_op.f('ix_cluster_ballot_schedules_opens_at'))
        batch_op.drop_index(batch_op.f('ix_cluster_ballot_schedules_cluster_year_id'))
    op.drop_table('cluster_ballot_schedules')
