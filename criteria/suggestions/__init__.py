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

The model itself lives in criteria/suggestions/features.py (texts to hashed vectors) and
criteria/suggestions/model.py (centroids and neighbours). This module trains it and keeps the
process's model, with the knobs that tests and the bench turn (LANGUAGE_MIN_ROWS,
BACKGROUND_RETRAIN...), so that setting them here is what the training reads.
"""

import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Max, QuerySet

from criteria.models import Criterion
from criteria.suggestions.features import (
    DIMENSION,
    _row_normalise,
    _Vectors,
    texts_featurise,
    texts_normalise,
)
from criteria.suggestions.model import (
    NEIGHBOUR_MAX_DF,
    NEIGHBOUR_MAX_ROWS,
    NEIGHBOURS,
    Suggestion,
    SuggestionModel,
    _Centroids,
    _language_key,
    _Neighbours,
)
from wikispiral.tenancy import cross_tenant

__all__ = [
    "METHODS",
    "NEIGHBOURS",
    "Suggestion",
    "SuggestionModel",
    "TrainingRow",
    "suggest",
    "suggestion_accuracy",
    "suggestion_model",
    "suggestion_model_forget",
    "suggestion_model_train",
    "suggestion_model_warm",
    "texts_featurise",
    "texts_normalise",
    "training_rows",
    "training_version",
]

logger = logging.getLogger(__name__)

# (text, language, component code): one classified criterion, as the model learns from it.
TrainingRow = tuple[str, str, str]

# A language gets centroids of its own from this many classified criteria on; below, its texts
# are compared with the network's centroids (all languages together).
LANGUAGE_MIN_ROWS = 200

# The in-process model is checked against the database at most this often...
VERSION_CHECK_SECONDS = 30.0
# ...and retrained at most this often; a stale model keeps answering while a new one trains.
RETRAIN_MIN_SECONDS = 300.0
# Retrain in a background thread (tests turn this off to stay deterministic).
BACKGROUND_RETRAIN = True

METHODS = ("hybrid", "centroid", "knn")


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
    **options: Any,
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
