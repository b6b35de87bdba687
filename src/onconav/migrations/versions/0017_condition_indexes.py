"""Search entries: an index of the cells by condition points (condition searches read the topics scored by
them from the best down, where the cell index's ranges by quality also read every row of better quality
and poor condition points), and the entity index covering the read of every entry of some providers
(exact scores), which replaces the entity index of two columns.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CELL_CONDITION = [
    "topic",
    "geo_cell",
    "condition_points",
    "quality_points",
    "lon",
    "lat",
    "entity_kind",
    "entity_id",
]
ENTITY_ROWS = ["entity_kind", "entity_id", "topic", "lat", "lon", "quality_points", "condition_points", "id"]


def upgrade() -> None:
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.create_index("ix_search_entry_cell_condition", CELL_CONDITION, unique=False)
        batch_op.create_index("ix_search_entry_entity_rows", ENTITY_ROWS, unique=False)
        batch_op.drop_index("ix_search_entry_entity")


def downgrade() -> None:
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.create_index("ix_search_entry_entity", ["entity_kind", "entity_id"], unique=False)
        batch_op.drop_index("ix_search_entry_entity_rows")
        batch_op.drop_index("ix_search_entry_cell_condition")
