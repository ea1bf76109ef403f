"""The page engine's durable job: keeping a page's search vector current."""

from wikispiral.jobs.models import Job
from wikispiral.jobs.services import JobRun, job_kind
from wikispiral.wiki.search import page_search_index_update


@job_kind("wiki.search_index", max_attempts=5, time_limit=300)
def page_search_index_job(job: Job, run: JobRun) -> dict:
    """Rebuild one page's search vector (args page_id), or a batch's (page_ids: an import's
    pages); safe twice, late, or after the page is gone."""
    run.checkpoint()
    for page_id in job.args.get("page_ids") or [job.args["page_id"]]:
        page_search_index_update(page_id=page_id)
    return {}
