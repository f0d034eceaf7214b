/* The build's tokenizer loop for English ASCII text, compiled: retrieval/analysis/_scan.c.
 *
 * token_ids(text, table) cuts ``text`` into exactly the tokens of
 * ``tokenizer._TOKEN.findall(text.lower().replace("`", "'"))`` (the tokenizer's pattern
 * ``\d+(?:[.,]\d+)+|(?:[^\W_]\.){2,}|[^\W_]+(?:['’][^\W_]+)*``, tried branch by branch at
 * each word character, as the regex engine does), looks each one up in ``table`` (token →
 * term id, negative for a stopword) and returns ``(ids, misses)``: the ids in order with
 * stopwords left out, and where a token is not in ``table`` the token itself (``misses`` of
 * them), for the caller to number. None when ``text`` is not ASCII (the caller's own path).
 *
 * Optional like _topk.c: without a C compiler the build tokenizes with the regex (same
 * tokens, slower). tests/test_analysis.py checks the tokens against the pattern.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static inline int is_word(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* End of the token starting at s[i] (a word character), branch by branch. */
static Py_ssize_t token_end(const unsigned char *s, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j;
    if (is_digit(s[i])) { /* \d+(?:[.,]\d+)+ */
        j = i;
        while (j < n && is_digit(s[j])) j++;
        int groups = 0;
        while (j + 1 < n && (s[j] == '.' || s[j] == ',') && is_digit(s[j + 1])) {
            j++;
            while (j < n && is_digit(s[j])) j++;
            groups++;
        }
        if (groups) return j;
    }
    j = i; /* (?:[^\W_]\.){2,} */
    int pairs = 0;
    while (j + 1 < n && is_word(s[j]) && s[j + 1] == '.') {
        j += 2;
        pairs++;
    }
    if (pairs >= 2) return j;
    j = i; /* [^\W_]+(?:'[^\W_]+)* */
    while (j < n && is_word(s[j])) j++;
    while (j + 1 < n && s[j] == '\'' && is_word(s[j + 1])) {
        j++;
        while (j < n && is_word(s[j])) j++;
    }
    return j;
}

static PyObject *token_ids(PyObject *self, PyObject *args) {
    PyObject *text, *table;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyDict_Type, &table)) return NULL;
    if (!PyUnicode_IS_ASCII(text)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const unsigned char *raw = PyUnicode_1BYTE_DATA(text);
    unsigned char small[2048];
    unsigned char *s = n <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc(n ? n : 1);
    if (s == NULL) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) { /* lower() and the one ASCII apostrophe to unify */
        unsigned char c = raw[i];
        s[i] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : (c == '`' ? '\'' : c);
    }
    PyObject *ids = PyList_New(0);
    Py_ssize_t misses = 0;
    if (ids == NULL) goto fail;
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_word(s[i])) {
            i++;
            continue;
        }
        Py_ssize_t end = token_end(s, n, i);
        PyObject *token = PyUnicode_FromStringAndSize((const char *)s + i, end - i);
        if (token == NULL) goto fail;
        PyObject *id = PyDict_GetItemWithError(table, token); /* borrowed */
        int failed;
        if (id != NULL) {
            long value = PyLong_AsLong(id);
            if (value == -1 && PyErr_Occurred()) {
                Py_DECREF(token);
                goto fail;
            }
            failed = value >= 0 ? PyList_Append(ids, id) : 0;
        } else if (PyErr_Occurred()) {
            Py_DECREF(token);
            goto fail;
        } else {
            failed = PyList_Append(ids, token);
            misses++;
        }
        Py_DECREF(token);
        if (failed) goto fail;
        i = end;
    }
    if (s != small) PyMem_Free(s);
    return Py_BuildValue("(Nn)", ids, misses);
fail:
    if (s != small) PyMem_Free(s);
    Py_XDECREF(ids);
    return NULL;
}

/* Append ``count`` int32 values to a bytearray. */
static int append_ints(PyObject *out, const int32_t *values, Py_ssize_t count) {
    if (count == 0) return 0;
    Py_ssize_t old = PyByteArray_GET_SIZE(out);
    if (PyByteArray_Resize(out, old + count * (Py_ssize_t)sizeof(int32_t)) < 0) return -1;
    memcpy(PyByteArray_AS_STRING(out) + old, values, count * sizeof(int32_t));
    return 0;
}

