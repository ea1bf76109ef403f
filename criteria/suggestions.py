"""Suggested components for criteria: a small text model trained on the criteria already
classified, network-wide, in the current grid.

Texts are normalised (lower case, no accents, no punctuation) and cut into features: words,
pairs of words and character 4- and 5-grams, so "logement" and "logements", or a typo, still
share most of their features. Features are hashed into a fixed space with numpy (no vocabulary
to build, no dependency beyond numpy) and weighted by TF-IDF. Two views are added up:

- component centroids: the normalised sum of each component's criteria, per language when a
  language has enough of them (blended with the network's), compared by cosine;
- the nearest criteria: the 15 most similar classified criteria (on their rarer words) vote for
  their component.

bench/suggestions.py measures them on held-out demo data (100,000 demo criteria, 20% of the
classified ones held out): the sum is right first 89% of the time and among the first three
97%, better than either alone (centroids 86% and 95%, neighbours 88.5% and 94%); it trains on
80,000 criteria in under 2 s and suggests for a page of the queue in about 3 ms.

The model keeps hashes and weights only, no text of any group, and only component codes with
a confidence come out. It lives in process memory, keyed by a cheap version of the training set
(count and latest change of classified criteria, one query), so the queue never trains on a
request unless the process has no model yet.
"""

import logging
import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, Max, QuerySet

from criteria.models import Criterion
from wikispiral.tenancy import cross_tenant

logger = logging.getLogger(__name__)

# (text, language, component code): one classified criterion, as the model learns from it.
TrainingRow = tuple[str, str, str]

# Words and pairs of words hash into the lower half of the feature space, character n-grams
# into the upper half: the neighbour index keeps words only, and tells them apart by range.
HASH_BITS = 20
DIMENSION = 1 << HASH_BITS
WORD_SPACE = DIMENSION >> 1
CHAR_NGRAMS = (4, 5)
# Character n-grams weigh less than words: there are many more of them per text.
CHAR_WEIGHT = 0.3
# A language gets centroids of its own from this many classified criteria on; below, its texts
# are compared with the network's centroids (all languages together).
LANGUAGE_MIN_ROWS = 200
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
# Texts are featurised this many at a time, to bound the memory of the numpy temporaries.
CHUNK_TEXTS = 20_000

# The in-process model is checked against the database at most this often...
VERSION_CHECK_SECONDS = 30.0
# ...and retrained at most this often; a stale model keeps answering while a new one trains.
RETRAIN_MIN_SECONDS = 300.0
# Retrain in a background thread (tests turn this off to stay deterministic).
BACKGROUND_RETRAIN = True

METHODS = ("hybrid", "centroid", "knn")

_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALT_WORD = np.uint64(0x51ED270B)
_SALT_PAIR = np.uint64(0x2545F491)
_SEPARATOR = "\x00"
_COMBINING = re.compile("[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^\w\x00]+|_")


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float  # confidence between 0 and 1

    @property
    def percent(self) -> int:
        """For display: never 0% nor 100%, a suggestion is neither impossible nor certain."""
        return min(99, max(1, round(self.score * 100)))


# --- Features -------------------------------------------------------------------------------


def texts_normalise(texts: Sequence[str]) -> list[str]:
    """Lower case, accents and punctuation removed, single spaces (all texts in one pass of C
    code: joined, transformed, split)."""
    if not texts:
        return []
    joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    joined = _COMBINING.sub("", unicodedata.normalize("NFKD", joined.lower()))
    joined = _NON_WORD.sub(" ", joined)
    return [" ".join(part.split()) for part in joined.split(_SEPARATOR)]


def _bucket(hashes: np.ndarray, salt: np.uint64, *, chars: bool) -> np.ndarray:
    """Hashes spread into the word half (chars=False) or the character half of the space."""
    spread = ((hashes + salt) * _MIX) >> np.uint64(64 - HASH_BITS + 1)
    return spread.astype(np.int64) + (WORD_SPACE if chars else 0)


