"""break-out rounds: topics per room, separate organisations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('breakout_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topics', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('separate_organisations', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('breakout_rounds', schema=None) as batch_op:
        batch_op.alter_column('topics', server_default=None)
        batch_op.alter_column('separate_organisations', server_default=None)


def downgrade():
    with op.batch_alter_table('breakout_rounds', schema=None) as batch_op:
        batch_op.drop_column('separate_organisations')
        batch_op.drop_column('topics')
