"""The pengkom application: one event log for every aggregate, so one command may change several
aggregates in one transaction and one hash chain / notification log covers the whole record.

Two guards sit between a command and the log:

- **Every event is checked against its own class's schema before it is saved** (:meth:`Pengkom.check`):
  its stored bytes are decoded back, strictly, exactly as the read models will decode them. An event
  the read models could not read (a provenance ``unit`` that is a list, a number where text belongs)
  is refused with nothing recorded, instead of being committed and stopping the read models.
- **Aggregates are cached** (``AGGREGATE_CACHE_MAXSIZE``) and fast-forwarded from the log on every
  load, so a command on a large aggregate (a plan of a thousand rows) does not replay its whole
  history. Each command gets its own deep copy; whatever a failed command loaded is evicted
  (:meth:`Pengkom.command`), so no half-applied state can outlive it.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import EventStore, IntegrityError, Mapper, MapperDeserialisationError, Recording, StoredEvent
from eventsourcing.utils import strtobool

from core.activities import ActivityCommands
from core.agencies import AgencyCommands
from core.assessment import AssessmentCommands
from core.errors import Conflict, Invalid
from core.evaluation import EvaluationCommands
from core.i18n import msg
from core.jp_table import JpTableCommands
from core.mapper import MsgspecMapper
from core.officers import OfficerCommands
from core.performance import PerformanceCommands
from core.planning import PlanCommands
from core.proposal import ProposalCommands

#: The aggregate ids the current command loaded (None outside a command).
_LOADED: ContextVar[set[UUID] | None] = ContextVar("pengkom_loaded_aggregates", default=None)
#: Set by the command pipeline for a command's first attempt (:meth:`Pengkom.optimistic`).
_OPTIMISM: ContextVar[Optimism | None] = ContextVar("pengkom_optimism", default=None)


class Optimism:
    """A command's first attempt leaves "this aggregate does not exist yet" to its commit (:meth:`Pengkom.absent`)."""

    __slots__ = ("assumed",)

    def __init__(self) -> None:
        #: True once a check was left to the commit: a conflict at the commit must run the command again, checking.
        self.assumed = False


class _Repository(Repository[UUID]):
    """The library's repository, remembering what each command loaded so a failure can evict it."""

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        loaded = _LOADED.get()
        if loaded is not None:
            loaded.add(aggregate_id)
        try:
            return super().get(aggregate_id, **kwargs)
        except BaseException:
            self.evict(aggregate_id)
            raise

    def evict(self, aggregate_id: UUID) -> None:
        if self.cache is not None:
            try:
                self.cache.get(aggregate_id, evict=True)
            except KeyError:
                pass

    def remember(self, aggregate: Any) -> None:
        if self.cache is not None:
            self.cache.put(aggregate.id, aggregate)


class _CheckedEventStore(EventStore[UUID]):
    """Every save (including :meth:`Pengkom.record`) checks its events before the recorder sees them."""

    check: Any = None

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        if self.check is not None:
            for event in domain_events:
                self.check(self.mapper.to_stored_event(event))
        return super().put(domain_events, **kwargs)


