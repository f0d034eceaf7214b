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
 * Postings are read compressed (the layout is described above the Postings type below):
 * one block of 64 decoded at a time per term, the blocks' last paragraphs galloped over.
 *
 * Pruning: terms sorted by their largest possible contribution (ub); the longest prefix whose
 * ub sum cannot reach the current k-th score is "non-essential": a paragraph holding only those
 * terms cannot enter the top k, so candidates come from the essential terms' lists only and the
 * others are searched (galloping) just for those candidates, and only while they could matter.
 * Block-max: each term's postings come in blocks of block_size with their best weight stored;
 * a run of paragraphs whose blocks together cannot beat the k-th score is skipped whole (what
 * makes a question whose only known word is in half the corpus quick). That bound is worked
 * out once per window (up to the first end of an essential term's block), not per candidate;
 * a non-essential term's block is located without decoding and decoded only when its best
 * weight could still lift the candidate past the k-th score, and then only as far as the
 * search needs. Term frequencies are never decoded whole: each is read at its fixed-width place.
 * None of this changes a result: every skip is of paragraphs whose bound cannot beat theta.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 1e-12 /* rounding slack when comparing float sums of bounds to real scores */

/* A pointer array's element i: uint32 or int64 (the saved index keeps the smaller when it fits). */
static inline int64_t read_ptr(const void *base, int size, int64_t i) {
    return size == 4 ? (int64_t)((const uint32_t *)base)[i] : ((const int64_t *)base)[i];
}

static inline uint64_t read_uint(const void *base, int size, int64_t i) {
    switch (size) {
    case 1: return ((const uint8_t *)base)[i];
    case 2: return ((const uint16_t *)base)[i];
    case 4: return ((const uint32_t *)base)[i];
    default: return ((const uint64_t *)base)[i];
    }
}

/*
 * The postings, compressed (retrieval/index/bm25.py, "Storage"): term t's postings are
 * ptr[t]:ptr[t+1], in blocks block_ptr[t]:block_ptr[t+1] of block_size postings (the last one
 * shorter). Block k's bytes are data[offset[k]:offset[k+1]]: first its paragraph gaps
 * (doc - previous doc - 1; the previous doc of a term's first posting is -1, of a block's first
 * the last of the block before), bits[2k] bits each, then its term frequencies minus one,
 * bits[2k+1] bits each, packed little-endian from bit 0. last[k] is the block's last paragraph
 * (what skipping reads without decoding). data has 8 bytes of padding past the last block, so
 * every value is read with one unaligned 64-bit load.
 */
#define MAX_BLOCK 128

typedef struct {
    const int64_t *ptr;
    const int64_t *block_ptr;
    const int32_t *last;
    const void *offset;
    int offset_size;
    const uint8_t *bits;
    const uint8_t *data;
    int64_t n_terms, n_blocks, data_len, block_size;
} Postings;

/* Whether the arrays fit together (lengths only: each block is checked as it is decoded). */
static int postings_fit(Postings *P, Py_buffer *ptr, Py_buffer *bptr, Py_buffer *last,
                        Py_buffer *off, Py_buffer *bits, Py_buffer *data) {
    P->ptr = ptr->buf; P->block_ptr = bptr->buf; P->last = last->buf; P->offset = off->buf;
    P->bits = bits->buf; P->data = data->buf;
    P->n_terms = ptr->len / (Py_ssize_t)sizeof(int64_t) - 1;
    P->n_blocks = last->len / (Py_ssize_t)sizeof(int32_t);
    P->data_len = data->len;
    return P->n_terms >= 0 && (P->offset_size == 4 || P->offset_size == 8) &&
           P->block_size > 0 && P->block_size <= MAX_BLOCK &&
           bptr->len / (Py_ssize_t)sizeof(int64_t) >= P->n_terms + 1 &&
           off->len / P->offset_size >= P->n_blocks + 1 && bits->len >= 2 * P->n_blocks;
}

/* Term t's postings and blocks, checked to fit the arrays: 0, or -3 (damaged). */
static int term_range(const Postings *P, int64_t t, int64_t *b0, int64_t *count) {
    if (t < 0 || t >= P->n_terms) return -3;
    int64_t lo = P->ptr[t], hi = P->ptr[t + 1];
    int64_t blocks = (hi - lo + P->block_size - 1) / P->block_size;
    if (lo < 0 || hi < lo || P->block_ptr[t] < 0 || P->block_ptr[t + 1] != P->block_ptr[t] + blocks ||
        P->block_ptr[t + 1] > P->n_blocks)
        return -3;
    *b0 = P->block_ptr[t];
    *count = hi - lo;
    return 0;
}

static inline uint64_t bits_at(const uint8_t *p, uint64_t pos, uint64_t mask) {
    uint64_t w;
    memcpy(&w, p + (pos >> 3), 8);
    return (w >> (pos & 7)) & mask;
}

/* Block k of a term whose blocks start at b0 and which has count postings, checked against
   the arrays: its bytes at *p, its number of postings (the return value, or -3 when its size
   or widths do not fit what the arrays say of it), and its two bit widths. */
static int block_open(const Postings *P, int64_t b0, int64_t count, int64_t k, const uint8_t **p,
                      int *wd, int *wt) {
    int64_t first = (k - b0) * P->block_size;
    int64_t n = count - first < P->block_size ? count - first : P->block_size;
    if (k < b0 || k >= P->n_blocks || n <= 0) return -3;
    *wd = P->bits[2 * k];
    *wt = P->bits[2 * k + 1];
    if (*wd > 32 || *wt > 32) return -3;
    int64_t lo = read_ptr(P->offset, P->offset_size, k);
    int64_t hi = read_ptr(P->offset, P->offset_size, k + 1);
    if (lo < 0 || hi < lo || hi + 8 > P->data_len || hi - lo != (n * (*wd + *wt) + 7) / 8) return -3;
    *p = P->data + lo;
    return (int)n;
}

/* The n paragraphs of block k (bytes p, gap width wd) into docs: 0, or -3 when they do not end
   at the block's last paragraph (ascending below 2**31, as the arrays say). */
static inline int decode_docs(const Postings *P, int64_t b0, int64_t k, const uint8_t *p, int wd,
                              int n, int32_t *docs) {
    uint64_t md = ((uint64_t)1 << wd) - 1, pos = 0;
    int64_t doc = k == b0 ? -1 : P->last[k - 1];
    for (int i = 0; i < n; i++, pos += wd) {
        doc += 1 + (int64_t)bits_at(p, pos, md);
        docs[i] = (int32_t)doc;
    }
    return doc != P->last[k] || doc > INT32_MAX ? -3 : 0;
}

/* Block k of a term whose blocks start at b0 and which has count postings: its paragraphs and
   term frequencies. The number of postings, or -3 when the block does not decode to what the
   arrays say of it (its size, its last paragraph, ascending paragraphs below 2**31). */
static int decode_block(const Postings *P, int64_t b0, int64_t count, int64_t k, int32_t *docs,
                        uint32_t *tfs) {
    const uint8_t *p;
    int wd, wt;
    int n = block_open(P, b0, count, k, &p, &wd, &wt);
    if (n < 0 || decode_docs(P, b0, k, p, wd, n, docs) < 0) return -3;
    uint64_t mt = ((uint64_t)1 << wt) - 1, pos = (uint64_t)n * wd;
    for (int i = 0; i < n; i++, pos += wt) tfs[i] = 1 + (uint32_t)bits_at(p, pos, mt);
    return n;
}

/* A term's place in its postings: the block's paragraphs decoded into docs, and the posting at
   pos. Its term frequencies stay packed (fixed width): each is read where it is needed, so a
   block whose paragraphs are only searched never has them decoded. */
typedef struct {
    int64_t b0, b1, count, blk;
    int pos, len;
    int64_t doc; /* docs[pos], or INT64_MAX past the end */
    const uint8_t *p; /* the block's bytes */
    uint64_t tf_at, tf_mask; /* the bit where its term frequencies start; their mask */
    int wt, wd;
    int dec; /* docs[0 .. dec-1] decoded: len, or fewer in a block searched only (lazily) */
    int32_t docs[MAX_BLOCK];
} Cursor;

/* Decode block blk's paragraphs (or mark the end): 0, or -3 (damaged). */
static int cursor_load(const Postings *P, Cursor *c, int64_t blk) {
    c->blk = blk;
    c->pos = 0;
    if (blk >= c->b1) { c->len = 0; c->doc = INT64_MAX; return 0; }
    int n = block_open(P, c->b0, c->count, blk, &c->p, &c->wd, &c->wt);
    if (n < 0 || decode_docs(P, c->b0, blk, c->p, c->wd, n, c->docs) < 0) {
        c->len = 0; c->dec = 0; c->doc = INT64_MAX; return -3;
    }
    c->tf_at = (uint64_t)n * c->wd;
    c->tf_mask = ((uint64_t)1 << c->wt) - 1;
    c->len = c->dec = n;
    c->doc = c->docs[0];
    return 0;
}

/* Open block blk (not past the end) for searching only: its paragraphs are decoded by
   cursor_seek as far as a search needs them. 0, or -3 (damaged). */
static int cursor_load_lazy(const Postings *P, Cursor *c, int64_t blk) {
    c->blk = blk;
    c->pos = 0;
    int n = block_open(P, c->b0, c->count, blk, &c->p, &c->wd, &c->wt);
    if (n < 0) { c->len = 0; c->dec = 0; c->doc = INT64_MAX; return -3; }
    c->tf_at = (uint64_t)n * c->wd;
    c->tf_mask = ((uint64_t)1 << c->wt) - 1;
    c->len = n;
    c->dec = 0;
    c->doc = -1; /* not known yet: below any target */
    return 0;
}

/* In the cursor's block, whose last paragraph is >= target: the first posting >= target,
   from pos on, decoding the block's paragraphs only as far as that one (a block decoded to
   its end is checked to end at its last paragraph, as cursor_load checks). 0, or -3. */
static int cursor_seek(const Postings *P, Cursor *c, int64_t target) {
    int lo = c->pos, hi = c->dec - 1;
    if (c->dec > 0 && c->docs[hi] >= target) {
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (c->docs[mid] < target) lo = mid + 1; else hi = mid;
        }
        c->pos = lo;
        c->doc = c->docs[lo];
        return 0;
    }
    const uint64_t md = ((uint64_t)1 << c->wd) - 1;
    int64_t doc = c->dec > 0 ? c->docs[c->dec - 1] : c->blk == c->b0 ? -1 : P->last[c->blk - 1];
    uint64_t pos = (uint64_t)c->dec * c->wd;
    for (int i = c->dec; i < c->len; i++, pos += c->wd) {
        doc += 1 + (int64_t)bits_at(c->p, pos, md);
        if (doc > INT32_MAX) break;
        c->docs[i] = (int32_t)doc;
        if (i == c->len - 1 && doc != P->last[c->blk]) break;
        if (doc >= target) {
            c->dec = i + 1;
            c->pos = i;
            c->doc = doc;
            return 0;
        }
    }
    c->len = 0; c->dec = 0; c->doc = INT64_MAX; /* damaged */
    return -3;
}

