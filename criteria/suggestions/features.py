"""Text features for the suggestion model: texts normalised, cut into words, pairs of words and
character n-grams, hashed into a fixed space with numpy, as sparse rows."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Words and pairs of words hash into the lower half of the feature space, character n-grams
# into the upper half: the neighbour index keeps words only, and tells them apart by range.
HASH_BITS = 20
DIMENSION = 1 << HASH_BITS
WORD_SPACE = DIMENSION >> 1
CHAR_NGRAMS = (4, 5)
# Character n-grams weigh less than words: there are many more of them per text.
CHAR_WEIGHT = 0.3
# Texts are featurised this many at a time, to bound the memory of the numpy temporaries.
CHUNK_TEXTS = 20_000

_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALT_WORD = np.uint64(0x51ED270B)
_SALT_PAIR = np.uint64(0x2545F491)
_SEPARATOR = "\x00"
_COMBINING = re.compile("[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^\w\x00]+|_")


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
