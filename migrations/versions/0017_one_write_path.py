"""one_write_path: the fair-use rules live in one statement, the same on both databases

Every credit is now written by one guarded INSERT ... SELECT (bot.ledger.rules) after the
giver's advisory lock, taken in a statement of its own, so its reads see what the giver did
before the lock was granted. The PL/pgSQL function that took the lock inside the
one-statement paths (migration 0009) has no caller left.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _revision_0009() -> ModuleType:
    """Revision 0009, where the function is written as it was: a downgrade brings it back."""
    path = Path(__file__).with_name("0009_one_giver_at_a_time.py")
    spec = importlib.util.spec_from_file_location("revision_0009", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {_revision_0009().SIGNATURE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_revision_0009().CREATE)