/* The term frequency of the posting at the cursor (which must not be past the end). */
static inline uint32_t cursor_tf(const Cursor *c) {
    return 1 + (uint32_t)bits_at(c->p, c->tf_at + (uint64_t)c->pos * c->wt, c->tf_mask);
}

static inline int cursor_next(const Postings *P, Cursor *c) {
    if (++c->pos < c->len) { c->doc = c->docs[c->pos]; return 0; }
    return cursor_load(P, c, c->blk + 1);
}

/* The first of blocks from .. b1-1 whose last paragraph is >= target (b1 when none is):
   galloped over the blocks' last paragraphs, none decoded. */
static inline int64_t block_of(const Postings *P, int64_t from, int64_t b1, int64_t target) {
    if (from >= b1 || P->last[from] >= target) return from;
    int64_t lo = from, step = 1, hi = from + 1; /* last[lo] < target */
    while (hi < b1 && P->last[hi] < target) { lo = hi; step <<= 1; hi = from + step; }
    if (hi > b1) hi = b1;
    while (lo + 1 < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (P->last[mid] < target) lo = mid; else hi = mid;
    }
    return hi;
}

/* Move to the first posting whose paragraph is >= target, in block blk = block_of(target)
   (found by galloping over the blocks' last paragraphs): that block is decoded (lazy: only as
   far as the search needs, for a cursor that is only ever searched) and searched. */