/* A growing run of int32 ids. */
typedef struct {
    int32_t *values;
    Py_ssize_t used, room;
} Ids;

static int push(Ids *ids, long value) {
    if (value > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "term id over 2**31");
        return -1;
    }
    if (ids->used == ids->room) {
        Py_ssize_t grown = ids->room ? 2 * ids->room : 1024;
        int32_t *bigger = PyMem_Realloc(ids->values, grown * sizeof(int32_t));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        ids->values = bigger;
        ids->room = grown;
    }
    ids->values[ids->used++] = (int32_t)value;
    return 0;
}

/* Table: ASCII token -> term id (negative: a stopword), an open-addressing hash table in C.
 * What sentence_ids looks tokens up in: no str object is made for a token already entered
 * (most of them), only for a miss, which ``number`` numbers and this table then keeps. */
typedef struct {
    uint64_t hash;
    int64_t offset; /* of the key in the arena */
    int32_t length; /* 0: an empty slot */
    int32_t value;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    size_t mask; /* capacity - 1 (a power of two) */
    size_t used;
    char *arena;
    size_t arena_used, arena_room;
} Table;

static uint64_t hash_bytes(const unsigned char *s, Py_ssize_t n) {
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ULL;
    while (n > 0) {
        uint64_t chunk = 0;
        Py_ssize_t take = n < 8 ? n : 8;
        memcpy(&chunk, s, (size_t)take);
        h = (h ^ chunk) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
        s += take;
        n -= take;
    }
    return h | 1; /* never 0 */
}

