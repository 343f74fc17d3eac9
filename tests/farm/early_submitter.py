"""A process that accepts a draft job on Slurm and is killed before its commit (run by
tests/farm/test_early_start.py): it starts the job's sbatch early, says so, then waits inside
its open transaction until the test SIGKILLs it.

    python -m tests.farm.early_submitter DB_URL FARM_YAML LOCK_DIR JOB_ID
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.db import transaction
from hub import farm as farmops
from hub import worker
from hub.centre import open_hub
from remote.jobs import service
from tests.farm.conftest import configure


def main(url: str, farm_yaml: str, lock_dir: str, job_id: str) -> int:
    hub = configure(open_hub(url), Path(lock_dir), farm_config=farm_yaml, farm_accept_wait=3)
    farm = farmops.farm_for(hub)
    now = hub.clock()
    with transaction(hub.sessions) as session:
        job = service.get_job(session, int(job_id))
        started = farmops.submit(session, farm, job, now, worker.notifier(session, now),
                                 hand_off_now=False)
        assert started is not None
        print(f"started {started[0].workspace.path}", flush=True)
        time.sleep(300)  # killed here, before the commit
    return 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
