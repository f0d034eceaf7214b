/*
 * Exact BM25 top-k by MaxScore over paragraph-ordered postings: the compiled inner loop of
 * retrieval/index.py (which falls back to numpy when this module could not be built).
 *
 * Exactness: each weight is rank-bm25's expression, in its operation order,
 *     idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + (b * dl) / avgdl)))
 * and a paragraph's score adds the weights of the question's terms in question order (repeats
 * included), as get_scores does. Built with -ffp-contract=off so no multiply-add is fused: the
 * doubles are bit-for-bit numpy's. Ties are broken by paragraph number (lower first).
 *
 * Pruning: terms sorted by their largest possible contribution (ub); the longest prefix whose
 * ub sum cannot reach the current k-th score is "non-essential": a paragraph holding only those
 * terms cannot enter the top k, so candidates come from the essential terms' lists only and the
 * others are searched (galloping) just for those candidates, and only while they could matter.
 * Block-max: each term's postings come in blocks of block_size with their best weight stored;
 * a run of paragraphs whose blocks together cannot beat the k-th score is skipped whole (what
 * makes a question whose only known word is in half the corpus quick).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 1e-12 /* rounding slack when comparing float sums of bounds to real scores */

typedef struct {
    const int64_t *ptr;
    const int32_t *docs;
    const void *tfs;
    int tf_size;
    const void *doc_len;
    int len_size;
    const double *idf;
    const double *max_tf_part;
    const int64_t *block_ptr;
    const double *block_max;
    int64_t block_size;
} Index;

static inline uint64_t read_uint(const void *base, int size, int64_t i) {
    switch (size) {
    case 1: return ((const uint8_t *)base)[i];
    case 2: return ((const uint16_t *)base)[i];
    case 4: return ((const uint32_t *)base)[i];
    default: return ((const uint64_t *)base)[i];
    }
}

/* The worst of the kept results sits at heap[0]: lowest score, and on a tie the later paragraph. */
static inline int worse(double sa, int64_t da, double sb, int64_t db) {
    return sa < sb || (sa == sb && da > db);
}

static void sift_down(double *hs, int64_t *hd, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(hs[l], hd[l], hs[m], hd[m])) m = l;
        if (r < n && worse(hs[r], hd[r], hs[m], hd[m])) m = r;
        if (m == i) return;
        double ts = hs[i]; hs[i] = hs[m]; hs[m] = ts;
        int64_t td = hd[i]; hd[i] = hd[m]; hd[m] = td;
        i = m;
    }
}

static void sift_up(double *hs, int64_t *hd, int i) {
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!worse(hs[i], hd[i], hs[p], hd[p])) return;
        double ts = hs[i]; hs[i] = hs[p]; hs[p] = ts;
        int64_t td = hd[i]; hd[i] = hd[p]; hd[p] = td;
        i = p;
    }
}

/* First position in [pos, end) whose paragraph is >= target (galloping, then binary search). */
static inline int64_t advance(const int32_t *docs, int64_t pos, int64_t end, int32_t target) {
    if (pos >= end || docs[pos] >= target) return pos;
    int64_t step = 1, lo = pos, hi = pos + 1;
    while (hi < end && docs[hi] < target) {
        lo = hi;
        step <<= 1;
        hi = pos + step;
    }
    if (hi > end) hi = end;
    /* docs[lo] < target; answer in (lo, hi] */
    while (lo + 1 < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (docs[mid] < target) lo = mid; else hi = mid;
    }
    return hi;
}

