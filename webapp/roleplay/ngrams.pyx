# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""A learned model's n-grams in an open-addressing table with their idf and weights, and a reply's
tf-idf scores computed from it in C (pure, deterministic).

The model reads every character 1-, 2- and 3-gram of a reply. Looked up one by one in a C table,
the ~75 n-grams of a reply cost a few hundred nanoseconds; a Python-level scan (an automaton
yielding one tuple per match, then a Counter) cost twenty times that and was the scorer's largest
item. An n-gram is packed into one 64-bit key (each code point + 1 in 21 bits, so a shorter
n-gram never equals a longer one), and the table maps it to the n-gram's row in the model.
"""
from libc.math cimport log, sqrt
from libc.stdint cimport INT32_MAX, int32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc

import numpy as np

cdef enum:
    MAX_CATEGORIES = 64
    SMALL_REPLY = 256  # characters read without a heap buffer
cdef int NGRAM_MAX = 3
cdef uint64_t GOLDEN = 0x9E3779B97F4A7C15ULL  # Fibonacci hashing: spreads packed keys over the table


cdef inline uint64_t _code(Py_UCS4 char):
    return <uint64_t>char + 1


cdef struct Slot:
    uint64_t key  # 0: empty
    int32_t row


cdef class NgramTable:
    """n-gram → row, for n-grams of one to three characters, and per row its idf and its weight
    in each category (held here, so that a reply's scores do not acquire the arrays each time).

    Each known n-gram of a reply costs a probe of the table and a read of its row; both are
    random reads in a few megabytes, so each is one record on adjacent bytes — the slot holds
    the key and the row number, the row holds the count, the idf and the weights — and a lookup
    touches two or three cache lines, not one per array."""

    cdef Slot *slots
    cdef Py_ssize_t mask
    cdef int shift
    cdef Py_ssize_t columns
    cdef Py_ssize_t stride  # bytes per row: stamp and count (int32 each), idf, then the weights
    cdef char *data
    # Counting a reply's n-grams: a row's count is current while its stamp is this call's (no
    # clearing, no sorting). scores() never lets go of the GIL, so no other thread interleaves.
    cdef int32_t stamp
    cdef Py_ssize_t size

    def __cinit__(self):
        self.slots = NULL
        self.data = NULL

    def __dealloc__(self):
        free(self.slots)
        free(self.data)

    def __init__(self, ngrams, const double[::1] idf, const double[:, ::1] weights):
        if not len(ngrams) == idf.shape[0] == weights.shape[0]:
            raise ValueError("one idf and one row of weights per n-gram")
        if weights.shape[1] > MAX_CATEGORIES:
            raise ValueError(f"at most {MAX_CATEGORIES} categories")
        self.size = len(ngrams)
        self.columns = weights.shape[1]
        self.stride = 8 * (2 + self.columns)
        self.data = <char *>calloc(max(self.size, 1), self.stride)
        cdef Py_ssize_t slots = 1
        cdef int bits = 0
        while slots < 2 * self.size + 2:  # at most half full: short probe runs
            slots *= 2
            bits += 1
        self.shift = 64 - bits
        self.mask = slots - 1
        self.slots = <Slot *>calloc(slots, sizeof(Slot))
        if self.data == NULL or self.slots == NULL:
            raise MemoryError()
        self.stamp = 0
        cdef Py_ssize_t row, column
        cdef uint64_t key
        cdef Slot *slot
        cdef double *numbers
        for row, ngram in enumerate(ngrams):
            if not 1 <= len(ngram) <= NGRAM_MAX:
                raise ValueError(f"n-gram {ngram!r}: one to {NGRAM_MAX} characters")
            key = _pack(ngram)
            slot = self._slot(key)
            if slot.key == key:
                raise ValueError(f"n-gram {ngram!r} twice")
            slot.key = key
            slot.row = <int32_t>row
            numbers = <double *>(self.data + row * self.stride)
            numbers[1] = idf[row]
            for column in range(self.columns):
                numbers[2 + column] = weights[row, column]

    cdef inline Slot *_slot(self, uint64_t key) noexcept:
        """The slot holding ``key``, or the empty slot where it would go."""
        cdef Py_ssize_t index = <Py_ssize_t>((key * GOLDEN) >> self.shift)
        while self.slots[index].key != 0 and self.slots[index].key != key:
            index = (index + 1) & self.mask
        return &self.slots[index]

    cdef inline int32_t _row(self, uint64_t key) noexcept:
        cdef Slot *slot = self._slot(key)
        return slot.row if slot.key == key else -1

    cdef Py_ssize_t _lookup(self, str text, int32_t *rows, Py_ssize_t *lasts) noexcept:
        """Writes the row (and, when ``lasts`` is given, the last index) of every known n-gram of
        ``text`` -- by position, then length -- into buffers of 3 × len(text); returns how many."""
        cdef Py_ssize_t start, length, count = 0, n = len(text)
        cdef uint64_t key
        cdef int32_t row
        for start in range(n):
            key = 0
            for length in range(min(NGRAM_MAX, n - start)):
                key |= _code(text[start + length]) << (21 * length)
                row = self._row(key)
                if row >= 0:
                    rows[count] = row
                    if lasts != NULL:
                        lasts[count] = start + length
                    count += 1
        return count

    def matches(self, str text) -> list:
        """(last index, row) of every known n-gram of ``text``, by position then length."""
        cdef Py_ssize_t size = 3 * len(text) + 1
        cdef int32_t *rows = <int32_t *>malloc(size * sizeof(int32_t))
        cdef Py_ssize_t *lasts = <Py_ssize_t *>malloc(size * sizeof(Py_ssize_t))
        cdef Py_ssize_t index, count
        try:
            if rows == NULL or lasts == NULL:
                raise MemoryError()
            count = self._lookup(text, rows, lasts)
            return [(lasts[index], rows[index]) for index in range(count)]
        finally:
            free(rows)
            free(lasts)

    def scores(self, str text) -> list:
        """Each category's weighted sum over the tf-idf vector of ``text``: sublinear tf
        (1 + log count) times idf, scaled to unit length -- exactly TfidfVectorizer(
        sublinear_tf=True) -- dotted with the category's weights."""
        cdef Py_ssize_t columns = self.columns
        cdef Py_ssize_t n = len(text)
        cdef int32_t small[3 * SMALL_REPLY]
        cdef int32_t *found = small
        if n > SMALL_REPLY:
            found = <int32_t *>malloc(3 * n * sizeof(int32_t))
            if found == NULL:
                raise MemoryError()
        cdef double sums[MAX_CATEGORIES]
        cdef Py_ssize_t count, distinct, index, column, row
        cdef int32_t *tally  # a row's stamp, then its count
        cdef double *numbers  # a row's idf, then its weights
        cdef double value, square = 0.0, norm
        try:
            count = self._lookup(text, found, NULL)
            if self.stamp == INT32_MAX:  # after two billion replies: every stamp is stale again
                for row in range(self.size):
                    (<int32_t *>(self.data + row * self.stride))[0] = 0
                self.stamp = 0
            self.stamp += 1
            distinct = 0
            for index in range(count):  # each distinct n-gram once, in order of first occurrence
                tally = <int32_t *>(self.data + found[index] * self.stride)
                if tally[0] != self.stamp:
                    tally[0] = self.stamp
                    tally[1] = 0
                    found[distinct] = found[index]
                    distinct += 1
                tally[1] += 1
            for column in range(columns):
                sums[column] = 0.0
            for index in range(distinct):
                tally = <int32_t *>(self.data + found[index] * self.stride)
                numbers = (<double *>tally) + 1
                value = numbers[0]
                if tally[1] > 1:
                    value *= 1.0 + log(<double>tally[1])
                square += value * value
                for column in range(columns):
                    sums[column] += value * numbers[1 + column]
        finally:
            if found != small:
                free(found)
        norm = sqrt(square)
        if norm == 0.0:
            return [0.0] * columns
        return [sums[column] / norm for column in range(columns)]


cdef uint64_t _pack(str ngram):
    cdef uint64_t key = 0
    cdef Py_ssize_t position
    for position in range(len(ngram)):
        key |= _code(ngram[position]) << (21 * position)
    return key