class Pengkom(Application[UUID]):
    name = "pengkom"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.officers = OfficerCommands(self)
        self.activities = ActivityCommands(self)
        self.jp_tables = JpTableCommands(self)
        self.assessments = AssessmentCommands(self)
        self.performance = PerformanceCommands(self)
        self.proposals = ProposalCommands(self)
        self.plans = PlanCommands(self)
        self.evaluations = EvaluationCommands(self)
        self.agencies = AgencyCommands(self)

    def construct_mapper(self) -> Mapper[UUID]:
        return MsgspecMapper()

    def construct_event_store(self) -> EventStore[UUID]:
        store = _CheckedEventStore(mapper=self.mapper, recorder=self.recorder)
        store.check = self.check
        return store

    def construct_repository(self) -> Repository[UUID]:
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return _Repository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(size) if size else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=False,
            # Each command works on its own copy: a cached aggregate is never shared or mutated by one.
            deepcopy_from_cache=True,
        )

    @property
    def cache(self) -> _Repository:
        repo = self.repository
        assert isinstance(repo, _Repository)
        return repo

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, desc=True, limit=1))

    def absent(self, aggregate_id: UUID) -> bool:
        """Is there no aggregate with this id yet (a verb about to create it checks this)?

        Within an optimistic attempt (:meth:`optimistic`, the command pipeline's first attempt) the store is
        not asked: the new aggregate's first event (version 1) cannot be committed beside an existing one's,
        so an aggregate that does exist makes the commit a conflict, nothing is recorded, and the pipeline runs
        the command again non-optimistically — this check then asks the store and gives its own error.
        One query per creating command saved, no rule lost. An aggregate this process holds is known at once.
        """
        optimism = _OPTIMISM.get()
        if optimism is None:
            return not self.exists(aggregate_id)
        cache = self.cache.cache
        if cache is not None and aggregate_id in cache.cache:
            return False
        optimism.assumed = True
        return True

    def get(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def record(self, *aggregates: Any) -> list[Recording[UUID]]:
        """Save the aggregates' pending events in one transaction.

        A concurrent writer that got there first (same aggregate version) is a conflict for the
        caller to retry after reloading, never a lost update.
        """
        try:
            return self.save(*aggregates)
        except IntegrityError:
            raise Conflict("Someone else recorded a change to the same record at the same moment; reload and try again.") from None

    # -- the command pipeline's part (api/commands.py) ------------------------------------------------

    @contextmanager
    def command(self) -> Iterator[set[UUID]]:
        """Around one command: whatever it loaded is evicted from the cache if it fails."""
        loaded: set[UUID] = set()
        token = _LOADED.set(loaded)
        try:
            yield loaded
        except BaseException:
            for aggregate_id in loaded:
                self.cache.evict(aggregate_id)
            raise
        finally:
            _LOADED.reset(token)

    @contextmanager
    def optimistic(self, on: bool = True) -> Iterator[Optimism | None]:
        """Around a command's verb: creation checks are left to the commit (:meth:`absent`)."""
        optimism = Optimism() if on else None
        token = _OPTIMISM.set(optimism)
        try:
            yield optimism
        finally:
            _OPTIMISM.reset(token)

    def pending(self, aggregates: Sequence[Any]) -> tuple[list[Any], list[StoredEvent]]:
        """Take the aggregates' new events, as domain events and as checked stored events."""
        events: list[Any] = []
        for agg in aggregates:
            if agg is not None:
                events.extend(agg.collect_events())
        stored = [self.mapper.to_stored_event(e) for e in events]
        for s in stored:
            self.check(s)
        return events, stored

    def remember(self, aggregates: Sequence[Any]) -> None:
        """After a successful commit: the saved aggregates are the newest versions this process knows."""
        for agg in aggregates:
            if agg is not None:
                self.cache.remember(agg)

    def forget(self, aggregate_ids: Sequence[UUID]) -> None:
        for aggregate_id in aggregate_ids:
            self.cache.evict(aggregate_id)

    def check(self, stored: StoredEvent) -> None:
        """Refuse an event whose stored form its own class (and so every read model) could not read back."""
        try:
            self.mapper.to_domain_event(stored)
        except MapperDeserialisationError as e:
            cause = e.__cause__ if e.__cause__ is not None else e
            detail = str(cause)
            where = detail.rsplit("at `$.", 1)[-1].rstrip("`") if "at `$." in detail else None
            raise Invalid(
                msg("This command would record {stored_topic_rsplit_1_1} with a value its record cannot hold ({detail}); "
                    "nothing was recorded. If the value came from your sign-in token, ask the administrator of the "
                    "identity provider to correct it.",
                    stored_topic_rsplit_1_1=stored.topic.rsplit('.', 1)[-1], detail=detail), field=where, code="event_schema") from None

    def stored_events(self, aggregate_id: UUID) -> Sequence[Any]:
        return [self.mapper.to_domain_event(s) for s in self.recorder.select_events(aggregate_id)]
