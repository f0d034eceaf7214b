#!/bin/sh
# The quality benchmarks of docs/quality.md. Run from the repository root:  sh bench/run.sh
# Reads the public data from ../shared/bench-data (never copied into the repository) and writes
# each command's output to bench/results/<name>.txt (table) and <name>.json (--json-out): each
# eval runs once, so both files hold the same run's numbers, latencies included.
set -eu
DATA=${BENCH_DATA:-../shared/bench-data}
EVAL=${CITEBOT_EVAL:-.venv/bin/citebot eval}
OUT=bench/results
mkdir -p "$OUT"

run() {  # name, then the arguments of `citebot eval`
    name=$1
    shift
    echo "\$ citebot eval $*" | sed "s#$DATA#../shared/bench-data#g" >"$OUT/$name.txt"
    $EVAL "$@" --json-out "$OUT/$name.json" >>"$OUT/$name.txt"
    cat "$OUT/$name.txt"
    echo
}

# 1. SQuAD 2.0 dev: corpus = all 1,204 paragraphs, the 5,928 answerable questions.
run squad "$DATA/squad/dev-v2.0.json" --format squad --answerable-only --failures 5
# 2. BEIR SciFact, test split: nDCG@10 and R@100 (document = title + abstract).
run scifact "$DATA/scifact" --format beir
# 3. Out-of-corpus abstention: corpus = the first 17 articles; the other 18 articles' answerable
#    questions must abstain. Rates at the default settings, and the trade-off curve.
run out_of_corpus "$DATA/squad/dev-v2.0.json" --format squad --answerable-only \
    --corpus-articles 17 --curve
# 4. SQuAD 2.0 with its 5,945 unanswerable ("is_impossible") questions.
run squad_unanswerable "$DATA/squad/dev-v2.0.json" --format squad --curve
# 5. XQuAD: the same 240 paragraphs and 1,190 questions in 12 languages, language "auto".
echo "\$ python -m bench.xquad" >"$OUT/xquad.txt"
.venv/bin/python -m bench.xquad --data "$DATA/xquad" --json-out "$OUT/xquad.json" >>"$OUT/xquad.txt"
cat "$OUT/xquad.txt"
echo
# 5. Documentation questions (../shared/bench-data/docs/README.md): uv's Markdown docs, 50
#    answerable questions (answered, cited-right, section-right, useful) and 10 off-topic ones.
run docs_uv "$DATA/docs/uv.jsonl" --format docs --corpus "$DATA/docs/uv-md" --failures 50
# 6. The same Flask docs as .rst, HTML and PDF (issue 11): each format's figures, the html/rst
#    index time, how often HTML's first citation is rst's section, and how often the PDF's is on
#    the gold page or the next; then without api/changes, whose HTML holds text the .rst does not.
formats() {  # name, then the arguments of bench.docs_formats
    name=$1
    shift
    echo "\$ python -m bench.docs_formats $*" >"$OUT/$name.txt"
    .venv/bin/python -m bench.docs_formats --data "$DATA/docs" "$@" --json-out "$OUT/$name.json" \
        >>"$OUT/$name.txt"
    cat "$OUT/$name.txt"
    echo
}
formats docs_formats
formats docs_formats_same_pages --exclude 'api.*' --exclude 'changes.*'
# The seed question set (also run by `make test`): every case must pass.
run seed tests/data/seed_questions.jsonl --strict