static PyObject *top_k(PyObject *self, PyObject *args) {
    Py_buffer b_ptr, b_docs, b_tfs, b_len, b_idf, b_max, b_bptr, b_bmax, b_query, b_out_docs,
        b_out_scores;
    int tf_size, len_size, k;
    long long block_size;
    double k1, b, avgdl;
    if (!PyArg_ParseTuple(args, "y*y*y*iy*iy*y*y*y*Ly*idddw*w*", &b_ptr, &b_docs, &b_tfs,
                          &tf_size, &b_len, &len_size, &b_idf, &b_max, &b_bptr, &b_bmax,
                          &block_size, &b_query, &k, &k1, &b, &avgdl, &b_out_docs,
                          &b_out_scores))
        return NULL;
    Index ix = {b_ptr.buf,  b_docs.buf, b_tfs.buf,  tf_size,   b_len.buf,          len_size,
                b_idf.buf,  b_max.buf,  b_bptr.buf, b_bmax.buf, (int64_t)block_size};
    const int64_t *query = b_query.buf;
    Py_ssize_t n_tokens = b_query.len / (Py_ssize_t)sizeof(int64_t);
    int64_t *out_docs = b_out_docs.buf;
    double *out_scores = b_out_scores.buf;
    long result = 0;

    int n = 0; /* unique terms */
    int64_t *term = malloc(sizeof(int64_t) * (n_tokens + 1));
    int *count = calloc(n_tokens + 1, sizeof(int));
    int *token_term = malloc(sizeof(int) * (n_tokens + 1));
    double *ub = malloc(sizeof(double) * (n_tokens + 1));
    double *weight = malloc(sizeof(double) * (n_tokens + 1));
    int *order = malloc(sizeof(int) * (n_tokens + 1));
    double *prefix = malloc(sizeof(double) * (n_tokens + 1));
    int64_t *cur = malloc(sizeof(int64_t) * (n_tokens + 1));
    int64_t *end = malloc(sizeof(int64_t) * (n_tokens + 1));
    int64_t *first = malloc(sizeof(int64_t) * (n_tokens + 1));
    int64_t *blk_end = malloc(sizeof(int64_t) * (n_tokens + 1)); /* cached current block */
    int64_t *blk_doc = malloc(sizeof(int64_t) * (n_tokens + 1));
    double *blk_w = malloc(sizeof(double) * (n_tokens + 1));
    double *hs = malloc(sizeof(double) * (k + 1));
    int64_t *hd = malloc(sizeof(int64_t) * (k + 1));
    if (!term || !count || !token_term || !ub || !weight || !order || !prefix || !cur || !end ||
        !first || !blk_end || !blk_doc || !blk_w || !hs || !hd || k <= 0 || block_size <= 0 || b_out_docs.len < (Py_ssize_t)(k * sizeof(int64_t)) ||
        b_out_scores.len < (Py_ssize_t)(k * sizeof(double))) {
        result = -1;
        goto done;
    }

    const int64_t n_terms = b_ptr.len / (Py_ssize_t)sizeof(int64_t) - 1;
    const int64_t n_postings = b_docs.len / (Py_ssize_t)sizeof(int32_t);
    const int64_t n_docs = b_len.len / len_size;
    const int64_t n_blocks = b_bmax.len / (Py_ssize_t)sizeof(double);
    if (n_terms < 0 || b_tfs.len / tf_size < n_postings ||
        b_idf.len / (Py_ssize_t)sizeof(double) < n_terms ||
        b_max.len / (Py_ssize_t)sizeof(double) < n_terms ||
        b_bptr.len / (Py_ssize_t)sizeof(int64_t) < n_terms + 1) {
        result = -1;
        goto done;
    }

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < n_tokens && result == 0; j++) {
        if (query[j] < 0 || query[j] >= n_terms) { result = -3; break; }
        int u;
        for (u = 0; u < n && term[u] != query[j]; u++) {}
        if (u == n) { term[n] = query[j]; n++; }
        count[u]++;
        token_term[j] = u;
    }
    for (int u = 0; u < n && result == 0; u++) {
        /* A damaged saved index must give an error, never a read outside the arrays. */
        int64_t lo = ix.ptr[term[u]], hi = ix.ptr[term[u] + 1];
        int64_t blocks = (hi - lo + ix.block_size - 1) / ix.block_size;
        if (lo < 0 || hi < lo || hi > n_postings || ix.block_ptr[term[u]] < 0 ||
            ix.block_ptr[term[u]] + blocks > n_blocks) {
            result = -3;
            break;
        }
        double idf = ix.idf[term[u]];
        if (idf < 0) { result = -2; break; } /* pruning needs weights >= 0 */
        ub[u] = count[u] * idf * ix.max_tf_part[term[u]];
        cur[u] = first[u] = ix.ptr[term[u]];
        blk_end[u] = cur[u]; /* no block cached yet */
        end[u] = ix.ptr[term[u] + 1];
        order[u] = u;
    }
    if (result == 0) {
        for (int i = 1; i < n; i++) { /* by ub ascending: few terms, insertion sort */
            int v = order[i], j = i - 1;
            while (j >= 0 && ub[order[j]] > ub[v]) { order[j + 1] = order[j]; j--; }
            order[j + 1] = v;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) { sum += ub[order[i]]; prefix[i] = sum; }

        const double k1p1 = k1 + 1.0, one_minus_b = 1.0 - b;
        int size = 0, essential = 0; /* order[0 .. essential-1] are non-essential */
        double theta = 0.0;
        for (;;) {
            int64_t doc = INT64_MAX;
            for (int i = essential; i < n; i++) {
                int u = order[i];
                if (cur[u] < end[u] && ix.docs[cur[u]] < doc) doc = ix.docs[cur[u]];
            }
            if (doc == INT64_MAX) break;
            if (doc < 0 || doc >= n_docs) { result = -3; break; } /* damaged: stop, say so */
            if (size == k) {
                /* Block-max skip: up to the first end of an essential term's current block, no
                   paragraph can beat theta if even the blocks' best weights cannot. Each
                   term's current block (its bound and last paragraph) is remembered until its
                   cursor leaves it. */
                double bound = essential > 0 ? prefix[essential - 1] : 0.0;
                int64_t upto = INT64_MAX;
                for (int i = essential; i < n; i++) {
                    int u = order[i];
                    if (cur[u] >= end[u]) continue;
                    if (cur[u] >= blk_end[u]) {
                        int64_t blk = (cur[u] - first[u]) / ix.block_size;
                        blk_w[u] = count[u] * ix.idf[term[u]] *
                                   ix.block_max[ix.block_ptr[term[u]] + blk];
                        int64_t last = first[u] + (blk + 1) * ix.block_size;
                        if (last > end[u]) last = end[u];
                        blk_end[u] = last;
                        blk_doc[u] = ix.docs[last - 1];
                    }
                    bound += blk_w[u];
                    if (blk_doc[u] < upto) upto = blk_doc[u];
                }
                if (bound * (1 + MARGIN) <= theta) {
                    for (int i = essential; i < n; i++) {
                        int u = order[i];
                        cur[u] = advance(ix.docs, cur[u], end[u], (int32_t)(upto + 1));
                    }
                    continue;
                }
            }
            double dl = (double)read_uint(ix.doc_len, ix.len_size, doc);
            double norm = k1 * (one_minus_b + (b * dl) / avgdl);
            double found = 0.0;
            for (int u = 0; u < n; u++) weight[u] = 0.0;
            for (int i = n - 1; i >= essential; i--) {
                int u = order[i];
                if (cur[u] < end[u] && ix.docs[cur[u]] == doc) {
                    double tf = (double)read_uint(ix.tfs, ix.tf_size, cur[u]);
                    weight[u] = ix.idf[term[u]] * ((tf * k1p1) / (tf + norm));
                    found += count[u] * weight[u];
                    cur[u]++;
                }
            }
            int skip = 0;
            for (int i = essential - 1; i >= 0; i--) {
                if (size == k && (found + prefix[i]) * (1 + MARGIN) <= theta) { skip = 1; break; }
                int u = order[i];
                cur[u] = advance(ix.docs, cur[u], end[u], (int32_t)doc);
                if (cur[u] < end[u] && ix.docs[cur[u]] == doc) {
                    double tf = (double)read_uint(ix.tfs, ix.tf_size, cur[u]);
                    weight[u] = ix.idf[term[u]] * ((tf * k1p1) / (tf + norm));
                    found += count[u] * weight[u];
                }
            }
            if (skip) continue;
            double score = 0.0;
            for (Py_ssize_t j = 0; j < n_tokens; j++) score += weight[token_term[j]];
            if (!(score > 0)) continue;
            if (size < k) {
                hs[size] = score; hd[size] = doc; sift_up(hs, hd, size); size++;
            } else if (score > theta) { /* equal: the earlier paragraph already kept wins */
                hs[0] = score; hd[0] = doc; sift_down(hs, hd, size, 0);
            } else {
                continue;
            }
            if (size == k) {
                theta = hs[0];
                while (essential < n && prefix[essential] * (1 + MARGIN) < theta) essential++;
            }
        }
        /* best first: repeatedly take the worst off the heap into the back of the output */
        if (result == 0) result = size;
        for (int i = size - 1; i >= 0; i--) {
            out_scores[i] = hs[0]; out_docs[i] = hd[0];
            hs[0] = hs[i]; hd[0] = hd[i];
            sift_down(hs, hd, i, 0);
        }
    }
    Py_END_ALLOW_THREADS