static void Table_dealloc(Table *self) {
    PyMem_Free(self->slots);
    PyMem_Free(self->arena);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Table_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    if (!PyArg_ParseTuple(args, "")) return NULL;
    Table *self = (Table *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->mask = 1023;
    self->slots = PyMem_Calloc(self->mask + 1, sizeof(Slot));
    self->arena_room = 1 << 16;
    self->arena = PyMem_Malloc(self->arena_room);
    if (self->slots == NULL || self->arena == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static Py_ssize_t Table_len(Table *self) { return (Py_ssize_t)self->used; }

/* The slot of key (s, n): the one holding it, or the empty one where it would go. */
static Slot *table_find(Table *t, const unsigned char *s, Py_ssize_t n, uint64_t h) {
    size_t i = (size_t)h & t->mask;
    for (;;) {
        Slot *slot = &t->slots[i];
        if (slot->length == 0) return slot;
        if (slot->hash == h && slot->length == n && memcmp(t->arena + slot->offset, s, n) == 0)
            return slot;
        i = (i + 1) & t->mask;
    }
}

static int table_grow(Table *t) {
    size_t capacity = 2 * (t->mask + 1);
    Slot *slots = PyMem_Calloc(capacity, sizeof(Slot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t j = 0; j <= t->mask; j++) {
        Slot *old = &t->slots[j];
        if (old->length == 0) continue;
        size_t i = (size_t)old->hash & (capacity - 1);
        while (slots[i].length != 0) i = (i + 1) & (capacity - 1);
        slots[i] = *old;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->mask = capacity - 1;
    return 0;
}

/* Enter key (s, n) with value into the empty slot found for it. */
static int table_put(Table *t, Slot *slot, const unsigned char *s, Py_ssize_t n, uint64_t h,
                     long value) {
    if (n > INT32_MAX || value > INT32_MAX || value < INT32_MIN) {
        PyErr_SetString(PyExc_OverflowError, "token or id too large");
        return -1;
    }
    if (t->arena_used + (size_t)n > t->arena_room) {
        size_t room = 2 * t->arena_room + (size_t)n;
        char *arena = PyMem_Realloc(t->arena, room);
        if (arena == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        t->arena = arena;
        t->arena_room = room;
    }
    memcpy(t->arena + t->arena_used, s, (size_t)n);
    slot->hash = h;
    slot->offset = (int64_t)t->arena_used;
    slot->length = (int32_t)n;
    slot->value = (int32_t)value;
    t->arena_used += (size_t)n;
    t->used++;
    if (2 * t->used > t->mask + 1) return table_grow(t);
    return 0;
}

static PySequenceMethods Table_as_sequence = {.sq_length = (lenfunc)Table_len};

static PyTypeObject TableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "retrieval.analysis._scan.Table",
    .tp_basicsize = sizeof(Table),
    .tp_dealloc = (destructor)Table_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "ASCII token -> term id, for sentence_ids (see _scan.c).",
    .tp_new = Table_new,
    .tp_as_sequence = &Table_as_sequence,
};

/* The ids of the tokens of ``s`` (``n`` lower-cased ASCII bytes) pushed onto ``ids``:
 * looked up in ``table``, a miss numbered by ``number(token)`` and entered, stopwords
 * (negative) left out. */
static int scan_ascii(const unsigned char *s, Py_ssize_t n, Table *table, PyObject *number,
                      Ids *ids) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_word(s[i])) {
            i++;
            continue;
        }
        Py_ssize_t stop = token_end(s, n, i);
        uint64_t h = hash_bytes(s + i, stop - i);
        Slot *slot = table_find(table, s + i, stop - i, h);
        long value;
        if (slot->length != 0) {
            value = slot->value;
        } else {
            PyObject *token = PyUnicode_New(stop - i, 127); /* ASCII: no decoding to do */
            if (token == NULL) return -1;
            memcpy(PyUnicode_1BYTE_DATA(token), s + i, stop - i);
            PyObject *numbered = PyObject_CallOneArg(number, token);
            Py_DECREF(token);
            if (numbered == NULL) return -1;
            value = PyLong_AsLong(numbered);
            Py_DECREF(numbered);
            if (value == -1 && PyErr_Occurred()) return -1;
            if (table_put(table, slot, s + i, stop - i, h, value) < 0) return -1;
        }
        if (value >= 0 && push(ids, value) < 0) return -1;
        i = stop;
    }
    return 0;
}

/* The ids of a sentence of text that is not all ASCII, whitespace chunk by whitespace chunk
 * (str.split's white space): an ASCII chunk scanned here, any other given to
 * ``chunk_ids(chunk)`` (a list of ids, stopwords already left out). */
static int scan_chunks(PyObject *text, Py_ssize_t start, Py_ssize_t end, Table *table,
                       PyObject *number, PyObject *chunk_ids, Ids *ids, unsigned char *buffer) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = start;
    while (i < end) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        int ascii = 1;
        while (j < end && !Py_UNICODE_ISSPACE(c = PyUnicode_READ(kind, data, j))) {
            if (c >= 128) ascii = 0;
            else buffer[j - i] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32)
                                                        : (c == '`' ? '\'' : (unsigned char)c);
            j++;
        }
        if (ascii) {
            if (scan_ascii(buffer, j - i, table, number, ids) < 0) return -1;
        } else {
            PyObject *chunk = PyUnicode_Substring(text, i, j);
            if (chunk == NULL) return -1;
            PyObject *found = PyObject_CallOneArg(chunk_ids, chunk);
            Py_DECREF(chunk);
            if (found == NULL) return -1;
            if (!PyList_Check(found)) {
                Py_DECREF(found);
                PyErr_SetString(PyExc_TypeError, "chunk_ids must return a list");
                return -1;
            }
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(found); k++) {
                long value = PyLong_AsLong(PyList_GET_ITEM(found, k));
                if ((value == -1 && PyErr_Occurred()) || (value >= 0 && push(ids, value) < 0)) {
                    Py_DECREF(found);
                    return -1;
                }
            }
            Py_DECREF(found);
        }
        i = j;
    }
    return 0;
}

/* sentence_ids(text, spans, table, number, chunk_ids, tokens, rows) -> count
 *
 * The terms of each (start, end) of ``spans`` (sentences of ``text``) in one call: each
 * sentence's ids (stopwords left out) appended to the bytearray ``tokens`` as int32, and the
 * sentence's (start, end, number of ids) to the bytearray ``rows`` as three int32. An ASCII
 * sentence is cut as token_ids cuts it, each token looked up in ``table`` (a Table; a miss
 * numbered by ``number(token)`` and entered in it; negative: a stopword); any other sentence
 * whitespace chunk by chunk, its non-ASCII chunks given to ``chunk_ids`` (the analyzer's own
 * path; no token spans white space, so the terms are the same). Returns the number of ids
 * appended: one call per paragraph, no Python list per sentence. */