static int cursor_advance_to(const Postings *P, Cursor *c, int64_t target, int64_t blk,
                             int lazy) {
    if (c->doc >= target) return 0;
    if (blk != c->blk) {
        if (lazy && blk < c->b1) {
            if (cursor_load_lazy(P, c, blk) < 0) return -3;
        } else {
            if (cursor_load(P, c, blk) < 0) return -3;
            if (c->doc >= target) return 0;
        }
    }
    return cursor_seek(P, c, target);
}

static inline int cursor_advance(const Postings *P, Cursor *c, int64_t target) {
    if (c->doc >= target) return 0;
    return cursor_advance_to(P, c, target, block_of(P, c->blk, c->b1, target), 0);
}

static int cursor_open(const Postings *P, Cursor *c, int64_t t) {
    if (term_range(P, t, &c->b0, &c->count) < 0) return -3;
    c->b1 = c->b0 + (c->count + P->block_size - 1) / P->block_size;
    return cursor_load(P, c, c->b0);
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

#define POSTINGS_FORMAT "y*y*y*y*iy*y*L"
#define POSTINGS_ARGS(p) &b_ptr, &b_bptr, &b_last, &b_off, &p.offset_size, &b_bits, &b_data, &block_size
#define POSTINGS_BUFFERS Py_buffer b_ptr, b_bptr, b_last, b_off, b_bits, b_data; long long block_size
#define POSTINGS_RELEASE() do { PyBuffer_Release(&b_ptr); PyBuffer_Release(&b_bptr); \
    PyBuffer_Release(&b_last); PyBuffer_Release(&b_off); PyBuffer_Release(&b_bits); \
    PyBuffer_Release(&b_data); } while (0)

