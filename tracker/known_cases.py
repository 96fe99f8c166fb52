"""Known cases: incidents already catalogued, for grouping to recognise.

Each known case is an incident of our labelled development set (data/eval/dev.jsonl):
its reports, tagged by the taxonomy and summed into the profile
the grouper matches reports against (companies, types, distinctive terms, places,
authorities, parties, fine amounts, days). `tracker classify` starts from them. A report
that matches no incident of the run may continue a known case, and the case's next
reports then find it: two outlets retelling a famous case share more words with the
whole case than with each other. Known cases never count in how rare a term or a
company is (those figures describe the reports at hand). A report joins one only when no
incident of the run would take it.

    python -m tracker.known_cases [--sets dev] [--write | --check]

builds them from the development set and with --write stores them in
data/cases/known.json; rebuild after editing the taxonomy (`make cases`; a test says
when the file is stale). Never from the held-out sets, which score the grouping, nor
from the demo corpus: the demo database is grouped against the known cases as any news
is, so it shows grouping as it works rather than the demo's own labels given back.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from tracker.classify import report_for
from tracker.errors import TrackerError
from tracker.incidents import empty_match, merge_match
from tracker.tagger import tag_for_grouping
from tracker.tagging.features import FeatureReader
from tracker.taxonomy import Taxonomy, load_taxonomy

FORMAT = 1
KNOWN_PATH = Path(__file__).resolve().parent.parent / "data" / "cases" / "known.json"
DEFAULT_SETS = ("dev",)
_MATCH_KEYS = frozenset(empty_match())


def build(rows: Iterable[dict], taxonomy: Taxonomy) -> dict[str, dict]:
    """Case id ("case-" + the gold incident key) → the case: the title of its first
    report, its companies with their usual role, its types and its match profile. Only
    the reports the tagger gives a violation count, as the grouper would see them."""
    reader = FeatureReader(taxonomy)
    cases: dict[str, dict] = {}
    roles: dict[str, dict[str, dict[str, int]]] = {}
    dated = sorted(rows, key=lambda r: (str(r.get("published") or "9999")[:10], r.get("id", "")))
    for n, row in enumerate(dated):
        key = row.get("gold", {}).get("incident")
        if not key:
            continue
        tags, _ = tag_for_grouping(row.get("title") or "", row.get("summary") or "",
                                   taxonomy=taxonomy)
        if not tags.violations:
            continue
        case_id = f"case-{key}"
        case = cases.setdefault(case_id, {"title": row.get("title") or "", "companies": {},
                                          "types": [], "match": empty_match()})
        merge_match(case["match"], reader.read(report_for(n, row, tags)),
                    tags.action == "penalty")
        case["types"] = sorted(set(case["types"]) | set(tags.violations))
        counts = roles.setdefault(case_id, {})
        for company, role in tags.roles.items():
            seen = counts.setdefault(company, {})
            seen[role] = seen.get(role, 0) + 1
            case["companies"][company] = _usual(seen)
    return {case_id: _in_order(case) for case_id, case in cases.items()}


def _in_order(case: dict) -> dict:
    """The case with its maps in one order, whatever the order of the sets its reports'
    features came from: heaviest terms first (ties by name; the order an incident keeps
    them in when it outgrows MAX_TERMS), names sorted. A rebuild is then the same file,
    and the file groups exactly as a build in memory does."""
    match = dict(case["match"])
    match["terms"] = dict(sorted(match["terms"].items(), key=lambda kv: (-kv[1], kv[0])))
    for key in ("companies", "types"):
        match[key] = dict(sorted(match[key].items()))
    return {**case, "companies": dict(sorted(case["companies"].items())), "match": match}


def _usual(roles: dict[str, int]) -> str:
    """The role given most often; "accused" among equals (as an incident's summary)."""
    return max(roles, key=lambda role: (roles[role], role == "accused"))


def load(path: Path = KNOWN_PATH) -> dict[str, dict]:
    """The known cases stored at `path`; none when there is no such file."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TrackerError(f"cannot read known cases {path}: {e}") from e
    cases = data.get("cases") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(cases, dict) or not all(map(_is_case, cases.values())):
        raise TrackerError(f"{path}: not a known-cases file of format {FORMAT} "
                           "(rebuild it: make cases)")
    return cases


def _is_case(case: object) -> bool:
    return (isinstance(case, dict) and isinstance(case.get("title"), str)
            and isinstance(case.get("types"), list) and isinstance(case.get("companies"), dict)
            and isinstance(case.get("match"), dict) and case["match"].keys() >= _MATCH_KEYS)


def dumps(cases: Mapping[str, dict]) -> str:
    """The file's text: one case per line, sorted by id, so a rebuild shows as a small
    diff. Within a case the order is kept: which terms an incident keeps when it outgrows
    MAX_TERMS depends on it, and the file must group exactly as a fresh build does."""
    lines = [f"{json.dumps(k)}: {json.dumps(cases[k], ensure_ascii=False)}"
             for k in sorted(cases)]
    return f'{{"format": {FORMAT}, "cases": {{\n' + ",\n".join(lines) + "\n}}\n"


def main(argv: list[str] | None = None) -> int:
    from tracker.evaluate import load_rows, resolve  # (evaluate builds known cases too)

    parser = argparse.ArgumentParser(prog="python -m tracker.known_cases",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS),
                        help="labelled sets to build from (default: dev)")
    parser.add_argument("--out", type=Path, default=KNOWN_PATH, help="the file to write or check")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--write", action="store_true", help="store the cases in --out")
    what.add_argument("--check", action="store_true",
                      help="exit 1 when --out differs from a rebuild (stale after a taxonomy edit)")
    args = parser.parse_args(argv)
    try:
        if any(name.startswith("heldout") for name in args.sets):
            raise TrackerError("the held-out sets score the grouping: never build from them")
        rows = [row for name in args.sets for path in resolve(name)[1] for row in load_rows(path)]
        text = dumps(build(rows, load_taxonomy()))
        if args.check:
            stale = not args.out.is_file() or args.out.read_text(encoding="utf-8") != text
            print(f"known cases: {args.out} is {'stale: run make cases' if stale else 'current'}",
                  file=sys.stderr)
            return 1 if stale else 0
        if args.write:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
    except (TrackerError, OSError) as e:
        print(f"known_cases: error: {e}", file=sys.stderr)
        return 2
    count = text.count("\n") - 2
    print(f"known cases: {count} from {len(rows)} labelled items"
          + (f", written to {args.out}" if args.write else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
