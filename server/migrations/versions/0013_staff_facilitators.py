"""facilitators: staff members who facilitate an event's break-out rooms, and the room each one holds

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_facilitators',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_facilitators_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_facilitators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_facilitators'))
    )
    with op.batch_alter_table('event_facilitators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_facilitators_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('breakout_rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_breakout_rooms_facilitator_user_id_users'), 'users',
                                    ['facilitator_user_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('breakout_rooms', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_breakout_rooms_facilitator_user_id_users'), type_='foreignkey')
        batch_op.drop_column('facilitator_user_id')
    with op.batch_alter_table('event_facilitators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_facilitators_user_id'))
    op.drop_table('event_facilitators')
