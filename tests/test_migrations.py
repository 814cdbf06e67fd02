"""The checked-in migrations describe the models exactly: a model change without its migration
fails here, not in production's release step."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from infra.settings import Settings


async def test_models_have_no_unmigrated_changes(db: Settings):
    apps_config = db.tortoise_config()["apps"]
    writers = await MigrationAutodetector(Tortoise.apps, apps_config).changes()
    pending = [(w.name, [type(op).__name__ for op in w.operations]) for w in writers]
    assert pending == []