@dataclass
class _Vectors:
    """Sparse rows: row i holds features[indptr[i]:indptr[i+1]] with their values."""

    indptr: np.ndarray
    features: np.ndarray
    values: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def row_of(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows), np.diff(self.indptr))

    def take(self, rows: np.ndarray) -> "_Vectors":
        owners, positions = _ragged_gather(self.indptr, rows)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.diff(self.indptr)[rows], out=indptr[1:])
        return _Vectors(indptr, self.features[positions], self.values[positions])

    def where(self, keep: np.ndarray) -> "_Vectors":
        """The same rows with only the entries where keep is true, renormalised."""
        counts = np.bincount(self.row_of()[keep], minlength=self.rows)
        indptr = np.zeros(self.rows + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return _Vectors(indptr, self.features[keep], _row_normalise(indptr, self.values[keep]))


def _featurise_chunk(normalised: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, feature, weight) of every distinct feature of every text of the chunk.

    Polynomial hashes of every substring come from one prefix sum: sum(c_k * P^k) over the
    corpus, so substring [a, b) hashes to (H[b] - H[a]) * P^-a (P is odd, hence invertible
    modulo 2^64, and numpy's unsigned arithmetic wraps modulo 2^64).
    """
    padded = [f" {text} " for text in normalised]
    corpus = _SEPARATOR.join(padded)
    codes = np.frombuffer(corpus.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = len(codes)
    lengths = np.fromiter((len(t) + 1 for t in padded), dtype=np.int64, count=len(padded))
    row_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)[:size]
    powers = np.empty(size + 1, dtype=np.uint64)
    powers[0] = 1
    np.cumprod(np.full(size, _PRIME, dtype=np.uint64), out=powers[1:])
    inverse = np.uint64(pow(int(_PRIME), -1, 2**64))
    inverse_powers = np.empty(size + 1, dtype=np.uint64)
    inverse_powers[0] = 1
    np.cumprod(np.full(size, inverse, dtype=np.uint64), out=inverse_powers[1:])
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(codes * powers[:size], out=prefix[1:])

    def substring(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return (prefix[end] - prefix[start]) * inverse_powers[start]

    rows, features, weights = [], [], []
    is_separator = codes == ord(_SEPARATOR)
    for n in CHAR_NGRAMS:
        if size < n:
            continue
        start = np.arange(size - n + 1, dtype=np.int64)
        end = start + n
        valid = (row_of[start] == row_of[end - 1]) & ~is_separator[end - 1]
        start, end = start[valid], end[valid]
        rows.append(row_of[start])
        # The length goes into the salt: "abc" and "abcd" hash apart whatever their letters.
        features.append(_bucket(substring(start, end), np.uint64(0x9E37 * (n + 1)), chars=True))
        weights.append(np.full(len(start), CHAR_WEIGHT, dtype=np.float32))
    # Words: maximal runs of non-space characters; pairs: two neighbours in the same text.
    is_space = (codes == ord(" ")) | is_separator
    boundary = np.flatnonzero(np.diff(is_space.astype(np.int8)))
    word_start = boundary[is_space[boundary]] + 1
    word_end = boundary[~is_space[boundary]] + 1
    if len(word_start):
        rows.append(row_of[word_start])
        features.append(_bucket(substring(word_start, word_end), _SALT_WORD, chars=False))
        weights.append(np.ones(len(word_start), dtype=np.float32))
        same = row_of[word_start[:-1]] == row_of[word_start[1:]]
        pair_start, pair_end = word_start[:-1][same], word_end[1:][same]
        rows.append(row_of[pair_start])
        features.append(_bucket(substring(pair_start, pair_end), _SALT_PAIR, chars=False))
        weights.append(np.ones(len(pair_start), dtype=np.float32))
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float32)
    row = np.concatenate(rows)
    feature = np.concatenate(features)
    weight = np.concatenate(weights)
    # Sum the weights of a feature repeated in a text, then damp them (1 + log).
    keys = (row << HASH_BITS) | feature
    unique, inverse_index = np.unique(keys, return_inverse=True)
    summed = np.bincount(inverse_index, weights=weight)
    damped = np.where(summed > 1, 1 + np.log(np.maximum(summed, 1)), summed).astype(np.float32)
    return unique >> HASH_BITS, unique & (DIMENSION - 1), damped


def texts_featurise(texts: Sequence[str]) -> _Vectors:
    """Sparse term-weight vectors of texts (row order kept), before IDF."""
    normalised = texts_normalise(texts)
    all_rows, all_features, all_weights = [], [], []
    for offset in range(0, len(normalised), CHUNK_TEXTS):
        row, feature, weight = _featurise_chunk(normalised[offset : offset + CHUNK_TEXTS])
        all_rows.append(row + offset)
        all_features.append(feature)
        all_weights.append(weight)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    if not all_rows:
        return _Vectors(indptr, np.empty(0, np.int64), np.empty(0, np.float32))
    np.cumsum(np.bincount(np.concatenate(all_rows), minlength=len(texts)), out=indptr[1:])
    return _Vectors(indptr, np.concatenate(all_features), np.concatenate(all_weights))


def _row_normalise(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    squares = np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=len(indptr) - 1)
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return (values / norms[rows]).astype(np.float32)


def _ragged_gather(indptr: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each key, the positions indptr[key]..indptr[key+1]: (owner index, position)."""
    starts = indptr[keys]
    counts = indptr[keys + 1] - starts
    total = int(counts.sum())
    owners = np.repeat(np.arange(len(keys)), counts)
    offsets = np.cumsum(counts) - counts
    positions = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, counts)
    return owners, positions


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
            scores += self._centroid_scores(queries, languages, size)
        if self.neighbours is not None:
            weight = NEIGHBOUR_WEIGHT if self.network is not None else 1.0
            scores += weight * self.neighbours.scores(queries, size)
        return scores

    def _centroid_scores(
        self, queries: _Vectors, languages: Sequence[str], size: int
    ) -> np.ndarray:
        network = self.network.scores(queries, size)
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


def suggestion_model_train(
    rows: Iterable[TrainingRow],
    *,
    method: str = "hybrid",
    per_language: bool = True,
    neighbour_words_only: bool = True,
    neighbour_max_df: float | None = None,
) -> SuggestionModel:
    """Train on classified criteria (text, language, component code). method: "hybrid"
    (centroids plus the neighbours' vote, what the site uses), "centroid" or "knn"."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    started = time.perf_counter()
    rows = list(rows)
    codes = sorted({code for _text, _language, code in rows})
    index = {code: i for i, code in enumerate(codes)}
    labels = np.fromiter((index[row[2]] for row in rows), dtype=np.int64, count=len(rows))
    raw = texts_featurise([row[0] for row in rows])
    document_frequency = np.bincount(raw.features, minlength=DIMENSION)
    idf = (np.log((1 + len(rows)) / (1 + document_frequency)) + 1).astype(np.float32)
    vectors = _Vectors(
        raw.indptr, raw.features, _row_normalise(raw.indptr, raw.values * idf[raw.features])
    )
    model = SuggestionModel(codes=codes, idf=idf, method=method, rows=len(rows))
    if rows and method in ("hybrid", "centroid"):
        model.network = _Centroids.build(vectors, labels, len(codes))
        if per_language:
            language_of = np.array([_language_key(row[1]) for row in rows], dtype=object)
            for language in set(language_of.tolist()):
                selected = np.flatnonzero(language_of == language)
                if len(selected) >= LANGUAGE_MIN_ROWS:
                    model.languages[language] = _Centroids.build(
                        vectors.take(selected), labels[selected], len(codes)
                    )
    if rows and method in ("hybrid", "knn"):
        sample = np.arange(len(rows))
        if len(rows) > NEIGHBOUR_MAX_ROWS:
            sample = np.linspace(0, len(rows) - 1, NEIGHBOUR_MAX_ROWS).astype(np.int64)
        model.neighbours = _Neighbours.build(
            vectors.take(sample) if len(sample) < len(rows) else vectors,
            labels[sample],
            document_frequency,
            words_only=neighbour_words_only,
            max_df=NEIGHBOUR_MAX_DF if neighbour_max_df is None else neighbour_max_df,
        )
    model.trained_seconds = time.perf_counter() - started
    return model


def suggestion_accuracy(
    train_rows: Iterable[TrainingRow],
    test_rows: Sequence[TrainingRow],
    *,
    model: SuggestionModel | None = None,
    **options: object,
) -> dict:
    """How often the right component is first (top1) or among the first three (top3) for
    test_rows, training on train_rows (or using model); n test rows."""
    model = model or suggestion_model_train(train_rows, **options)
    test_rows = list(test_rows)
    if not test_rows:
        return {"top1": 0.0, "top3": 0.0, "n": 0}
    suggestions = model.suggest([row[0] for row in test_rows], [row[1] for row in test_rows], k=3)
    top1 = top3 = 0
    for row, suggested in zip(test_rows, suggestions, strict=True):
        codes = [s.code for s in suggested]
        top1 += bool(codes) and codes[0] == row[2]
        top3 += row[2] in codes
    return {"top1": top1 / len(test_rows), "top3": top3 / len(test_rows), "n": len(test_rows)}


# --- The model of this process ----------------------------------------------------------------


def _classified() -> QuerySet[Criterion]:
    return Criterion.objects.filter(
        status=Criterion.Status.CLASSIFIED, component__version__is_current=True
    )


def training_version() -> tuple:
    """What the model depends on, in one query: how many criteria are classified in the
    current grid and when the last one changed."""
    with cross_tenant():
        found = _classified().aggregate(count=Count("id"), last=Max("modified_at"))
    return (found["count"], found["last"])


def training_rows() -> list[TrainingRow]:
    """Every classified criterion of the network in the current grid (read across groups:
    the texts stay in this function and the model; only codes come out of it)."""
    with cross_tenant():
        return list(_classified().values_list("text", "language", "component__code"))


@dataclass
class _State:
    model: SuggestionModel | None = None
    version: tuple | None = None
    checked_at: float = -math.inf
    trained_at: float = -math.inf
    training: bool = False


_state = _State()
_lock = threading.Lock()


def suggestion_model_forget() -> None:
    """Drop this process's model (tests; a new grid)."""
    global _state
    with _lock:
        _state = _State()


def _train_and_keep(version: tuple, state: _State | None = None) -> None:
    # A training started before suggestion_model_forget keeps to the state it began with.
    state = state or _state
    model = suggestion_model_train(training_rows())
    with _lock:
        state.model, state.version = model, version
        state.trained_at = time.monotonic()
    logger.info(
        "suggestion model trained on %d criteria in %.2f s", model.rows, model.trained_seconds
    )


def _train_in_background(version: tuple) -> None:
    state = _state

    def run() -> None:
        try:
            _train_and_keep(version, state)
        except Exception:
            logger.exception("suggestion model training failed")
        finally:
            with _lock:
                state.training = False
            connection.close()

    threading.Thread(target=run, name="suggestion-model", daemon=True).start()


def suggestion_model_warm() -> None:
    """Start training this process's first model in the background (a web worker calls this
    as it starts, so no request waits for the training)."""
    with _lock:
        if _state.model is not None or _state.training:
            return
        _state.training = True
    _train_in_background(training_version())


def suggestion_model() -> SuggestionModel | None:
    """This process's model, trained on first use and refreshed when the classified criteria
    have changed (checked every VERSION_CHECK_SECONDS, retrained at most every
    RETRAIN_MIN_SECONDS, in the background while the previous model keeps answering)."""
    now = time.monotonic()
    with _lock:
        model, version = _state.model, _state.version
        if model is not None and now - _state.checked_at < VERSION_CHECK_SECONDS:
            return model
        _state.checked_at = now
    current = training_version()
    if model is not None and current == version:
        return model
    if model is None:
        with _lock:
            warming = _state.training and BACKGROUND_RETRAIN
        if warming:
            # The worker's first model is being trained (suggestion_model_warm): the page
            # shows no suggestions for these few seconds rather than wait for them.
            return None
        _train_and_keep(current)
        return _state.model
    with _lock:
        due = not _state.training and now - _state.trained_at >= RETRAIN_MIN_SECONDS
        if due and BACKGROUND_RETRAIN:
            _state.training = True
    if due and BACKGROUND_RETRAIN:
        _train_in_background(current)
    elif due:
        _train_and_keep(current)
    return _state.model


def suggest(texts: Sequence[str], language: str | Sequence[str], k: int = 3) -> list:
    """The k most likely components of each text, best first: list[list[Suggestion]]. One
    language for all texts, or one per text."""
    if isinstance(language, str):
        language = [language] * len(texts)
    model = suggestion_model()
    if model is None:
        return [[] for _text in texts]
    return model.suggest(list(texts), list(language), k=k)
