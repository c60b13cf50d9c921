"""The local mirror: one server's data (for one principal) in SQLite on this PC, kept fresh
with since/until sync, searched with FTS5. No Qt: the UI imports it and awaits its API.

    mirror = await Mirror.open(mirror_path(scoped_data))
    sync = MirrorSync(client, mirror, MirrorSettings(sale_months=24), on_progress=show)
    task = asyncio.create_task(sync.run(interval=300))   # F5 / after a write: sync.sync_now()
    page = await mirror.customers("(503) 784-9384", skip=0, first=50)
    await mirror.forget()                                 # Forget local data

See docs/architecture.md, "Local mirror".
"""

from posdesk.mirror.mirror import EntityStatus, Mirror, forget_file, mirror_path
from posdesk.mirror.registers import RegisterStore
from posdesk.mirror.sync import MirrorSettings, MirrorSync, SyncProgress
from posdesk.mirror.writes import ENTITIES

__all__ = [
    "ENTITIES",
    "EntityStatus",
    "Mirror",
    "MirrorSettings",
    "MirrorSync",
    "RegisterStore",
    "SyncProgress",
    "forget_file",
    "mirror_path",
]