done:
    free(term); free(count); free(token_term); free(ub); free(weight); free(order); free(prefix);
    free(cur); free(end); free(first); free(blk_end); free(blk_doc); free(blk_w); free(hs);
    free(hd);
    PyBuffer_Release(&b_ptr); PyBuffer_Release(&b_docs); PyBuffer_Release(&b_tfs);
    PyBuffer_Release(&b_len); PyBuffer_Release(&b_idf); PyBuffer_Release(&b_max);
    PyBuffer_Release(&b_bptr); PyBuffer_Release(&b_bmax);
    PyBuffer_Release(&b_query); PyBuffer_Release(&b_out_docs); PyBuffer_Release(&b_out_scores);
    return PyLong_FromLong(result);
}

/* A pointer array's element i: uint32 or int64 (the saved index keeps the smaller when it fits). */
static inline int64_t read_ptr(const void *base, int size, int64_t i) {
    return size == 4 ? (int64_t)((const uint32_t *)base)[i] : ((const int64_t *)base)[i];
}

/*
 * Re-ranking's view of candidate paragraphs (retrieval/index/sentences.py, question_marks):
 * for each paragraph row, a bit mask per sentence of the question terms it holds (bit j: the
 * j-th of the sorted question term ids) and the codes a * 64 + b of the adjacent pairs of
 * question terms in the paragraph's terms. Reads only the sentence and term pointers and the
 * term ids, each bounds-checked; what it read is written to ranges (row, first sentence, end
 * sentence, first term, end term per row) for the caller to verify against the checksums
 * before it uses the result. Returns 0; -1 for arguments that do not fit together (pointer
 * sizes, output lengths, a token pointer array shorter than the sentences: a damaged table
 * when they come from a saved index, never worth a retry); -3 for a pointer or id out of range
 * or order (damaged; the caller then reads those rows in Python, which says what is wrong); or
 * -4 when masks or pairs is too small, with the room needed written to mask_ptr[n_rows] and
 * pair_ptr[n_rows] (masks: the rows' sentences; pairs: their terms, a bound), for one retry.
 */
