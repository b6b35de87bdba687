"""Search entries by cell: `search_entry.geo_cell` (latitude band and half-degree longitude cell in one
integer, ranking.geo_cell) and the index condition searches read each topic and cell through, from the
best quality down; it replaces the quality index by latitude band, whose ranges spanned every longitude.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

REST = ["quality_points", "lon", "lat", "entity_kind", "entity_id", "condition_points"]
# ranking.geo_cell: lat_band x 1000 + floor((lon + 180) / 0.5); both sides of the division are exact
# doubles, so SQL and Python agree to the last bit (SQLite's CAST truncates, and lon + 180 >= 0).
CELL_SQL = {
    "sqlite": "lat_band * 1000 + CAST((lon + 180.0) / 0.5 AS INTEGER)",
    "postgresql": (
        "lat_band * 1000 + CAST(floor((lon + CAST(180.0 AS float8)) / CAST(0.5 AS float8)) AS INTEGER)"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("geo_cell", sa.Integer(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE search_entry SET geo_cell = {CELL_SQL.get(dialect, CELL_SQL['postgresql'])}")
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_quality")
        batch_op.create_index("ix_search_entry_cell", ["topic", "geo_cell", *REST], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_cell")
        batch_op.create_index("ix_search_entry_quality", ["topic", "lat_band", *REST], unique=False)
        batch_op.drop_column("geo_cell")
