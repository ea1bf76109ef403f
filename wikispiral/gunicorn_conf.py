"""gunicorn settings read with `--config python:wikispiral.gunicorn_conf` (Dockerfile, bench)."""

from typing import Protocol


class _Logger(Protocol):
    def exception(self, msg: str, /) -> None: ...


class _Worker(Protocol):
    """The part of gunicorn's Worker used here (gunicorn ships no type information)."""

    log: _Logger


def post_worker_init(worker: _Worker) -> None:
    # The classification queue's suggestion model trains in a few seconds on the network's
    # criteria; starting it now, in the background, spares the worker's first queue request.
    from criteria.suggestions import suggestion_model_warm

    try:
        suggestion_model_warm()
    except Exception:  # a database not yet migrated must not keep the worker from starting
        worker.log.exception("Could not start training the suggestion model")