static PyObject *question_marks(PyObject *self, PyObject *args) {
    Py_buffer b_sptr, b_tptr, b_tokens, b_rows, b_qids, b_msptr, b_masks, b_pptr, b_pairs, b_ranges;
    long long n_sentences, vocabulary;
    int sptr_size, tptr_size; /* the pointer arrays' element sizes: 4 (uint32) or 8 (int64) */
    if (!PyArg_ParseTuple(args, "y*iy*iy*LLy*y*w*w*w*w*w*", &b_sptr, &sptr_size, &b_tptr,
                          &tptr_size, &b_tokens, &n_sentences, &vocabulary, &b_rows, &b_qids,
                          &b_msptr, &b_masks, &b_pptr, &b_pairs, &b_ranges))
        return NULL;
    const void *sptr = b_sptr.buf, *tptr = b_tptr.buf;
    const int64_t *rows = b_rows.buf, *qids = b_qids.buf;
    const int32_t *tokens = b_tokens.buf;
    int64_t *msptr = b_msptr.buf, *pptr = b_pptr.buf, *ranges = b_ranges.buf;
    uint64_t *masks = b_masks.buf;
    int32_t *pairs = b_pairs.buf;
    if ((sptr_size != 4 && sptr_size != 8) || (tptr_size != 4 && tptr_size != 8)) {
        PyBuffer_Release(&b_sptr); PyBuffer_Release(&b_tptr); PyBuffer_Release(&b_tokens);
        PyBuffer_Release(&b_rows); PyBuffer_Release(&b_qids); PyBuffer_Release(&b_msptr);
        PyBuffer_Release(&b_masks); PyBuffer_Release(&b_pptr); PyBuffer_Release(&b_pairs);
        PyBuffer_Release(&b_ranges);
        return PyLong_FromLong(-1);
    }
    const int64_t n_sptr = b_sptr.len / sptr_size;
    const int64_t n_tptr = b_tptr.len / tptr_size;
    const int64_t n_tokens = b_tokens.len / (Py_ssize_t)sizeof(int32_t);
    const int64_t n_rows = b_rows.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t n_q = b_qids.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t mask_room = b_masks.len / (Py_ssize_t)sizeof(uint64_t);
    const int64_t pair_room = b_pairs.len / (Py_ssize_t)sizeof(int32_t);
    long result = 0;
    if (n_q > 64 || b_msptr.len < (Py_ssize_t)((n_rows + 1) * sizeof(int64_t)) ||
        b_pptr.len < (Py_ssize_t)((n_rows + 1) * sizeof(int64_t)) ||
        b_ranges.len < (Py_ssize_t)(5 * n_rows * sizeof(int64_t)) || n_sentences + 1 > n_tptr) {
        result = -1;
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    int64_t m = 0, p = 0;
    msptr[0] = 0;
    pptr[0] = 0;
    for (int64_t r = 0; r < n_rows && result == 0; r++) {
        int64_t row = rows[r];
        if (row < 0 || row + 1 >= n_sptr) { result = -3; break; }
        int64_t lo = read_ptr(sptr, sptr_size, row), hi = read_ptr(sptr, sptr_size, row + 1);
        if (!(0 <= lo && lo <= hi && hi <= n_sentences)) { result = -3; break; }
        int64_t first = read_ptr(tptr, tptr_size, lo), last = read_ptr(tptr, tptr_size, hi);
        if (!(0 <= first && first <= last && last <= n_tokens)) { result = -3; break; }
        if (m + (hi - lo) > mask_room || p + (last - first) > pair_room) {
            /* Out of room: add up what every row needs (pointers checked as above). */
            int64_t need_masks = m, need_pairs = p;
            for (int64_t q = r; q < n_rows && result == 0; q++) {
                int64_t qrow = rows[q];
                if (qrow < 0 || qrow + 1 >= n_sptr) { result = -3; break; }
                int64_t qlo = read_ptr(sptr, sptr_size, qrow);
                int64_t qhi = read_ptr(sptr, sptr_size, qrow + 1);
                if (!(0 <= qlo && qlo <= qhi && qhi <= n_sentences)) { result = -3; break; }
                int64_t qfirst = read_ptr(tptr, tptr_size, qlo);
                int64_t qlast = read_ptr(tptr, tptr_size, qhi);
                if (!(0 <= qfirst && qfirst <= qlast && qlast <= n_tokens)) { result = -3; break; }
                need_masks += qhi - qlo;
                need_pairs += qlast - qfirst;
            }
            if (result == 0) {
                msptr[n_rows] = need_masks;
                pptr[n_rows] = need_pairs;
                result = -4;
            }
            break;
        }
        int prev = -1;
        for (int64_t s = lo; s < hi && result == 0; s++) {
            int64_t a = read_ptr(tptr, tptr_size, s), b = read_ptr(tptr, tptr_size, s + 1);
            if (a < first || b < a || b > last) { result = -3; break; } /* not monotone */
            uint64_t mask = 0;
            for (int64_t t = a; t < b; t++) {
                int64_t id = tokens[t];
                if (id < 0 || id >= vocabulary) { result = -3; break; }
                int64_t l = 0, h = n_q; /* binary search among the sorted question ids */
                while (l < h) {
                    int64_t mid = (l + h) / 2;
                    if (qids[mid] < id) l = mid + 1; else h = mid;
                }
                int j = (l < n_q && qids[l] == id) ? (int)l : -1;
                if (j >= 0) {
                    mask |= (uint64_t)1 << j;
                    if (prev >= 0) pairs[p++] = prev * 64 + j;
                }
                prev = j;
            }
            masks[m++] = mask;
        }
        msptr[r + 1] = m;
        pptr[r + 1] = p;
        int64_t *range = ranges + 5 * r;
        range[0] = row; range[1] = lo; range[2] = hi; range[3] = first; range[4] = last;
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&b_sptr); PyBuffer_Release(&b_tptr); PyBuffer_Release(&b_tokens);
    PyBuffer_Release(&b_rows); PyBuffer_Release(&b_qids); PyBuffer_Release(&b_msptr);
    PyBuffer_Release(&b_masks); PyBuffer_Release(&b_pptr); PyBuffer_Release(&b_pairs);
    PyBuffer_Release(&b_ranges);
    return PyLong_FromLong(result);
}

static PyMethodDef methods[] = {
    {"question_marks", question_marks, METH_VARARGS,
     "question_marks(sentence_ptr, sptr_size, token_ptr, tptr_size, tokens, n_sentences, "
     "vocabulary, rows, qids, "
     "mask_ptr, masks, pair_ptr, pairs, ranges) -> 0, -1 (arguments that do not fit), -3 "
     "(out of range or order) or -4 (out of room; the room needed in mask_ptr[n_rows], "
     "pair_ptr[n_rows]): see _topk.c"},
    {"top_k", top_k, METH_VARARGS,
     "top_k(ptr, docs, tfs, tf_size, doc_len, len_size, idf, max_tf_part, block_ptr, "
     "block_max, block_size, query, k, k1, b, avgdl, out_docs, out_scores) -> n "
     "(-1: bad arguments, -2: a negative IDF, use numpy, -3: damaged postings)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_topk",
                                    "Exact BM25 top-k (MaxScore), see _topk.c.", -1, methods};

PyMODINIT_FUNC PyInit__topk(void) { return PyModule_Create(&module); }
