"""service: search index (own normalised term index, same on SQLite and PostgreSQL)

Revision ID: 0003
Revises: 0002

Field edits need no table of their own: each is a hash-chained audit row (who, when, field,
old, new). Users live in `app_user` (0001).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Prefix search is a B-tree range (term >= key AND term < key+1); PostgreSQL must compare
    # bytes for that, whatever the database's collation.
    term = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")
    op.create_table(
        "search_doc",
        sa.Column("dak_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["dak_id"], ["dak.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dak_id"),
    )
    op.create_table(
        "search_term",
        sa.Column("dak_id", sa.Integer(), nullable=False),
        sa.Column("term", term, nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["dak_id"], ["dak.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dak_id", "term"),
    )
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.create_index("ix_search_term_term", ["term"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.drop_index("ix_search_term_term")
    op.drop_table("search_term")
    op.drop_table("search_doc")
