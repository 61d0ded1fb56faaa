"""invitations: per-invitee calendar state; mail claim and retry times

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:06:34.077776

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('link_salt', sa.String(length=64), nullable=True),
    sa.Column('feed_salt', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_calendar_invitations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_calendar_invitations_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_invitations')),
    sa.UniqueConstraint('application_id', name=op.f('uq_calendar_invitations_application_id'))
    )
    with op.batch_alter_table('calendar_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_invitations_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbound_mail_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_mail_next_attempt_at'))
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('claimed_at')

    with op.batch_alter_table('calendar_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_invitations_event_id'))

    op.drop_table('calendar_invitations')