static PyObject *sentence_ids(PyObject *self, PyObject *args) {
    PyObject *text, *spans, *number, *chunk_ids, *tokens, *rows;
    Table *table;
    if (!PyArg_ParseTuple(args, "UO!O!OOO!O!", &text, &PyList_Type, &spans, &TableType, &table,
                          &number, &chunk_ids, &PyByteArray_Type, &tokens, &PyByteArray_Type,
                          &rows))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t sentences = PyList_GET_SIZE(spans);
    int ascii = PyUnicode_IS_ASCII(text);
    unsigned char small[4096];
    unsigned char *s = n <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc(n ? n : 1);
    Ids ids = {NULL, 0, 0};
    int32_t *counts = PyMem_Malloc((sentences ? sentences : 1) * 3 * sizeof(int32_t));
    if (s == NULL || counts == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (ascii) {
        const unsigned char *raw = PyUnicode_1BYTE_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = raw[i];
            s[i] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : (c == '`' ? '\'' : c);
        }
    }
    for (Py_ssize_t k = 0; k < sentences; k++) {
        Py_ssize_t start, end;
        PyObject *span = PyList_GET_ITEM(spans, k);
        if (!PyTuple_Check(span) || !PyArg_ParseTuple(span, "nn", &start, &end)) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "spans: (start, end) tuples");
            goto fail;
        }
        if (start < 0 || end > n || start > end || end > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "a span outside the text");
            goto fail;
        }
        Py_ssize_t before = ids.used;
        if (ascii ? scan_ascii(s + start, end - start, table, number, &ids)
                  : scan_chunks(text, start, end, table, number, chunk_ids, &ids, s))
            goto fail;
        counts[3 * k] = (int32_t)start;
        counts[3 * k + 1] = (int32_t)end;
        counts[3 * k + 2] = (int32_t)(ids.used - before);
    }
    if (append_ints(tokens, ids.values, ids.used) < 0 ||
        append_ints(rows, counts, 3 * sentences) < 0)
        goto fail;
    if (s != small) PyMem_Free(s);
    PyMem_Free(ids.values);
    PyMem_Free(counts);
    return PyLong_FromSsize_t(ids.used);
fail:
    if (s != small && s != NULL) PyMem_Free(s);
    PyMem_Free(ids.values);
    PyMem_Free(counts);
    return NULL;
}

/* ---- sentence boundaries of English ASCII text (retrieval/splitting/sentences.py) ---------- */

static inline int ascii_space(unsigned char c) { /* str.isspace() of an ASCII character */
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}
static inline int ascii_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
static inline int word_or_dot(unsigned char c) { return ascii_alnum(c) || c == '_' || c == '.'; }

/* _word_before: the run of [\w.] ending at hi (or just before a line break at hi), within
 * [lo, hi); 0 when there is none, else 1 with start and end set. */
static int word_before(const unsigned char *s, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t *start,
                       Py_ssize_t *end) {
    Py_ssize_t e = hi;
    if (e > lo && s[e - 1] == '\n') {
        e--;
        if (e == lo || !word_or_dot(s[e - 1])) return 0;
    }
    Py_ssize_t b = e;
    while (b > lo && word_or_dot(s[b - 1])) b--;
    if (b >= e) return 0;
    *start = b;
    *end = e;
    return 1;
}

/* token.lower().strip(".") of s[b:e], as a str (for the abbreviation sets); NULL on error. */
static PyObject *lowered_token(const unsigned char *s, Py_ssize_t b, Py_ssize_t e) {
    while (b < e && s[b] == '.') b++;
    while (e > b && s[e - 1] == '.') e--;
    PyObject *token = PyUnicode_New(e - b, 127);
    if (token == NULL) return NULL;
    unsigned char *out = PyUnicode_1BYTE_DATA(token);
    for (Py_ssize_t i = b; i < e; i++)
        out[i - b] = (s[i] >= 'A' && s[i] <= 'Z') ? (unsigned char)(s[i] + 32) : s[i];
    return token;
}

static int in_set(PyObject *set, PyObject *token) { return PySet_Contains(set, token); }

static int all_digits(PyObject *token) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(token);
    const unsigned char *t = PyUnicode_1BYTE_DATA(token);
    if (n == 0) return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (!is_digit(t[i])) return 0;
    return 1;
}

