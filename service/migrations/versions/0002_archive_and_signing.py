"""archive and signing: the audit log's head (issue 4)

The hash chain shows an edited or deleted row inside the log, not rows cut off its end; the
head row (last id, last hash, row count), written with each append, does.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    conn = op.get_bind()
    last = conn.execute(sa.text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    count = conn.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar() or 0
    conn.execute(sa.text("INSERT INTO audit_head (id, last_id, last_hash, entries) "
                         "VALUES (1, :last_id, :last_hash, :entries)"),
                 {"last_id": last[0] if last else None,
                  "last_hash": last[1] if last else GENESIS, "entries": count})


def downgrade() -> None:
    op.drop_table("audit_head")
