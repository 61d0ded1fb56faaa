"""replies: answers read from the mailbox; the invitee's latest answer and its source

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbound_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('partstat', sa.String(length=20), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reason_template', sa.Text(), nullable=True),
    sa.Column('reason_params', sa.JSON(), nullable=True),
    sa.Column('proposed_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('proposed_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('promotion_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_inbound_replies_application_id_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_inbound_replies_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_replies')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_inbound_replies_dedupe_key'))
    )
    with op.batch_alter_table('inbound_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_replies_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_replies_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_replies_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_replies_promotion_due_at'), ['promotion_due_at'], unique=False)

    with op.batch_alter_table('calendar_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('answer_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answer_sequence', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('calendar_invitations', schema=None) as batch_op:
        batch_op.drop_column('answer_sequence')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answer_source')
        batch_op.drop_column('answer')

    with op.batch_alter_table('inbound_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_replies_promotion_due_at'))
        batch_op.drop_index(batch_op.f('ix_inbound_replies_outcome'))
        batch_op.drop_index(batch_op.f('ix_inbound_replies_event_id'))
        batch_op.drop_index(batch_op.f('ix_inbound_replies_application_id'))

    op.drop_table('inbound_replies')
