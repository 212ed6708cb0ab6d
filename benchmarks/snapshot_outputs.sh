#!/usr/bin/env bash
# Snapshot statuslens's batch outputs for a byte-for-byte comparison between two versions.
#
#   benchmarks/snapshot_outputs.sh OUT [STATUSLENS] [CORPUS_DIR]
#   diff -r OUT_OF_VERSION_A OUT_OF_VERSION_B        # empty when the outputs are the same
#
# Runs `statuslens demo` (the bundled sample) and `statuslens batch` on a generated corpus (60,000
# JSON lines .gz and 60,000 combined_body lines, both with dirty lines, and a 3,000-entry HAR): once
# in-process with --annotated all, once on two worker processes. Shards are concatenated and
# sorted (they may split differently), started_at/finished_at and the output paths are blanked.
# Each run's stderr goes to OUT.stderr/ (worker logs name random ports: not compared).
# CORPUS_DIR (default /tmp/statuslens-snapshot-corpus) is generated once and reused.
set -euo pipefail
out=$1
statuslens=${2:-statuslens}
corpus=${3:-/tmp/statuslens-snapshot-corpus}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
if [ ! -f "$corpus/plain.log" ]; then
    mkdir -p "$corpus"
    "$python" "$here/generate_corpus.py" --records 60000 --format jsonl --gzip --seed 7 --dirty --out "$corpus/mixed.jsonl.gz"
    "$python" "$here/generate_corpus.py" --records 60000 --format combined_body --seed 8 --dirty --out "$corpus/plain.log"
    "$python" "$here/generate_corpus.py" --records 3000 --format har --seed 9 --out "$corpus/cap.har"
fi
rm -rf "$out" "$out.stderr"
mkdir -p "$out" "$out.stderr"
"$statuslens" demo --output "$out/demo" >"$out/demo.stdout" 2>"$out.stderr/demo"
"$statuslens" batch --input "$corpus/*" --output "$out/corpus" --annotated all >"$out/corpus.stdout" 2>"$out.stderr/corpus"
"$statuslens" batch --input "$corpus/*" --output "$out/corpus2" \
    --direct_running_mode=multi_processing --direct_num_workers=2 >"$out/corpus2.stdout" 2>"$out.stderr/corpus2"
sample=$(dirname "$(sed -n 's/.*--input \([^ ]*\) .*/\1/p' "$out/demo.stdout" | head -1)")
for d in demo corpus corpus2; do
    for k in annotated dead_letter; do
        cat "$out/$d/$k"/*.jsonl | sort >"$out/$d/$k.sorted"
        rm -rf "${out:?}/$d/$k"
    done
    sed -i -E 's/"(started_at|finished_at)": ?"[^"]*"/"\1":"X"/g' "$out/$d/summary.json"
    sed -i -E 's/run [0-9T:.Z-]+ → [0-9T:.Z-]+/run X → X/; s/(run )[0-9T:.Z-]+(<\/code>)?/\1X/g' \
        "$out/$d/report.md" "$out/$d/report.html"
done
grep -rlF -e "$out" -e "$sample" "$out" | xargs -r sed -i -e "s#$out#OUT#g" -e "s#$sample#SAMPLE#g"
