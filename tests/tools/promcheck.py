#!/usr/bin/python3
"""tests/tools/promcheck.py: checks a Prometheus text exposition (stdin) as the suites need it.

Parses it with prometheus_client's text_string_to_metric_families (Debian's
python3-prometheus-client), and checks on the raw text what a scraper and node_exporter's textfile
collector need: each family's HELP and TYPE lines exactly once, before its samples, which stand
together; every name under PREFIX (default ktrack_); a counter's samples end in _total. Prints
`family NAME TYPE` per family, then `NAME{k="v",...} VALUE` per sample (labels sorted, value as an
integer when it is one); exits 1 with the reasons on stderr when a check fails.

    promcheck.py [PREFIX] < exposition
"""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    prefix = sys.argv[1] if len(sys.argv) > 1 else "ktrack_"
    text = sys.stdin.read()
    errors = []
    seen = {}          # family -> which of HELP/TYPE seen
    done = set()       # families whose samples ended
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"# (HELP|TYPE) (\S+)", line)
        if m:
            kind, fam = m.groups()
            if fam in done or kind in seen.get(fam, set()):
                errors.append("line %d: a second %s of %s" % (n, kind, fam))
            seen.setdefault(fam, set()).add(kind)
            if current and current != fam:
                done.add(current)
            current = fam
            continue
        if not line or line.startswith("#"):
            continue
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        if current is None or not name.startswith(current):
            errors.append("line %d: sample %s outside its family's block" % (n, name))
    families = list(text_string_to_metric_families(text))
    for f in families:
        if not f.name.startswith(prefix):
            errors.append("%s is not under %s" % (f.name, prefix))
        if not f.documentation:
            errors.append("%s has no HELP" % f.name)
        if f.type not in ("counter", "gauge"):
            errors.append("%s has type %s" % (f.name, f.type))
        print("family %s %s" % (f.name, f.type))
    for f in families:
        for s in f.samples:
            if f.type == "counter" and not s.name.endswith("_total"):
                errors.append("counter sample %s does not end in _total" % s.name)
            labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
            value = int(s.value) if s.value == int(s.value) else s.value
            print("%s%s %s" % (s.name, "{%s}" % labels if labels else "", value))
    for e in errors:
        print("promcheck: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
