"""Schedulers: ``local`` (bounded detached processes on the head node) and ``slurm``."""

from __future__ import annotations

from remote.farm_config import FarmConfig, LocalSchedulerConfig
from remote.schedulers.base import (
    JobRef,
    JobSpec,
    RecoveredJob,
    SchedState,
    SchedStatus,
    Scheduler,
    SchedulerUnavailable,
)
from remote.schedulers.local import LocalScheduler
from remote.schedulers.slurm import SlurmScheduler

__all__ = [
    "JobRef", "JobSpec", "LocalScheduler", "RecoveredJob", "SchedState", "SchedStatus",
    "Scheduler", "SchedulerUnavailable", "SlurmScheduler", "make_scheduler",
]


def make_scheduler(config: FarmConfig) -> Scheduler:
    """The scheduler a farm config asks for."""
    sched = config.scheduler
    if isinstance(sched, LocalSchedulerConfig):
        return LocalScheduler(config.workspace.root, config.sandbox,
                              max_concurrent=sched.max_concurrent)
    return SlurmScheduler(config.sandbox, partition=sched.partition, account=sched.account,
                          mirror_licences=sched.mirror_licences,
                          licence_names=sched.licence_names, slurm_conf=sched.slurm_conf,
                          python=sched.python, extra_args=sched.extra_args,
                          timeout=sched.command_timeout)