static PyObject *top_k(PyObject *self, PyObject *args) {
    POSTINGS_BUFFERS;
    Postings P;
    Py_buffer b_len, b_idf, b_max, b_bmax, b_query, b_out_docs, b_out_scores;
    int len_size, k;
    double k1, b, avgdl;
    if (!PyArg_ParseTuple(args, POSTINGS_FORMAT "y*iy*y*y*y*idddw*w*", POSTINGS_ARGS(P), &b_len,
                          &len_size, &b_idf, &b_max, &b_bmax, &b_query, &k, &k1, &b, &avgdl,
                          &b_out_docs, &b_out_scores))
        return NULL;
    P.block_size = (int64_t)block_size;
    const void *doc_len = b_len.buf;
    const double *idf_table = b_idf.buf, *max_tf_part = b_max.buf, *block_max = b_bmax.buf;
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
    Cursor *cur = malloc(sizeof(Cursor) * (n_tokens + 1));
    Cursor *sorted = malloc(sizeof(Cursor) * (n_tokens + 1));
    double *idf_q = malloc(sizeof(double) * (n_tokens + 1)); /* the terms' IDF, sorted */
    int *count_q = malloc(sizeof(int) * (n_tokens + 1)); /* their repeats, sorted */
    int *rank = malloc(sizeof(int) * (n_tokens + 1)); /* a term's place in the order */
    int64_t *blk_at = malloc(sizeof(int64_t) * (n_tokens + 1)); /* block of blk_w's bound */
    double *blk_w = malloc(sizeof(double) * (n_tokens + 1));
    double *hs = malloc(sizeof(double) * (k + 1));
    int64_t *hd = malloc(sizeof(int64_t) * (k + 1));
    int fits = postings_fit(&P, &b_ptr, &b_bptr, &b_last, &b_off, &b_bits, &b_data);
    if (!term || !count || !token_term || !ub || !weight || !order || !prefix || !cur ||
        !sorted || !idf_q || !count_q || !rank || !blk_at || !blk_w || !hs || !hd || k <= 0 || !fits ||
        !(len_size == 1 || len_size == 2 || len_size == 4 || len_size == 8) ||
        b_out_docs.len < (Py_ssize_t)(k * sizeof(int64_t)) ||
        b_out_scores.len < (Py_ssize_t)(k * sizeof(double))) {
        result = -1;
        goto done;
    }
    const int64_t n_terms = P.n_terms;
    const int64_t n_docs = b_len.len / len_size;
    if (b_idf.len / (Py_ssize_t)sizeof(double) < n_terms ||
        b_max.len / (Py_ssize_t)sizeof(double) < n_terms ||
        b_bmax.len / (Py_ssize_t)sizeof(double) < P.n_blocks) {
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
        if (cursor_open(&P, &cur[u], term[u]) < 0) { result = -3; break; }
        double idf = idf_table[term[u]];
        if (idf < 0) { result = -2; break; } /* pruning needs weights >= 0 */
        ub[u] = count[u] * idf * max_tf_part[term[u]];
        blk_at[u] = -1; /* no block bound cached yet */
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
        /* From here on a term is its place in that order: the cursors and the terms' numbers
           are put in it, so the loops below read them in sequence. */
        for (int i = 0; i < n; i++) {
            rank[order[i]] = i;
            sorted[i] = cur[order[i]];
            idf_q[i] = idf_table[term[order[i]]];
            count_q[i] = count[order[i]];
        }
        for (Py_ssize_t j = 0; j < n_tokens; j++) token_term[j] = rank[token_term[j]];
        Cursor *tmp = cur; cur = sorted; sorted = tmp;
        int *count_t = count; count = count_q; count_q = count_t;

        const double k1p1 = k1 + 1.0, one_minus_b = 1.0 - b;
        int size = 0, essential = 0; /* order[0 .. essential-1] are non-essential */
        double theta = 0.0;
        int damaged = 0;
        /* The block-max window: up to win_upto (the first end of an essential term's current
           block) every essential cursor stays in its block, so the bound of those blocks, plus
           the non-essential terms' whole bounds, holds for the window; it is worked out again
           only when a paragraph past it comes up or the essential terms change. */
        int64_t win_upto = -1;
        int win_essential = -1;
        double win_bound = 0.0;
        int64_t doc = INT64_MAX; /* the essential cursors' lowest paragraph */
        for (int i = 0; i < n; i++)
            if (cur[i].doc < doc) doc = cur[i].doc;
        for (;;) {
            if (damaged) { result = -3; break; }
            if (doc == INT64_MAX) break;
            if (doc < 0 || doc >= n_docs) { result = -3; break; } /* damaged: stop, say so */
            if (size == k) {
                /* Block-max skip: in the window no paragraph can beat theta if even the
                   blocks' best weights cannot. Each term's current block bound is
                   remembered until its cursor leaves it. */
                if (doc > win_upto || win_essential != essential) {
                    double bound = essential > 0 ? prefix[essential - 1] : 0.0;
                    int64_t upto = INT64_MAX;
                    for (int i = essential; i < n; i++) {
                        int u = i;
                        if (cur[u].doc == INT64_MAX) continue;
                        int64_t blk = cur[u].blk;
                        if (blk_at[u] != blk) {
                            blk_w[u] = count[u] * idf_q[u] * block_max[blk];
                            blk_at[u] = blk;
                        }
                        bound += blk_w[u];
                        if (P.last[blk] < upto) upto = P.last[blk];
                    }
                    win_bound = bound;
                    win_upto = upto;
                    win_essential = essential;
                }
                if (win_bound * (1 + MARGIN) <= theta) {
                    doc = INT64_MAX;
                    for (int i = essential; i < n; i++) {
                        Cursor *c = &cur[i];
                        if (cursor_advance(&P, c, win_upto + 1) < 0) damaged = 1;
                        if (c->doc < doc) doc = c->doc;
                    }
                    continue;
                }
            }
            double dl = (double)read_uint(doc_len, len_size, doc);
            double norm = k1 * (one_minus_b + (b * dl) / avgdl);
            double found = 0.0;
            int64_t next = INT64_MAX;
            for (int i = n - 1; i >= essential; i--) {
                int u = i;
                Cursor *c = &cur[u];
                if (c->doc == doc) {
                    double tf = (double)cursor_tf(c);
                    weight[u] = idf_q[u] * ((tf * k1p1) / (tf + norm));
                    found += count[u] * weight[u];
                    if (cursor_next(&P, c) < 0) damaged = 1;
                } else {
                    weight[u] = 0.0;
                }
                if (c->doc < next) next = c->doc;
            }
            const int64_t at = doc;
            doc = next;
            int skip = 0;
            for (int i = essential - 1; i >= 0; i--) {
                if (size == k && (found + prefix[i]) * (1 + MARGIN) <= theta) { skip = 1; break; }
                int u = i;
                Cursor *c = &cur[u];
                if (c->doc < at) {
                    /* The block that holds at, if the term has it: found without decoding,
                       and decoded only when its best weight could still matter. */
                    int64_t blk = block_of(&P, c->blk, c->b1, at);
                    if (size == k) {
                        double w = 0.0;
                        if (blk < c->b1) {
                            if (blk_at[u] != blk) {
                                blk_w[u] = count[u] * idf_q[u] * block_max[blk];
                                blk_at[u] = blk;
                            }
                            w = blk_w[u];
                        }
                        double rest = i > 0 ? prefix[i - 1] : 0.0;
                        if ((found + w + rest) * (1 + MARGIN) <= theta) { skip = 1; break; }
                    }
                    if (cursor_advance_to(&P, c, at, blk, 1) < 0) damaged = 1;
                }
                if (c->doc == at) {
                    double tf = (double)cursor_tf(c);
                    weight[u] = idf_q[u] * ((tf * k1p1) / (tf + norm));
                    found += count[u] * weight[u];
                } else {
                    weight[u] = 0.0;
                }
            }
            if (damaged) { result = -3; break; }
            if (skip) continue;
            double score = 0.0;
            for (Py_ssize_t j = 0; j < n_tokens; j++) score += weight[token_term[j]];
            if (!(score > 0)) continue;
            if (size < k) {
                hs[size] = score; hd[size] = at; sift_up(hs, hd, size); size++;
            } else if (score > theta) { /* equal: the earlier paragraph already kept wins */
                hs[0] = score; hd[0] = at; sift_down(hs, hd, size, 0);
            } else {
                continue;
            }
            if (size == k) {
                theta = hs[0];
                int was = essential;
                while (essential < n && prefix[essential] * (1 + MARGIN) < theta) essential++;
                if (essential != was) { /* the lowest paragraph among the essential terms now */
                    doc = INT64_MAX;
                    for (int i = essential; i < n; i++)
                        if (cur[i].doc < doc) doc = cur[i].doc;
                }
            }
        }
        /* best first: repeatedly take the worst off the heap into the back of the output */
        if (result == 0) result = size;
        for (int i = size - 1; i >= 0 && result >= 0; i--) {
            out_scores[i] = hs[0]; out_docs[i] = hd[0];
            hs[0] = hs[i]; hd[0] = hd[i];
            sift_down(hs, hd, i, 0);
        }
    }
    Py_END_ALLOW_THREADS

done:
    free(term); free(count); free(token_term); free(ub); free(weight); free(order); free(prefix);
    free(cur); free(sorted); free(idf_q); free(count_q); free(rank); free(blk_at); free(blk_w); free(hs); free(hd);
    POSTINGS_RELEASE();
    PyBuffer_Release(&b_len); PyBuffer_Release(&b_idf); PyBuffer_Release(&b_max);
    PyBuffer_Release(&b_bmax); PyBuffer_Release(&b_query); PyBuffer_Release(&b_out_docs);
    PyBuffer_Release(&b_out_scores);
    return PyLong_FromLong(result);
}