/* _ACRONYM.fullmatch: letter (. letter)+ , lower-cased. */
static int acronym(PyObject *token) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(token);
    const unsigned char *t = PyUnicode_1BYTE_DATA(token);
    if (n < 3 || n % 2 == 0) return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i % 2 == 0 ? !(t[i] >= 'a' && t[i] <= 'z') : t[i] != '.') return 0;
    }
    return 1;
}

#define LOOKBEHIND 64

/* _is_list_number: is the number whose word starts at ws a list marker ("1. Install")? */
static int list_number(const unsigned char *s, Py_ssize_t ws, PyObject *abbreviations,
                       PyObject *numbered) {
    Py_ssize_t lo = ws - LOOKBEHIND > 0 ? ws - LOOKBEHIND : 0, hi = ws;
    while (hi > lo && (s[hi - 1] == ' ' || s[hi - 1] == '\t')) hi--;
    if (hi == lo) return 1;
    unsigned char last = s[hi - 1];
    if (last == '\r' || last == '\n' || last == ':' || last == '!' || last == '?') return 1;
    if (last != '.') return 0;
    Py_ssize_t b, e;
    PyObject *token = word_before(s, lo, hi - 1, &b, &e) ? lowered_token(s, b, e)
                                                          : PyUnicode_New(0, 127);
    if (token == NULL) return -1;
    int found = in_set(abbreviations, token);
    if (found == 0) found = in_set(numbered, token);
    Py_DECREF(token);
    return found < 0 ? -1 : !found;
}

/* _is_boundary for the terminator s[ms:me]; -1 on error. */
static int boundary(const unsigned char *s, Py_ssize_t n, Py_ssize_t ms, Py_ssize_t me,
                    PyObject *abbreviations, PyObject *numbered) {
    Py_ssize_t f = me;
    while (f < n && ascii_space(s[f])) f++;
    if (f == n) return 1;
    unsigned char following = s[f];
    if (following >= 'a' && following <= 'z') return 0;
    if (s[ms] != '.' || (me - ms >= 3 && s[ms + 1] == '.' && s[ms + 2] == '.')) return 1;
    Py_ssize_t b, e;
    if (!word_before(s, ms - LOOKBEHIND > 0 ? ms - LOOKBEHIND : 0, ms, &b, &e)) return 1;
    PyObject *token = lowered_token(s, b, e);
    if (token == NULL) return -1;
    int result;
    int abbreviation = in_set(abbreviations, token);
    Py_ssize_t length = PyUnicode_GET_LENGTH(token);
    const unsigned char *t = PyUnicode_1BYTE_DATA(token);
    if (abbreviation < 0) {
        result = -1;
    } else if (abbreviation || acronym(token)) {
        result = 0;
    } else if (length == 1 && t[0] >= 'a' && t[0] <= 'z') {
        result = 0; /* an initial */
    } else {
        int number_word = is_digit(following) ? in_set(numbered, token) : 0;
        if (number_word < 0) {
            result = -1;
        } else if (number_word) {
            result = 0;
        } else if (all_digits(token) && length <= 3) {
            int listed = list_number(s, b, abbreviations, numbered);
            result = listed < 0 ? -1 : !listed;
        } else {
            result = 1;
        }
    }
    Py_DECREF(token);
    return result;
}

/* The end of the terminator match starting at s[p] (one of . ! ?), or -1 for none. */
static Py_ssize_t terminator_end(const unsigned char *s, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t q = p;
    while (q < n && (s[q] == '.' || s[q] == '!' || s[q] == '?')) q++;
    while (q < n && (s[q] == '"' || s[q] == '\'' || s[q] == ')' || s[q] == ']')) q++;
    if (q < n && s[q] == '[') { /* a footnote marker: [1] to [999] */
        Py_ssize_t d = q + 1;
        while (d < n && d - q <= 3 && is_digit(s[d])) d++;
        if (d > q + 1 && d < n && s[d] == ']' && d - q - 1 <= 3) q = d + 1;
        else return -1;
    }
    if (q < n && !ascii_space(s[q])) return -1;
    return q;
}

