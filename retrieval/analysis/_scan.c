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

static PyMethodDef methods[] = {
    {"token_ids", token_ids, METH_VARARGS,
     "token_ids(text, table) -> (ids, misses) or None: see retrieval/analysis/_scan.c."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
