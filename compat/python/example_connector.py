"""A minimal flytekit async connector for task type ``example_plugin``: the Python peer's best case.

It does no work at all: ``create`` records the job in a dict, ``get`` answers RUNNING until
``COMPAT_PY_SUCCEED_AFTER`` seconds (default 0.5) have passed since creation, then SUCCEEDED;
``delete`` forgets the job. Nothing is written to the output prefix (our agent's embedded mode
really runs the task and writes outputs.pb) and no external system is called, so its figures are
the floor of flytekit's connector service itself: gRPC (grpc.aio), request decoding into
flytekit models, the connector registry lookup, the Prometheus metrics decorator and the
``Resource.to_flyte_idl`` conversion.

Written against flytekit 1.16 (``flytekit/extend/backend/base_connector.py``: ``AsyncConnectorBase``,
``ResourceMeta``, ``Resource``, ``ConnectorRegistry.register``); served by
``pyflyte serve connector --modules example_connector`` (``flytekit/clis/sdk_in_container/serve.py``).
The methods are ``async def``: ``connector_service.mirror_async_methods`` awaits coroutines directly
and would otherwise hop to a thread pool.
"""

import os
import time
from dataclasses import dataclass
from typing import Dict, Optional

from flyteidl.core.execution_pb2 import TaskExecution

from flytekit.extend.backend.base_connector import (
    AsyncConnectorBase,
    ConnectorRegistry,
    Resource,
    ResourceMeta,
)
from flytekit.models.literals import LiteralMap
from flytekit.models.task import TaskExecutionMetadata, TaskTemplate

TASK_TYPE = "example_plugin"


def _succeed_after() -> float:
    raw = os.environ.get("COMPAT_PY_SUCCEED_AFTER", "0.5")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"COMPAT_PY_SUCCEED_AFTER={raw!r} is not a number of seconds; set it to e.g. 0.5"
        ) from None
    if value < 0:
        raise ValueError(f"COMPAT_PY_SUCCEED_AFTER={raw!r} is negative; set it to e.g. 0.5")
    return value


@dataclass
class ExampleJobMeta(ResourceMeta):
    """What propeller keeps between calls: the job's key (its output prefix, unique per attempt)."""

    job_id: str


class ExamplePluginConnector(AsyncConnectorBase):
    name = "Python example_plugin Connector"

    def __init__(self):
        super().__init__(task_type_name=TASK_TYPE, metadata_type=ExampleJobMeta)
        self._succeed_after = _succeed_after()
        # job id -> monotonic creation time. Kept after success, as a real connector keeps its
        # jobs until a TTL (propeller never calls delete after success).
        self._jobs: Dict[str, float] = {}

    async def create(
        self,
        task_template: TaskTemplate,
        output_prefix: str,
        inputs: Optional[LiteralMap] = None,
        task_execution_metadata: Optional[TaskExecutionMetadata] = None,
        **kwargs,
    ) -> ExampleJobMeta:
        if not output_prefix:
            raise ValueError("output_prefix is empty: propeller always sends one per attempt")
        # Idempotent per attempt: the output prefix is unique per node lineage and attempt.
        self._jobs.setdefault(output_prefix, time.monotonic())
        return ExampleJobMeta(job_id=output_prefix)

    async def get(self, resource_meta: ExampleJobMeta, **kwargs) -> Resource:
        created = self._jobs.get(resource_meta.job_id)
        if created is None:
            return Resource(phase=TaskExecution.FAILED, message=f"unknown job {resource_meta.job_id}")
        if time.monotonic() - created < self._succeed_after:
            return Resource(phase=TaskExecution.RUNNING, message="running")
        return Resource(phase=TaskExecution.SUCCEEDED, message="succeeded")

    async def delete(self, resource_meta: ExampleJobMeta, **kwargs):
        self._jobs.pop(resource_meta.job_id, None)


ConnectorRegistry.register(ExamplePluginConnector())