/* The starts of the _LIST_ITEM matches, [\r\n][ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+, in order. */
static int list_items(const unsigned char *s, Py_ssize_t n, Ids *out) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (s[i] != '\r' && s[i] != '\n') {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
        int bullet = 0;
        if (j < n && (s[j] == '-' || s[j] == '*' || s[j] == '+')) {
            j++;
            bullet = 1;
        } else {
            Py_ssize_t d = j;
            while (d < n && is_digit(s[d])) d++;
            if (d > j && d - j <= 3 && d < n && (s[d] == '.' || s[d] == ')')) {
                j = d + 1;
                bullet = 1;
            }
        }
        if (bullet && j < n && (s[j] == ' ' || s[j] == '\t')) {
            while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
            if (i > INT32_MAX || push(out, (long)i) < 0) return -1;
            i = j;
        } else {
            i++;
        }
    }
    return 0;
}

/* split_ascii(text, abbreviations, number_abbreviations) -> list of (start, end) or None
 *
 * split_sentences(text, "en") for ASCII text, in one pass (None for any other text: the
 * caller's own path). The two sets are sentences.py's, so its rules stay written once.
 * tests/test_splitting.py checks the spans against split_sentences. */
static PyObject *split_ascii(PyObject *self, PyObject *args) {
    PyObject *text, *abbreviations, *numbered;
    if (!PyArg_ParseTuple(args, "UO!O!", &text, &PyFrozenSet_Type, &abbreviations,
                          &PyFrozenSet_Type, &numbered))
        return NULL;
    if (!PyUnicode_IS_ASCII(text)) Py_RETURN_NONE;
    const unsigned char *s = PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > INT32_MAX) Py_RETURN_NONE;
    Ids cuts = {NULL, 0, 0}, items = {NULL, 0, 0};
    PyObject *spans = NULL;
    Py_ssize_t p = 0;
    while (p < n) {
        if (s[p] != '.' && s[p] != '!' && s[p] != '?') {
            p++;
            continue;
        }
        Py_ssize_t end = terminator_end(s, n, p);
        if (end < 0) {
            p++;
            continue;
        }
        int cut = boundary(s, n, p, end, abbreviations, numbered);
        if (cut < 0 || (cut && push(&cuts, (long)end) < 0)) goto fail;
        p = end;
    }
    if (memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL) {
        if (list_items(s, n, &items) < 0) goto fail;
    }
    spans = PyList_New(0);
    if (spans == NULL) goto fail;
    Py_ssize_t start = 0, a = 0, b = 0;
    for (;;) { /* the two sorted runs of cuts merged, then the end of the text */
        Py_ssize_t cut;
        if (a < cuts.used && (b >= items.used || cuts.values[a] <= items.values[b])) {
            cut = cuts.values[a++];
        } else if (b < items.used) {
            cut = items.values[b++];
        } else if (start <= n) {
            cut = n;
            if (cut <= start) break;
        } else {
            break;
        }
        if (cut <= start) continue;
        Py_ssize_t first = start, last = cut;
        while (first < last && ascii_space(s[first])) first++;
        while (last > first && ascii_space(s[last - 1])) last--;
        if (first < last) {
            PyObject *span = Py_BuildValue("(nn)", first, last);
            if (span == NULL || PyList_Append(spans, span) < 0) {
                Py_XDECREF(span);
                goto fail;
            }
            Py_DECREF(span);
        }
        start = cut;
        if (cut == n) break;
    }
    PyMem_Free(cuts.values);
    PyMem_Free(items.values);
    return spans;
fail:
    PyMem_Free(cuts.values);
    PyMem_Free(items.values);
    Py_XDECREF(spans);
    return NULL;
}

/* postings(ids, lengths, terms) -> (doc, term, tf, first_seen), each bytes of int32
 *
 * The term-major postings of token lists laid end to end (``ids``: int32 term ids below
 * ``terms``; ``lengths``: int32, one per list): for each term in id order, the lists it is in,
 * in order, with its count in each; and the terms in the order they first occur. A counting
 * sort, linear in the tokens: what np.unique on (term, list) keys gives, without sorting. */
