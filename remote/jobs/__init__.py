"""Farm jobs: the ORM models, the lifecycle state machine and the domain functions that move a
job from draft to its end. The orchestration across domains (licences, schedulers) is in
:mod:`hub.farm`; everything here takes a SQLAlchemy ``Session`` and plain arguments."""