/* A term's postings, decoded whole into out_docs (int32) and out_tfs (uint32), each at least the
   term's length: the count, -1 (arguments that do not fit) or -3 (damaged). */
static PyObject *decode_term(PyObject *self, PyObject *args) {
    POSTINGS_BUFFERS;
    Postings P;
    Py_buffer b_docs, b_tfs;
    long long t;
    if (!PyArg_ParseTuple(args, POSTINGS_FORMAT "Lw*w*", POSTINGS_ARGS(P), &t, &b_docs, &b_tfs))
        return NULL;
    P.block_size = (int64_t)block_size;
    long long result = 0;
    int64_t b0, count;
    if (!postings_fit(&P, &b_ptr, &b_bptr, &b_last, &b_off, &b_bits, &b_data)) {
        result = -1;
    } else if (term_range(&P, t, &b0, &count) < 0) {
        result = -3;
    } else if (b_docs.len < count * (Py_ssize_t)sizeof(int32_t) ||
               b_tfs.len < count * (Py_ssize_t)sizeof(uint32_t)) {
        result = -1;
    } else {
        int32_t *docs = b_docs.buf;
        uint32_t *tfs = b_tfs.buf;
        for (int64_t k = b0, at = 0; at < count; k++) {
            int got = decode_block(&P, b0, count, k, docs + at, tfs + at);
            if (got < 0) { result = -3; break; }
            at += got;
        }
        if (result == 0) result = count;
    }
    POSTINGS_RELEASE(); PyBuffer_Release(&b_docs); PyBuffer_Release(&b_tfs);
    return PyLong_FromLongLong(result);
}

/* The build's encoder (retrieval/index/postings.py, encode): postings in CSR form (ptr per term,
   docs int32 ascending within a term, tfs >= 1 of tf_size bytes) into the blocks' last
   paragraphs, widths and byte offsets (int64, n_blocks + 1) and, when data is not empty, their
   bytes (data must then be offsets[n_blocks] + 8 bytes, zeroed). Two calls: sizes, then bytes.
   0, -1 (arguments that do not fit) or -2 (not ascending, or a value too wide). */
