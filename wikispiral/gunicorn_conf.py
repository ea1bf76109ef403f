"""gunicorn settings read with `--config python:wikispiral.gunicorn_conf` (Dockerfile, bench)."""


def post_worker_init(worker: object) -> None:
    # The classification queue's suggestion model trains in a few seconds on the network's
    # criteria; starting it now, in the background, spares the worker's first queue request.
    from criteria.suggestions import suggestion_model_warm

    try:
        suggestion_model_warm()
    except Exception:  # a database not yet migrated must not keep the worker from starting
        worker.log.exception("Could not start training the suggestion model")
