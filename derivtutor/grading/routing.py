"""Which worker checks which task: tasks grouped by exercise, each exercise kept by the workers that set it up.

The first check of an exercise (or variant) pays its set-up -- the reference
derivative, its forms, the mistake candidates -- and the worker's caches keep
it, so a worker keeps getting the tasks of the exercises it has checked before.
A worker with nothing of its own left takes a new exercise, and only then, when
idle, helps with another worker's.

The router reads its tasks from a lazy source. Read ``eager``-ly it keeps
``LOOKAHEAD`` tasks in hand, which regroups tasks that arrive mixed; a source
that is slow to read (the grader reading the class as it goes) is read only as
far as an idle worker needs, and the rest a little at a time (``read``) while
the workers are busy, so reading and checking overlap.
"""
from __future__ import annotations

from collections import deque

#: Tasks read ahead of the workers, so that each can be handed the exercises it has set up.
LOOKAHEAD = 4096


class _Router:
    """The tasks read but not yet handed out, by exercise key, and which worker slots set up each key.

    >>> router = _Router(iter(enumerate([("a", "1", "auto"), ("b", "2", "auto"), ("a", "3", "auto")])))
    >>> [i for i, _ in router.batch(0, 8)], [i for i, _ in router.batch(1, 8)]
    ([0, 2], [1])
    """

    def __init__(self, source, steal_from: int = 1, lookahead: int = LOOKAHEAD, eager: bool = True):
        self.source, self.steal_from, self.lookahead, self.eager = source, steal_from, lookahead, eager
        self.pending: dict = {}      # key -> deque of (index, task)
        self.owners: dict = {}       # key -> slots whose worker was given it
        self.ready: dict = {}        # slot -> {key: None} of its keys with tasks pending, oldest first
        self.unowned: dict = {}      # {key: None} of pending keys no slot has had, oldest first
        self.buffered, self.exhausted, self.count = 0, False, 0   # count: tasks read so far

    def batch(self, slot: int, size: int, steal: bool = True, force: bool = False) -> list:
        """Up to ``size`` tasks of one key for the worker in ``slot``; [] when none should go there now.

        ``steal=False`` (a worker still busy): only its own keys or new ones, never another's.
        Not ``eager``: an idle worker (``steal``) has tasks read for it until one is there for it.
        ``force`` (every worker idle): the longest queue, however short."""
        if self.eager:
            self.read(self.lookahead)
        key = self._choose(slot, steal)
        while key is None and steal and not self.eager and self.read(1):
            key = self._choose(slot, steal)
        if key is None and force and self.pending:
            key = self._longest()
        if key is None:
            return []
        if slot not in self.owners.setdefault(key, set()):
            self.owners[key].add(slot)
            self.unowned.pop(key, None)
            self.ready.setdefault(slot, {})[key] = None
        queue = self.pending[key]
        batch = [queue.popleft() for _ in range(min(size, len(queue)))]
        self.buffered -= len(batch)
        if not queue:
            del self.pending[key]
            for owner in self.owners[key]:
                self.ready[owner].pop(key, None)
        return batch

    def read(self, count: int) -> int:
        """Read up to ``count`` more tasks from the source (never past ``lookahead`` in hand); how many were read."""
        read = 0
        while read < count and not self.exhausted and self.buffered < self.lookahead:
            try:
                index, task = next(self.source)
            except StopIteration:
                self.exhausted = True
                break
            self._add(index, task)
            read += 1
        self.count += read
        return read

    @property
    def done(self) -> bool:
        """Every task read and handed out."""
        return self.exhausted and not self.pending

    def put_back(self, held) -> None:
        """Tasks a worker held but did not finish, to be handed out again before the others of their key."""
        for index, task in reversed(list(held)):
            self._add(index, task, front=True)

    def _add(self, index: int, task: tuple, front: bool = False) -> None:
        key = task[0]
        if key not in self.pending:
            self.pending[key] = deque()
            for owner in self.owners.get(key, ()):
                self.ready[owner][key] = None
            if key not in self.owners:
                self.unowned[key] = None
        (self.pending[key].appendleft if front else self.pending[key].append)((index, task))
        self.buffered += 1

    def _choose(self, slot: int, steal: bool = True):
        """A key this slot had before; else one no slot had; else the longest queue, when it is long
        enough that a second set-up pays (a short one is left to its own worker, busy just now)."""
        mine = self.ready.get(slot)
        if mine:
            return next(iter(mine))
        if self.unowned:
            return next(iter(self.unowned))
        if not self.pending or not steal:
            return None
        key = self._longest()
        return key if len(self.pending[key]) >= self.steal_from else None

    def _longest(self):
        return max(self.pending, key=lambda k: len(self.pending[k]))
