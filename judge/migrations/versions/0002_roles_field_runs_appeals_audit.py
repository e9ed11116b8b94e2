"""roles, field runs, appeals, audit

Roles move to memberships per competition (a user's own role is "admin" or "member");
runs gain a status, the rules version they were scored by, a referee's scoresheet and a
version counter; rounds gain freeze and reveal; new tables for scoresheets, gate
crossings, appeals and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('competition_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['competition_id'], ['competition.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'competition_id')
    )
    op.create_table('appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit_entry.id'], ),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('gate_crossing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('board_ms', sa.Integer(), nullable=False),
    sa.Column('sensor', sa.Integer(), nullable=False),
    sa.Column('device', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('score_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('referee_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referee_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reveal_step', sa.Integer(), nullable=True))

    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='scored'))
        batch_op.add_column(sa.Column('program_path', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('pack_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('scoresheet', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('trace_path',
               existing_type=sa.VARCHAR(length=500),
               nullable=True)
        batch_op.alter_column('score',
               existing_type=sa.DOUBLE(),
               nullable=True)
        batch_op.alter_column('success',
               existing_type=sa.BOOLEAN(),
               nullable=True)
        batch_op.alter_column('time_s',
               existing_type=sa.DOUBLE(),
               nullable=True)
        batch_op.alter_column('outcome',
               existing_type=sa.VARCHAR(length=40),
               nullable=True)
        batch_op.alter_column('breakdown',
               existing_type=sa.JSON(),
               nullable=True)
        batch_op.alter_column('explanation',
               existing_type=sa.JSON(),
               nullable=True)
        batch_op.alter_column('counts',
               existing_type=sa.JSON(),
               nullable=True)
        batch_op.create_foreign_key('fk_run_submitted_by', 'user', ['submitted_by_id'], ['id'])
        batch_op.create_index('ix_run_round_id', ['round_id'])

    # Runs stored before: scored by their round's pinned rules. Users' roles become
    # per-competition memberships; a user-wide role is only ever "admin".
    op.execute("UPDATE run SET pack_hash = (SELECT round.pack_hash FROM round WHERE round.id = run.round_id)")
    op.execute("UPDATE \"user\" SET role = 'member' WHERE role <> 'admin'")



def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_index('ix_run_round_id')
        batch_op.drop_constraint('fk_run_submitted_by', type_='foreignkey')
        batch_op.alter_column('counts',
               existing_type=sa.JSON(),
               nullable=False)
        batch_op.alter_column('explanation',
               existing_type=sa.JSON(),
               nullable=False)
        batch_op.alter_column('breakdown',
               existing_type=sa.JSON(),
               nullable=False)
        batch_op.alter_column('outcome',
               existing_type=sa.VARCHAR(length=40),
               nullable=False)
        batch_op.alter_column('time_s',
               existing_type=sa.DOUBLE(),
               nullable=False)
        batch_op.alter_column('success',
               existing_type=sa.BOOLEAN(),
               nullable=False)
        batch_op.alter_column('score',
               existing_type=sa.DOUBLE(),
               nullable=False)
        batch_op.alter_column('trace_path',
               existing_type=sa.VARCHAR(length=500),
               nullable=False)
        batch_op.drop_column('updated_at')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('version')
        batch_op.drop_column('scoresheet')
        batch_op.drop_column('pack_hash')
        batch_op.drop_column('program_path')
        batch_op.drop_column('status')

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('reveal_step')
        batch_op.drop_column('frozen_at')

    op.drop_table('score_sheet')
    op.drop_table('gate_crossing')
    op.drop_table('appeal')
    op.drop_table('membership')
    op.drop_table('audit_entry')
