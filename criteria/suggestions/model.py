"""The suggestion model: component centroids (network and per language) and the nearest
classified criteria, over the hashed features of criteria.suggestions.features."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from criteria.suggestions.features import (
    DIMENSION,
    WORD_SPACE,
    _ragged_gather,
    _row_normalise,
    _Vectors,
    texts_featurise,
)

# How much the network's centroids count next to a language's own (0: own only).
NETWORK_BLEND = 0.25
# Centroid weights under PRUNE / sqrt(entries of the component) are dropped.
PRUNE = 0.5
# Nearest neighbours: how many vote, how much their vote adds to the centroids' cosine, and the
# share of criteria above which a word is too common to find a neighbour by.
NEIGHBOURS = 15
NEIGHBOUR_WEIGHT = 1.0
NEIGHBOUR_MAX_DF = 0.01
# The index holds at most this many criteria (an even sample beyond): memory stays bounded.
NEIGHBOUR_MAX_ROWS = 300_000
BATCH_PRODUCTS = 4_000_000
# Softmax temperature turning scores into a confidence (calibrated in the bench).
TEMPERATURE = 0.08


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float  # confidence between 0 and 1

    @property
    def percent(self) -> int:
        """For display: never 0% nor 100%, a suggestion is neither impossible nor certain."""
        return min(99, max(1, round(self.score * 100)))


@dataclass
class _Index:
    """An inverted index: for each feature in keys (sorted), the entries
    indptr[i]:indptr[i+1] of (target, weight), a target being a component or a criterion."""

    keys: np.ndarray
    indptr: np.ndarray
    targets: np.ndarray
    weights: np.ndarray

    @classmethod
    def build(cls, features: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> "_Index":
        order = np.argsort(features, kind="stable")
        keys, counts = np.unique(features[order], return_counts=True)
        indptr = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        small = np.int16 if targets.size == 0 or targets.max() < 2**15 else np.int32
        return cls(keys, indptr, targets[order].astype(small), weights[order].astype(np.float32))

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.indptr.nbytes + self.targets.nbytes + self.weights.nbytes

    def sizes(self, queries: _Vectors) -> np.ndarray:
        """How many products each query row makes (to cut work into batches)."""
        if not len(queries.features) or not len(self.keys):
            return np.zeros(queries.rows, dtype=np.int64)
        slot = np.minimum(np.searchsorted(self.keys, queries.features), len(self.keys) - 1)
        counts = np.where(
            self.keys[slot] == queries.features, self.indptr[slot + 1] - self.indptr[slot], 0
        )
        return np.bincount(queries.row_of(), weights=counts, minlength=queries.rows).astype(
            np.int64
        )

    def products(self, queries: _Vectors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query row, target, query weight × entry weight) for every feature they share."""
        if not len(queries.features) or not len(self.keys):
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0, dtype=np.float64)
        slot = np.minimum(np.searchsorted(self.keys, queries.features), len(self.keys) - 1)
        known = np.flatnonzero(self.keys[slot] == queries.features)
        owners, positions = _ragged_gather(self.indptr, slot[known])
        entries = known[owners]
        products = queries.values[entries].astype(np.float64) * self.weights[positions]
        return queries.row_of()[entries], self.targets[positions].astype(np.int64), products


# --- Centroids and neighbours ---------------------------------------------------------------


