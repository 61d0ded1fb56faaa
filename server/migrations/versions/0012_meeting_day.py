"""day: per-item seeding of the key questions, seedings done once, the projector's secret link

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qa_seed_settings',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('on_start', sa.Boolean(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_qa_seed_settings_item_id_agenda_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_qa_seed_settings'))
    )
    op.create_table('qa_seedings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('seeded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_qa_seedings_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_qa_seedings_item_id_agenda_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_seedings')),
    sa.UniqueConstraint('item_id', name=op.f('uq_qa_seedings_item_id'))
    )
    with op.batch_alter_table('qa_seedings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_seedings_event_id'), ['event_id'], unique=False)

    op.create_table('projector_links',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_projector_links_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_projector_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_projector_links_token_hash'))
    )


def downgrade():
    op.drop_table('projector_links')
    with op.batch_alter_table('qa_seedings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_seedings_event_id'))
    op.drop_table('qa_seedings')
    op.drop_table('qa_seed_settings')
