"""Celery tasks of the reports app: thin wrappers that take ids and call the services."""

import logging
import threading

from celery import shared_task
from celery.signals import worker_process_init, worker_process_shutdown

from reports.exporters import chart_svg
from reports.services import scorecards

logger = logging.getLogger(__name__)


# The service counts render attempts (SCORECARD_MAX_ATTEMPTS); max_retries only bounds retries of a render
# that could not even start (database unreachable).
@shared_task(name="reports.render_scorecard", bind=True, max_retries=20)
def render_scorecard(self, scorecard_id: int) -> None:
    """Render one scorecard's PDF; the service counts the attempts and fails it after the last one."""
    # The broker marks a message it hands out again because its worker died (visibility timeout, or a pool
    # process lost under acks_late): only such a run may take over a scorecard the row says is rendering.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        scorecards.scorecard_render(scorecard_id=scorecard_id, redelivered=redelivered)
    except scorecards.ScorecardRetry as exc:
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(name="reports.fill_scorecard_batch")
def fill_scorecard_batch(batch_id: int) -> None:
    """Create or reuse the scorecards of a NAM staff batch and queue their renders."""
    scorecards.scorecard_batch_fill(batch_id=batch_id)


@shared_task(name="reports.sweep_scorecards")
def sweep_scorecards() -> list[int]:
    """Queue again the scorecards and batches whose task was lost (run every minute by celery beat)."""
    scorecards.scorecard_batches_sweep()
    return scorecards.scorecards_sweep()


def _start_chart_server():
    try:
        chart_svg.start()
    except Exception:
        logger.warning("Chromium did not start for charts", exc_info=True)


@worker_process_init.connect
def _warm_chart_server(**kwargs):
    # The first scorecard of a new worker process should not pay for starting Chromium. In the background:
    # a child process must report ready within a few seconds, and Chromium can take longer to start.
    threading.Thread(target=_start_chart_server, name="kaleido-warmup", daemon=True).start()


@worker_process_shutdown.connect
def _stop_chart_server(**kwargs):
    chart_svg.stop()
