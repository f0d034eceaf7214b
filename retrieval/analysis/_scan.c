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

/* The ids of the tokens of ``s`` (``n`` lower-cased ASCII bytes) pushed onto ``ids``:
 * looked up in ``table``, a miss numbered by ``number(token)``, stopwords (negative) left out. */
static int scan_ascii(const unsigned char *s, Py_ssize_t n, PyObject *table, PyObject *number,
                      Ids *ids) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_word(s[i])) {
            i++;
            continue;
        }
        Py_ssize_t stop = token_end(s, n, i);
        PyObject *token = PyUnicode_New(stop - i, 127); /* ASCII: no decoding to do */
        if (token == NULL) return -1;
        memcpy(PyUnicode_1BYTE_DATA(token), s + i, stop - i);
        PyObject *id = PyDict_GetItemWithError(table, token); /* borrowed */
        long value;
        if (id != NULL) {
            value = PyLong_AsLong(id);
        } else if (PyErr_Occurred()) {
            Py_DECREF(token);
            return -1;
        } else {
            PyObject *numbered = PyObject_CallOneArg(number, token);
            if (numbered == NULL) {
                Py_DECREF(token);
                return -1;
            }
            value = PyLong_AsLong(numbered);
            Py_DECREF(numbered);
        }
        Py_DECREF(token);
        if (value == -1 && PyErr_Occurred()) return -1;
        if (value >= 0 && push(ids, value) < 0) return -1;
        i = stop;
    }
    return 0;
}

/* The ids of a sentence of text that is not all ASCII, whitespace chunk by whitespace chunk
 * (str.split's white space): an ASCII chunk scanned here, any other given to
 * ``chunk_ids(chunk)`` (a list of ids, stopwords already left out). */
static int scan_chunks(PyObject *text, Py_ssize_t start, Py_ssize_t end, PyObject *table,
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
 * sentence is cut as token_ids cuts it, each token looked up in ``table`` (a miss numbered by
 * ``number(token)``, which enters it in ``table``; negative: a stopword); any other sentence
 * whitespace chunk by chunk, its non-ASCII chunks given to ``chunk_ids`` (the analyzer's own
 * path; no token spans white space, so the terms are the same). Returns the number of ids
 * appended: one call per paragraph, no Python list per sentence. */
static PyObject *sentence_ids(PyObject *self, PyObject *args) {
    PyObject *text, *spans, *table, *number, *chunk_ids, *tokens, *rows;
    if (!PyArg_ParseTuple(args, "UO!O!OOO!O!", &text, &PyList_Type, &spans, &PyDict_Type,
                          &table, &number, &chunk_ids, &PyByteArray_Type, &tokens,
                          &PyByteArray_Type, &rows))
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
    {"postings", postings, METH_VARARGS,
     "postings(ids, lengths, terms) -> (doc, term, tf, first_seen) as int32 bytes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
