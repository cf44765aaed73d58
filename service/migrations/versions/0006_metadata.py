"""metadata (issue 3): no schema change.

The extracted fields live in dak.meta (JSON: {fields: {name: {value, confidence, evidence}},
needs_review, reasons, profile}); the flat columns (letter_no, letter_date, subject, sender_*,
addressee, letter_type, priority, security) and needs_review/review_reasons already exist.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