static PyObject *encode_postings(PyObject *self, PyObject *args) {
    Py_buffer b_ptr, b_docs, b_tfs, b_last, b_bits, b_off, b_data;
    int tf_size;
    long long block_size;
    if (!PyArg_ParseTuple(args, "y*y*y*iLw*w*w*w*", &b_ptr, &b_docs, &b_tfs, &tf_size,
                          &block_size, &b_last, &b_bits, &b_off, &b_data))
        return NULL;
    const int64_t *ptr = b_ptr.buf;
    const int32_t *docs = b_docs.buf;
    int32_t *last = b_last.buf;
    uint8_t *bits = b_bits.buf, *data = b_data.buf;
    int64_t *off = b_off.buf;
    const int64_t n_terms = b_ptr.len / (Py_ssize_t)sizeof(int64_t) - 1;
    const int64_t n_postings = b_docs.len / (Py_ssize_t)sizeof(int32_t);
    const int64_t n_blocks = b_last.len / (Py_ssize_t)sizeof(int32_t);
    long result = 0;
    if (n_terms < 0 || (tf_size != 1 && tf_size != 2 && tf_size != 4 && tf_size != 8) ||
        block_size <= 0 || b_tfs.len / tf_size < n_postings || b_bits.len < 2 * n_blocks ||
        b_off.len / (Py_ssize_t)sizeof(int64_t) < n_blocks + 1 || ptr[n_terms] > n_postings) {
        result = -1;
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    int64_t k = 0, at = 0;
    off[0] = 0;
    for (int64_t t = 0; t < n_terms && result == 0; t++) {
        int64_t prev = -1;
        for (int64_t lo = ptr[t]; lo < ptr[t + 1]; lo += block_size) {
            int64_t hi = lo + block_size < ptr[t + 1] ? lo + block_size : ptr[t + 1];
            if (k >= n_blocks || lo < 0 || hi > n_postings) { result = -1; break; }
            uint64_t gap_or = 0, tf_or = 0;
            int64_t p = prev;
            for (int64_t i = lo; i < hi; i++) {
                int64_t d = docs[i];
                uint64_t tf = read_uint(b_tfs.buf, tf_size, i);
                if (d <= p || tf < 1 || tf - 1 > 0xFFFFFFFFull) { result = -2; break; }
                gap_or |= (uint64_t)(d - p - 1);
                tf_or |= tf - 1;
                p = d;
            }
            if (result != 0) break;
            int wd = 0, wt = 0;
            while (wd < 64 && (gap_or >> wd)) wd++;
            while (wt < 64 && (tf_or >> wt)) wt++;
            int64_t n = hi - lo, size = (n * (wd + wt) + 7) / 8;
            bits[2 * k] = (uint8_t)wd;
            bits[2 * k + 1] = (uint8_t)wt;
            last[k] = (int32_t)p;
            off[k + 1] = off[k] + size;
            if (b_data.len > 0) {
                if (off[k + 1] + 8 > b_data.len) { result = -1; break; }
                uint8_t *out = data + off[k];
                uint64_t pos = 0;
                p = prev;
                for (int64_t i = lo; i < hi; i++, pos += wd) {
                    uint64_t v = (uint64_t)(docs[i] - p - 1) << (pos & 7), w;
                    memcpy(&w, out + (pos >> 3), 8);
                    w |= v;
                    memcpy(out + (pos >> 3), &w, 8);
                    p = docs[i];
                }
                for (int64_t i = lo; i < hi; i++, pos += wt) {
                    uint64_t v = (read_uint(b_tfs.buf, tf_size, i) - 1) << (pos & 7), w;
                    memcpy(&w, out + (pos >> 3), 8);
                    w |= v;
                    memcpy(out + (pos >> 3), &w, 8);
                }
            }
            prev = p;
            k++;
            at = hi;
        }
    }
    if (result == 0 && k != n_blocks) result = -1;
    (void)at;
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&b_ptr); PyBuffer_Release(&b_docs); PyBuffer_Release(&b_tfs);
    PyBuffer_Release(&b_last); PyBuffer_Release(&b_bits); PyBuffer_Release(&b_off);
    PyBuffer_Release(&b_data);
    return PyLong_FromLong(result);
}

/* For each range [lows[i], highs[i]) of paragraphs, the sum of term t's frequencies in it, into
   out (int64): only the blocks that overlap a range are decoded. 0, -1 or -3 (damaged). */
static PyObject *term_sums(PyObject *self, PyObject *args) {
    POSTINGS_BUFFERS;
    Postings P;
    Py_buffer b_lows, b_highs, b_out;
    long long t;
    if (!PyArg_ParseTuple(args, POSTINGS_FORMAT "Ly*y*w*", POSTINGS_ARGS(P), &t, &b_lows,
                          &b_highs, &b_out))
        return NULL;
    P.block_size = (int64_t)block_size;
    long result = 0;
    Py_ssize_t n = b_lows.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *lows = b_lows.buf, *highs = b_highs.buf;
    int64_t *out = b_out.buf;
    Cursor *c = malloc(sizeof(Cursor));
    if (!c || !postings_fit(&P, &b_ptr, &b_bptr, &b_last, &b_off, &b_bits, &b_data) ||
        b_highs.len < n * (Py_ssize_t)sizeof(int64_t) || b_out.len < n * (Py_ssize_t)sizeof(int64_t)) {
        result = -1;
    } else if (cursor_open(&P, c, t) < 0) {
        result = -3;
    } else {
        int64_t b0 = c->b0;
        for (Py_ssize_t i = 0; i < n && result == 0; i++) {
            int64_t sum = 0;
            /* The posting before the cursor: past it already for this range? Then start over. */
            int64_t before = c->pos > 0 ? c->docs[c->pos - 1] : c->blk > b0 ? P.last[c->blk - 1] : -1;
            if (lows[i] <= before && cursor_load(&P, c, b0) < 0) { result = -3; break; }
            if (cursor_advance(&P, c, lows[i]) < 0) { result = -3; break; }
            while (c->doc < highs[i]) {
                sum += cursor_tf(c);
                if (cursor_next(&P, c) < 0) { result = -3; break; }
            }
            out[i] = sum;
        }
    }
    free(c);
    POSTINGS_RELEASE(); PyBuffer_Release(&b_lows); PyBuffer_Release(&b_highs);
    PyBuffer_Release(&b_out);
    return PyLong_FromLong(result);
}


/*
 * Re-ranking's view of candidate paragraphs (retrieval/index/sentences.py, question_marks):
 * for each paragraph row, a bit mask per sentence of the question terms it holds (bit j: the
 * j-th of the sorted question term ids) and the codes a * 64 + b of the adjacent pairs of
 * question terms in the paragraph's terms. Reads only the sentence and term pointers and the
 * term ids, each bounds-checked; what it read is written to ranges (row, first sentence, end
 * sentence, first term, end term, first and end exception per row) for the caller to verify
 * against the checksums before it uses the result. The term ids are int32 (tokens_size 4) or,
 * as a saved index keeps them, their low 16 bits (tokens_size 2) with the high bits of the few
 * ids past 65,535 in high[e], at positions high_at[e] (ascending; retrieval/index/sentences.py). Returns 0; -1 for arguments that do not fit together (pointer
 * sizes, output lengths, a token pointer array shorter than the sentences: a damaged table
 * when they come from a saved index, never worth a retry); -3 for a pointer or id out of range
 * or order (damaged; the caller then reads those rows in Python, which says what is wrong); or
 * -4 when masks or pairs is too small, with the room needed written to mask_ptr[n_rows] and
 * pair_ptr[n_rows] (masks: the rows' sentences; pairs: their terms, a bound), for one retry.
 */
