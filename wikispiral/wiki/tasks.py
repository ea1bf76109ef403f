"""Celery tasks of the page engine: thin wrappers around one service each."""

from celery import shared_task
from django.db import OperationalError

from wikispiral.wiki.search import page_search_index_update


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def page_search_index_update_task(page_id: int) -> None:
    """Rebuild one page's search vector; safe to run twice, late, or after the page is gone."""
    page_search_index_update(page_id=page_id)