def _unit(components: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """values scaled so that each component's entries have unit length."""
    norms = np.sqrt(np.bincount(components, weights=values**2, minlength=size))
    norms[norms == 0] = 1.0
    return values / norms[components]


@dataclass
class _Centroids:
    """Component centroids: the normalised sum of each component's criteria."""

    index: _Index
    present: np.ndarray  # bool per component: has at least one training criterion here

    @classmethod
    def build(cls, vectors: _Vectors, labels: np.ndarray, size: int) -> "_Centroids":
        keys = labels[vectors.row_of()].astype(np.int64) * DIMENSION + vectors.features
        unique, inverse = np.unique(keys, return_inverse=True)
        sums = np.bincount(inverse, weights=vectors.values.astype(np.float64))
        components, features = unique // DIMENSION, unique % DIMENSION
        weights = _unit(components, sums, size)
        # Drop the long tail of tiny weights (features seen once or twice in a large
        # component): they barely move a cosine, and they are most of the entries to scan.
        entries = np.bincount(components, minlength=size)
        keep = weights >= PRUNE / np.sqrt(np.maximum(entries[components], 1))
        components, features = components[keep], features[keep]
        weights = _unit(components, weights[keep], size)
        present = np.zeros(size, dtype=bool)
        present[np.unique(labels)] = True
        return cls(_Index.build(features, components, weights), present)

    def scores(self, queries: _Vectors, size: int) -> np.ndarray:
        """Cosine of each query with each centroid (queries × size)."""
        rows, components, products = self.index.products(queries)
        flat = np.bincount(
            rows * size + components, weights=products, minlength=queries.rows * size
        )
        return flat.reshape(queries.rows, size)


@dataclass
class _Neighbours:
    """The training criteria as word vectors (no text), to find the nearest ones."""

    index: _Index
    labels: np.ndarray
    words_only: bool

    @classmethod
    def build(
        cls,
        vectors: _Vectors,
        labels: np.ndarray,
        document_frequency: np.ndarray,
        *,
        words_only: bool,
        max_df: float,
    ) -> "_Neighbours":
        # Features most texts share say little about a neighbour and cost the most to scan.
        keep = document_frequency[vectors.features] <= max(max_df * vectors.rows, 1)
        if words_only:
            keep &= vectors.features < WORD_SPACE
            vectors = vectors.where(keep)
            keep = np.ones(len(vectors.features), dtype=bool)
        index = _Index.build(vectors.features[keep], vectors.row_of()[keep], vectors.values[keep])
        small = np.int16 if len(labels) == 0 or labels.max() < 2**15 else np.int32
        return cls(index, labels.astype(small), words_only)

    def scores(self, queries: _Vectors, size: int) -> np.ndarray:
        """Per component: its share of the similarity of the NEIGHBOURS nearest criteria,
        times the nearest one's similarity (a near-copy speaks louder than a vague likeness)."""
        if self.words_only:
            queries = queries.where(queries.features < WORD_SPACE)
        scores = np.zeros((queries.rows, size), dtype=np.float64)
        # In batches of about BATCH_PRODUCTS (query, criterion) products, to bound memory.
        work = np.cumsum(self.index.sizes(queries))
        first = 0
        while first < queries.rows:
            done = work[first - 1] if first else 0
            last = max(first + 1, int(np.searchsorted(work, done + BATCH_PRODUCTS, "right")))
            last = min(last, queries.rows)
            batch = queries.take(np.arange(first, last))
            scores[first:last] = self._batch_scores(batch, size)
            first = last
        return scores

    def _batch_scores(self, queries: _Vectors, size: int) -> np.ndarray:
        scores = np.zeros((queries.rows, size), dtype=np.float64)
        rows, criteria, products = self.index.products(queries)
        if not len(rows):
            return scores
        # Similarities of the (query, criterion) pairs that share a feature, sparse.
        pairs, inverse = np.unique(rows * len(self.labels) + criteria, return_inverse=True)
        similarity = np.bincount(inverse, weights=products)
        query, criterion = pairs // len(self.labels), pairs % len(self.labels)
        order = np.lexsort((-similarity, query))
        query, criterion, similarity = query[order], criterion[order], similarity[order]
        first = np.flatnonzero(np.r_[True, query[1:] != query[:-1]])
        rank = np.arange(len(query)) - np.repeat(first, np.diff(np.r_[first, len(query)]))
        near = rank < NEIGHBOURS
        query, criterion, similarity = query[near], criterion[near], similarity[near]
        votes = np.bincount(
            query * size + self.labels[criterion],
            weights=similarity,
            minlength=queries.rows * size,
        ).reshape(queries.rows, size)
        totals = votes.sum(axis=1, keepdims=True)
        totals[totals == 0] = 1.0
        nearest = np.zeros(queries.rows)
        nearest[query[rank[near] == 0]] = similarity[rank[near] == 0]
        return votes / totals * nearest[:, None]


# --- The model ------------------------------------------------------------------------------


@dataclass
class SuggestionModel:
    """Component codes, the IDF of every hashed feature, component centroids (network and per
    language) and a word index of the training criteria for their nearest neighbours. No text
    is kept: features are hashes."""

    codes: list[str]
    idf: np.ndarray
    method: str = "hybrid"
    network: _Centroids | None = None
    languages: dict[str, _Centroids] = field(default_factory=dict)
    neighbours: _Neighbours | None = None
    rows: int = 0
    trained_seconds: float = 0.0

    @property
    def nbytes(self) -> int:
        parts = [self.network, *self.languages.values(), self.neighbours]
        return self.idf.nbytes + sum(part.index.nbytes for part in parts if part is not None)

    def vectors(self, texts: Sequence[str]) -> _Vectors:
        raw = texts_featurise(texts)
        values = raw.values * self.idf[raw.features]
        return _Vectors(raw.indptr, raw.features, _row_normalise(raw.indptr, values))

    def scores(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        """Scores of every component for every text (texts × components), higher is likelier."""
        size = len(self.codes)
        queries = self.vectors(texts)
        scores = np.zeros((queries.rows, size), dtype=np.float64)
        if self.network is not None:
            scores += self._centroid_scores(self.network, queries, languages, size)
        if self.neighbours is not None:
            weight = NEIGHBOUR_WEIGHT if self.network is not None else 1.0
            scores += weight * self.neighbours.scores(queries, size)
        return scores

    def _centroid_scores(
        self, centroids: _Centroids, queries: _Vectors, languages: Sequence[str], size: int
    ) -> np.ndarray:
        network = centroids.scores(queries, size)
        scores = network.copy()
        language_of = np.array([_language_key(language) for language in languages], dtype=object)
        for language in set(language_of.tolist()):
            own = self.languages.get(language)
            if own is None:
                continue
            rows = np.flatnonzero(language_of == language)
            own_scores = own.scores(queries.take(rows), size)
            # A component never seen in this language is judged on the network's centroid.
            own_scores[:, ~own.present] = network[np.ix_(rows, ~own.present)]
            scores[rows] = (1 - NETWORK_BLEND) * own_scores + NETWORK_BLEND * network[rows]
        return scores

    def suggest(
        self, texts: Sequence[str], languages: Sequence[str], k: int = 3
    ) -> list[list[Suggestion]]:
        """The k likeliest components of each text, best first (none with no evidence)."""
        if not texts:
            return []
        if not self.codes:
            return [[] for _ in texts]
        scores = self.scores(texts, languages)
        confidence = _softmax(scores / TEMPERATURE)
        top = np.argsort(-scores, axis=1, kind="stable")[:, : min(k, len(self.codes))]
        return [
            [
                Suggestion(self.codes[column], float(confidence[row, column]))
                for column in columns
                if scores[row, column] > 0
            ]
            for row, columns in enumerate(top)
        ]


def _language_key(language: str) -> str:
    return (language or "").split("-")[0].lower()


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