static PyObject *question_marks(PyObject *self, PyObject *args) {
    Py_buffer b_sptr, b_tptr, b_tokens, b_hat, b_high, b_rows, b_qids, b_msptr, b_masks, b_pptr,
        b_pairs, b_ranges;
    long long n_sentences, vocabulary;
    int sptr_size, tptr_size; /* the pointer arrays' element sizes: 4 (uint32) or 8 (int64) */
    int tokens_size, hat_size; /* 4 (int32 ids) or 2 (low halves); high_at's: 4 or 8 */
    if (!PyArg_ParseTuple(args, "y*iy*iy*iy*iy*LLy*y*w*w*w*w*w*", &b_sptr, &sptr_size, &b_tptr,
                          &tptr_size, &b_tokens, &tokens_size, &b_hat, &hat_size, &b_high,
                          &n_sentences, &vocabulary, &b_rows, &b_qids, &b_msptr, &b_masks,
                          &b_pptr, &b_pairs, &b_ranges))
        return NULL;
    const void *sptr = b_sptr.buf, *tptr = b_tptr.buf;
    const int64_t *rows = b_rows.buf, *qids = b_qids.buf;
    const int32_t *tokens = b_tokens.buf;
    const uint16_t *low = b_tokens.buf, *high = b_high.buf;
    const void *hat = b_hat.buf;
    int64_t *msptr = b_msptr.buf, *pptr = b_pptr.buf, *ranges = b_ranges.buf;
    uint64_t *masks = b_masks.buf;
    int32_t *pairs = b_pairs.buf;
    if ((sptr_size != 4 && sptr_size != 8) || (tptr_size != 4 && tptr_size != 8) ||
        (tokens_size != 4 && tokens_size != 2) || (hat_size != 4 && hat_size != 8)) {
        PyBuffer_Release(&b_hat); PyBuffer_Release(&b_high);
        PyBuffer_Release(&b_sptr); PyBuffer_Release(&b_tptr); PyBuffer_Release(&b_tokens);
        PyBuffer_Release(&b_rows); PyBuffer_Release(&b_qids); PyBuffer_Release(&b_msptr);
        PyBuffer_Release(&b_masks); PyBuffer_Release(&b_pptr); PyBuffer_Release(&b_pairs);
        PyBuffer_Release(&b_ranges);
        return PyLong_FromLong(-1);
    }
    const int64_t n_sptr = b_sptr.len / sptr_size;
    const int64_t n_tptr = b_tptr.len / tptr_size;
    const int64_t n_tokens = b_tokens.len / tokens_size;
    int64_t n_high = b_hat.len / hat_size;
    if (b_high.len / (Py_ssize_t)sizeof(uint16_t) < n_high) n_high = b_high.len / 2;
    if (tokens_size == 4) n_high = 0;
    const int64_t n_rows = b_rows.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t n_q = b_qids.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t mask_room = b_masks.len / (Py_ssize_t)sizeof(uint64_t);
    const int64_t pair_room = b_pairs.len / (Py_ssize_t)sizeof(int32_t);
    long result = 0;
    if (n_q > 64 || b_msptr.len < (Py_ssize_t)((n_rows + 1) * sizeof(int64_t)) ||
        b_pptr.len < (Py_ssize_t)((n_rows + 1) * sizeof(int64_t)) ||
        b_ranges.len < (Py_ssize_t)(7 * n_rows * sizeof(int64_t)) || n_sentences + 1 > n_tptr) {
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
        int64_t e = 0, e_hi = n_high; /* the first exception at or after the row's first term */
        while (e < e_hi) {
            int64_t mid = e + (e_hi - e) / 2;
            if (read_ptr(hat, hat_size, mid) < first) e = mid + 1; else e_hi = mid;
        }
        const int64_t e_first = e;
        for (int64_t s = lo; s < hi && result == 0; s++) {
            int64_t a = read_ptr(tptr, tptr_size, s), b = read_ptr(tptr, tptr_size, s + 1);
            if (a < first || b < a || b > last) { result = -3; break; } /* not monotone */
            uint64_t mask = 0;
            for (int64_t t = a; t < b; t++) {
                int64_t id;
                if (tokens_size == 4) {
                    id = tokens[t];
                } else {
                    id = low[t];
                    if (e < n_high) {
                        int64_t at = read_ptr(hat, hat_size, e);
                        if (at < t) { result = -3; break; } /* out of order: damaged */
                        if (at == t) id |= (int64_t)high[e++] << 16;
                    }
                }
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
        if (result != 0) break;
        if (e < n_high && read_ptr(hat, hat_size, e) < last) { result = -3; break; }
        int64_t *range = ranges + 7 * r;
        range[0] = row; range[1] = lo; range[2] = hi; range[3] = first; range[4] = last;
        range[5] = e_first; range[6] = e;
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&b_hat); PyBuffer_Release(&b_high);
    PyBuffer_Release(&b_sptr); PyBuffer_Release(&b_tptr); PyBuffer_Release(&b_tokens);
    PyBuffer_Release(&b_rows); PyBuffer_Release(&b_qids); PyBuffer_Release(&b_msptr);
    PyBuffer_Release(&b_masks); PyBuffer_Release(&b_pptr); PyBuffer_Release(&b_pairs);
    PyBuffer_Release(&b_ranges);
    return PyLong_FromLong(result);
}

/* (session 7, the re-ranker's document scores) The BM25 score of each paragraph docs[j] for
   the question's term ids terms[] (-1: a term the index lacks, skipped), into out[j]: the
   weights added in question order, repeats included, each rank-bm25's expression as top_k
   computes it, so the doubles are bit-for-bit bm25.py's _exact_few. docs in any order (a
   paragraph before the cursor starts the term's list over). 0, -1 (arguments that do not fit,
   a paragraph out of range) or -3 (damaged postings). */
static PyObject *score_few(PyObject *self, PyObject *args) {
    POSTINGS_BUFFERS;
    Postings P;
    Py_buffer b_len, b_idf, b_terms, b_docs, b_out;
    int len_size;
    double k1, b, avgdl;
    if (!PyArg_ParseTuple(args, POSTINGS_FORMAT "y*iy*y*y*dddw*", POSTINGS_ARGS(P), &b_len,
                          &len_size, &b_idf, &b_terms, &b_docs, &k1, &b, &avgdl, &b_out))
        return NULL;
    P.block_size = (int64_t)block_size;
    long result = 0;
    Py_ssize_t n_terms_q = b_terms.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t n = b_docs.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *terms = b_terms.buf, *docs = b_docs.buf;
    const double *idf_table = b_idf.buf;
    double *out = b_out.buf;
    Cursor *c = malloc(sizeof(Cursor));
    double *norm = malloc(sizeof(double) * (n + 1));
    int ok = c && norm && postings_fit(&P, &b_ptr, &b_bptr, &b_last, &b_off, &b_bits, &b_data) &&
             (len_size == 1 || len_size == 2 || len_size == 4 || len_size == 8) &&
             b_out.len >= n * (Py_ssize_t)sizeof(double) &&
             b_idf.len / (Py_ssize_t)sizeof(double) >= P.n_terms;
    const int64_t n_docs = ok ? b_len.len / len_size : 0;
    for (Py_ssize_t j = 0; ok && j < n; j++) {
        if (docs[j] < 0 || docs[j] >= n_docs) { ok = 0; break; }
        double dl = (double)read_uint(b_len.buf, len_size, docs[j]);
        norm[j] = k1 * ((1 - b) + (b * dl) / avgdl);
        out[j] = 0.0;
    }
    for (Py_ssize_t q = 0; ok && q < n_terms_q; q++) {
        int64_t t = terms[q];
        if (t < 0) continue;
        if (t >= P.n_terms) { ok = 0; break; }
        if (cursor_open(&P, c, t) < 0) { result = -3; break; }
        double idf = idf_table[t];
        int64_t b0 = c->b0;
        for (Py_ssize_t j = 0; j < n; j++) {
            int64_t before = c->pos > 0 ? c->docs[c->pos - 1] : c->blk > b0 ? P.last[c->blk - 1] : -1;
            if (docs[j] <= before && cursor_load(&P, c, b0) < 0) { result = -3; break; }
            if (cursor_advance(&P, c, docs[j]) < 0) { result = -3; break; }
            double w = 0.0;
            if (c->doc == docs[j]) {
                double tf = (double)cursor_tf(c);
                w = idf * ((tf * (k1 + 1)) / (tf + norm[j]));
            }
            out[j] = out[j] + w;
        }
        if (result) break;
    }
    if (!ok && result == 0) result = -1;
    free(c);
    free(norm);
    POSTINGS_RELEASE(); PyBuffer_Release(&b_len); PyBuffer_Release(&b_idf);
    PyBuffer_Release(&b_terms); PyBuffer_Release(&b_docs); PyBuffer_Release(&b_out);
    return PyLong_FromLong(result);
}

static PyMethodDef methods[] = {
    {"question_marks", question_marks, METH_VARARGS,
     "question_marks(sentence_ptr, sptr_size, token_ptr, tptr_size, tokens, tokens_size, "
     "high_at, high_at_size, high, n_sentences, "
     "vocabulary, rows, qids, "
     "mask_ptr, masks, pair_ptr, pairs, ranges) -> 0, -1 (arguments that do not fit), -3 "
     "(out of range or order) or -4 (out of room; the room needed in mask_ptr[n_rows], "
     "pair_ptr[n_rows]): see _topk.c"},
    {"top_k", top_k, METH_VARARGS,
     "top_k(ptr, block_ptr, block_last, block_offset, offset_size, block_bits, data, "
     "block_size, doc_len, len_size, idf, max_tf_part, block_max, query, k, k1, b, avgdl, "
     "out_docs, out_scores) -> n (-1: bad arguments, -2: a negative IDF, use numpy, "
     "-3: damaged postings)"},
    {"decode_term", decode_term, METH_VARARGS,
     "decode_term(ptr, block_ptr, block_last, block_offset, offset_size, block_bits, data, "
     "block_size, term, out_docs, out_tfs) -> count (-1: bad arguments, -3: damaged)"},
    {"encode_postings", encode_postings, METH_VARARGS,
     "encode_postings(ptr, docs, tfs, tf_size, block_size, last, bits, offsets, data) -> 0 "
     "(-1: arguments that do not fit, -2: postings not ascending or too wide): see _topk.c"},
    {"term_sums", term_sums, METH_VARARGS,
     "term_sums(ptr, block_ptr, block_last, block_offset, offset_size, block_bits, data, "
     "block_size, term, lows, highs, out) -> 0 (-1: bad arguments, -3: damaged)"},
    {"score_few", score_few, METH_VARARGS,
     "score_few(ptr, block_ptr, block_last, block_offset, offset_size, block_bits, data, "
     "block_size, doc_len, len_size, idf, terms, docs, k1, b, avgdl, out) -> 0 (-1: bad "
     "arguments or a paragraph out of range, -3: damaged)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_topk",
                                    "Exact BM25 top-k (MaxScore), see _topk.c.", -1, methods};

PyMODINIT_FUNC PyInit__topk(void) { return PyModule_Create(&module); }
