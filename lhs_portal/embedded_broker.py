"""The embedded broker: kombu's filesystem transport, whose folders are made again when they go missing.

settings.py selects it (CELERY_BROKER_TRANSPORT) when no CELERY_BROKER_URL is set. kombu's transport expects
its folders to exist: deleted while `make run` runs (`rm -rf var/`, a clean-up script), every publish would
fail and the worker would stop on the first poll. Here each publish and each poll makes them again, saying so
in the log; what was queued in the deleted folder is gone, and the periodic sweep queues those scorecards and
batches again (reports.services.scorecards), so nothing is lost.
"""

import logging
from pathlib import Path

from kombu.transport import filesystem

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _make_folders(self) -> None:
        for folder in (self.data_folder_in, self.data_folder_out, self.control_folder):
            path = Path(folder)
            if not path.is_dir():
                logger.warning(
                    "The embedded broker's folder %s was missing: made again. Tasks queued in it are lost; "
                    "the sweep queues their scorecards again within minutes.",
                    path,
                )
                path.mkdir(parents=True, exist_ok=True)
                if folder == self.control_folder:
                    self._bind_again()

    def _bind_again(self) -> None:
        """The control folder holds each exchange's bindings (queue, routing key): gone with it, a message
        published to the exchange would be routed to no queue and dropped without a word. Every binding this
        process declared is written again, as Channel.queue_bind writes it."""
        for binding, arguments in list(self.state.bindings.items()):
            meta = self.typeof(binding.exchange).prepare_bind(
                binding.queue, binding.exchange, binding.routing_key, arguments
            )
            self._queue_bind(binding.exchange, *meta)

    def _put(self, queue, payload, **kwargs):
        self._make_folders()
        return super()._put(queue, payload, **kwargs)

    def _get(self, queue):
        self._make_folders()
        return super()._get(queue)

    def _size(self, queue):  # a producer's queue declaration counts the folder's messages first
        self._make_folders()
        return super()._size(queue)


class Transport(filesystem.Transport):
    Channel = Channel
