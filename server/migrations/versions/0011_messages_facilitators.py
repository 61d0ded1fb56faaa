"""organisers: their own mail texts per kind and language; applicants who offer to facilitate

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_message_texts_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_texts')),
    sa.UniqueConstraint('event_id', 'kind', 'language', name='uq_message_texts_event_kind_language')
    )
    with op.batch_alter_table('message_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_texts_event_id'), ['event_id'], unique=False)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offers_to_facilitate', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.alter_column('offers_to_facilitate', server_default=None)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('offers_to_facilitate')
    with op.batch_alter_table('message_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_texts_event_id'))
    op.drop_table('message_texts')
