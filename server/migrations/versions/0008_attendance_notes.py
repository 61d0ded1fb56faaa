"""attendance and shared notes: who was connected, when, in which room; room notes as CRDT updates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendance_spans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('sid', sa.String(length=64), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=True),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('room_number', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_attendance_spans_application_id_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_attendance_spans_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['room_id'], ['breakout_rooms.id'],
                                name=op.f('fk_attendance_spans_room_id_breakout_rooms'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_spans')),
    )
    with op.batch_alter_table('attendance_spans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_spans_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_spans_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_spans_sid'), ['sid'], unique=False)
    op.create_table(
        'room_note_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['breakout_rooms.id'],
                                name=op.f('fk_room_note_updates_room_id_breakout_rooms'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room_note_updates')),
    )
    with op.batch_alter_table('room_note_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_note_updates_room_id'), ['room_id'], unique=False)


def downgrade():
    op.drop_table('room_note_updates')
    op.drop_table('attendance_spans')