static PyObject *postings(PyObject *self, PyObject *args) {
    Py_buffer ids_view, lengths_view;
    Py_ssize_t terms;
    if (!PyArg_ParseTuple(args, "y*y*n", &ids_view, &lengths_view, &terms)) return NULL;
    PyObject *result = NULL;
    const int32_t *ids = ids_view.buf;
    const int32_t *lengths = lengths_view.buf;
    Py_ssize_t n = ids_view.len / (Py_ssize_t)sizeof(int32_t);
    Py_ssize_t lists = lengths_view.len / (Py_ssize_t)sizeof(int32_t);
    int64_t *start = NULL;
    int32_t *fill = NULL, *docs = NULL, *out_doc = NULL, *out_term = NULL, *out_tf = NULL;
    int32_t *first = NULL;
    Py_ssize_t seen = 0, emitted = 0, position = 0;
    if (terms < 0) {
        PyErr_SetString(PyExc_ValueError, "terms must not be negative");
        goto done;
    }
    start = PyMem_Calloc(terms + 1, sizeof(int64_t));
    fill = PyMem_Calloc(terms ? terms : 1, sizeof(int32_t));
    docs = PyMem_Malloc((n ? n : 1) * sizeof(int32_t));
    out_doc = PyMem_Malloc((n ? n : 1) * sizeof(int32_t));
    out_term = PyMem_Malloc((n ? n : 1) * sizeof(int32_t));
    out_tf = PyMem_Malloc((n ? n : 1) * sizeof(int32_t));
    first = PyMem_Malloc((terms ? terms : 1) * sizeof(int32_t));
    if (!start || !fill || !docs || !out_doc || !out_term || !out_tf || !first) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t total = 0;
    for (Py_ssize_t l = 0; l < lists; l++) total += lengths[l];
    if (total != n) {
        PyErr_SetString(PyExc_ValueError, "the lengths do not add up to the ids");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t t = ids[i];
        if (t < 0 || t >= terms) {
            PyErr_SetString(PyExc_ValueError, "a term id out of range");
            goto done;
        }
        if (start[t + 1]++ == 0) first[seen++] = t;
    }
    for (Py_ssize_t t = 0; t < terms; t++) start[t + 1] += start[t];
    for (Py_ssize_t l = 0; l < lists; l++) {
        for (int32_t j = 0; j < lengths[l]; j++, position++) {
            int32_t t = ids[position];
            docs[start[t] + fill[t]++] = (int32_t)l;
        }
    }
    for (Py_ssize_t t = 0; t < terms; t++) {
        for (int64_t i = start[t]; i < start[t + 1]; i++) {
            if (i > start[t] && docs[i] == docs[i - 1]) {
                out_tf[emitted - 1]++;
                continue;
            }
            out_doc[emitted] = docs[i];
            out_term[emitted] = (int32_t)t;
            out_tf[emitted] = 1;
            emitted++;
        }
    }
    result = Py_BuildValue(
        "(y#y#y#y#)", (const char *)out_doc, emitted * (Py_ssize_t)sizeof(int32_t),
        (const char *)out_term, emitted * (Py_ssize_t)sizeof(int32_t), (const char *)out_tf,
        emitted * (Py_ssize_t)sizeof(int32_t), (const char *)first,
        seen * (Py_ssize_t)sizeof(int32_t));
done:
    PyMem_Free(start);
    PyMem_Free(fill);
    PyMem_Free(docs);
    PyMem_Free(out_doc);
    PyMem_Free(out_term);
    PyMem_Free(out_tf);
    PyMem_Free(first);
    PyBuffer_Release(&ids_view);
    PyBuffer_Release(&lengths_view);
    return result;
}

static PyMethodDef methods[] = {
    {"token_ids", token_ids, METH_VARARGS,
     "token_ids(text, table) -> (ids, misses) or None: see retrieval/analysis/_scan.c."},
    {"sentence_ids", sentence_ids, METH_VARARGS,
     "sentence_ids(text, spans, table, number, chunk_ids, tokens, rows) -> count."},
    {"split_ascii", split_ascii, METH_VARARGS,
     "split_ascii(text, abbreviations, number_abbreviations) -> spans or None."},
    {"postings", postings, METH_VARARGS,
     "postings(ids, lengths, terms) -> (doc, term, tf, first_seen) as int32 bytes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__scan(void) {
    if (PyType_Ready(&TableType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&TableType);
    if (PyModule_AddObject(m, "Table", (PyObject *)&TableType) < 0) {
        Py_DECREF(&TableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
