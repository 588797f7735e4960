#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py RUNDIR OUTBASE [README]: turns one benchmark run (RUNDIR/raw.tsv, the memory
snapshots, the microbenchmark's output) into OUTBASE.md and OUTBASE.png (gnuplot), and replaces the
Benchmarks section of README (between its bench markers) with the headline table and the plot.

Every figure is a median: of the batches in a range, then of the repetitions. Ratios compare modes
measured in the same VM boot, never across runs."""
import collections
import os
import re
import statistics
import subprocess
import sys

MODES = ["none", "nf", "nf_sized", "nf_connlimit", "ktrack", "ktrack_auto", "ktrack_limit", "nf_fw",
         "ktrack_fw", "ktrack_rescue"]
MODE_DESC = {
    "none": "no tracking",
    "nf": "nf_conntrack, default buckets",
    "nf_sized": "nf_conntrack, buckets = flows",
    "nf_connlimit": "nf_conntrack + xt_connlimit",
    "ktrack": "ktrack",
    "ktrack_auto": "ktrack, automatic table size (no hashsize: the table resizes)",
    "ktrack_limit": "ktrack, per-source limit on",
    "nf_fw": "nf_conntrack + stateful nft input policy (ct state)",
    "ktrack_fw": "ktrack_limit + the same policy on state_mark (meta mark)",
    "ktrack_rescue": "ktrack, tw_rescue=1 (scenario g)",
}
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec="{:.0f}"):
    return "–" if x is None else spec.format(x)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


class Run:
    def __init__(self, d, extra=None):
        self.dir = d
        self.rows = []
        with open(os.path.join(d, "raw.tsv")) as f:
            for line in f:
                self.rows.append(line.rstrip("\n").split("\t"))
        # scenarios this run did not reach, taken from a second boot (BENCH_EXTRA_RUN)
        self.extra = {}
        if extra:
            have = {r[0] for r in self.rows}
            with open(os.path.join(extra, "raw.tsv")) as f:
                rows = [line.rstrip("\n").split("\t") for line in f]
            vm = {r[1]: r[2] for r in rows if r[0] == "vm"}
            for r in rows:
                if r[0] in ("h", "d") and r[0] not in have:
                    self.rows.append(r)
                    self.extra[r[0]] = vm.get("date", "?")
        self.vm = {r[1]: r[2] for r in self.rows if r[0] == "vm"}
        self.param = {r[1]: r[2] for r in self.rows if r[0] == "param"}
        self.flows = int(self.param.get("flows", "0"))
        self.modes = [m for m in MODES if any(r[0] == "a" and r[1] == m for r in self.rows)]

    def batches(self, sc, mode, key=None):
        """{key: [(entries_after, ns_per_pkt, lost)]} of a gen_run scenario."""
        out = collections.defaultdict(list)
        for r in self.rows:
            if r[0] == sc and r[1] == mode and (key is None or r[2] == key):
                out[r[2]].append((int(r[4]), float(r[5]), int(r[6])))
        return out

    def fill_stat(self, mode, lo, hi, agg=None):
        """Median over repetitions of agg (median, or min: the best batch) of the ns/packet of
        the batches starting in [lo, hi)."""
        agg = agg or med
        per_rep = []
        batch = int(self.param["batch"])
        for bs in self.batches("a", mode).values():
            xs = [ns for end, ns, _ in bs if lo <= end - batch < hi]
            per_rep.append(agg(xs) if xs else None)
        return med(per_rep)

    def growth(self, mode, agg=None):
        """Cost in the last 30% of the fill over the cost in the first 30%."""
        f = self.flows
        batch = int(self.param["batch"])
        first = self.fill_stat(mode, 0, max(0.3 * f - batch, 1), agg)
        last = self.fill_stat(mode, min(0.7 * f, f - batch), f, agg)
        return ratio(last, first)


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def section_fill(run):
    f = run.flows
    late_lo = 0.8 * f if f >= 500000 else f - int(run.param["batch"])
    rows = []
    stats = {}
    for m in run.modes:
        stats[m] = {"med": run.fill_stat(m, late_lo, f), "best": run.fill_stat(m, late_lo, f, min),
                    "gmed": run.growth(m), "gbest": run.growth(m, min)}
    n, nf = stats.get("none", {}), stats.get("nf", {})
    for m in run.modes:
        x = stats[m]
        rows.append([f"`{m}`", MODE_DESC[m],
                     fmt(x["med"]), fmt(ratio(x["med"], n.get("med")), "{:.2f}x"),
                     fmt(ratio(x["med"], nf.get("med")), "{:.2f}x"),
                     fmt(x["best"]), fmt(ratio(x["best"], n.get("best")), "{:.2f}x"),
                     fmt(ratio(x["best"], nf.get("best")), "{:.2f}x"),
                     fmt(x["gmed"], "{:.2f}"), fmt(x["gbest"], "{:.2f}"),
                     fmt(ratio(x["gbest"], n.get("gbest")), "{:.2f}")])
    rng = f"{late_lo / 1e3:.0f}k–{f / 1e3:.0f}k"
    head = ["mode", "what", f"median ns/pkt at {rng}", "vs none", "vs nf",
            f"best batch ns/pkt at {rng}", "vs none", "vs nf",
            "growth first→last 30% (median)", "growth (best)", "growth (best) / none's"]
    return table(head, rows), stats


def erow(run, mode, key):
    return next((r[3] for r in run.rows if r[:3] == ["e", mode, key]), None)


def section_resize(run):
    """The fill's batches against the resizes it caused: median and worst batch of each repetition
    (median of the repetitions), and the worst batch over the median one."""
    rows = []
    for m in run.modes:
        if not (m.startswith("ktrack") or m == "none"):
            continue
        meds, worsts, ratios = [], [], []
        for bs in run.batches("a", m).values():
            ns = [x for _, x, _ in bs]
            if ns:
                meds.append(statistics.median(ns))
                worsts.append(max(ns))
                ratios.append(max(ns) / statistics.median(ns))
        na = "–" if m == "none" else "?"
        src = "–" if m == "none" else " / ".join(erow(run, m, f"src_buckets_{f}") or "?" for f in ("ipv4", "ipv6"))
        rows.append([f"`{m}`", erow(run, m, "buckets") or na, src, erow(run, m, "resize_grow") or na,
                     erow(run, m, "resize_fail") or na, fmt(med(meds)), fmt(med(worsts)),
                     fmt(med(ratios), "{:.2f}x"), fmt(max(ratios) if ratios else None, "{:.2f}x")])
    if not rows:
        return None
    return table(["mode", "buckets after", "source buckets (IPv4 / IPv6)", "resizes (grow)", "resize_fail",
                  "median batch ns/pkt", "worst batch", "worst / median", "worst / median, worst repetition"],
                 rows)


def windows(run):
    """The fill cut into 10 windows: [(lo, hi)] of entries before a batch."""
    f = run.flows
    w = max(f // 10, int(run.param["batch"]))
    return [(lo, lo + w) for lo in range(0, f, w)]


def section_batches(run):
    rows = []
    for lo, hi in windows(run):
        row = [f"{lo // 1000}k–{hi // 1000}k"]
        for m in run.modes:
            row.append(f"{fmt(run.fill_stat(m, lo, hi))} / {fmt(run.fill_stat(m, lo, hi, min))}")
        rows.append(row)
    return table(["entries"] + [f"`{m}` median / best" for m in run.modes], rows)


def plot(run, outbase):
    data = outbase + ".dat"
    with open(data, "w") as f:
        f.write("# window-end " + " ".join(f"{m}-median {m}-best" for m in run.modes) + "\n")
        for lo, hi in windows(run):
            vals = []
            for m in run.modes:
                vals += [run.fill_stat(m, lo, hi), run.fill_stat(m, lo, hi, min)]
            f.write(f"{hi} " + " ".join("NaN" if v is None else f"{v / 1000:.2f}" for v in vals) + "\n")
    med_plots = ", ".join(f"'{data}' using ($1/1000):{2 * i + 2} with linespoints lw 2 title '{m}'"
                          for i, m in enumerate(run.modes))
    best_plots = ", ".join(f"'{data}' using ($1/1000):{2 * i + 3} with linespoints lw 2 title '{m}'"
                           for i, m in enumerate(run.modes))
    script = f"""set terminal pngcairo size 1000,900 font ',10' noenhanced
set output '{outbase}.png'
set multiplot layout 2,1 title 'Per-packet cost of a new TCP flow against table size (qemu TCG, one VM boot)'
set xlabel 'entries in the table (thousands)'
set ylabel 'microseconds per packet'
set key outside right
set grid
set yrange [0:*]
set title 'median batch of each window'
plot {med_plots}
set title 'best batch of each window (least disturbed by the shared host)'
plot {best_plots}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    os.unlink(data)


def section_acks(run):
    vals, best = {}, {}
    for m in run.modes:
        vals[m] = med([med([ns for _, ns, _ in bs]) for bs in run.batches("c", m).values()])
        best[m] = med([min(ns for _, ns, _ in bs) for bs in run.batches("c", m).values()])
    if not any(vals.values()):
        return None
    rows = [[f"`{m}`", fmt(vals[m]), fmt(ratio(vals[m], vals.get("none")), "{:.2f}x"),
             fmt(ratio(vals[m], vals.get("nf")), "{:.2f}x"), fmt(best[m]),
             fmt(ratio(best[m], best.get("none")), "{:.2f}x"),
             fmt(ratio(best[m], best.get("nf")), "{:.2f}x")] for m in run.modes]
    return table(["mode", "median ns/pkt", "vs none", "vs nf", "best batch ns/pkt", "vs none", "vs nf"],
                 rows)


def meminfo(path):
    mi, slabs = {}, {}
    part = 0
    with open(path) as f:
        for line in f:
            if line.startswith("---"):
                part = 1
                continue
            if part == 0:
                k, v = line.split(":", 1)
                mi[k] = int(v.split()[0]) * 1024
            elif not line.startswith(("slabinfo", "#")):
                p = line.split()
                slabs[p[0]] = (int(p[1]), int(p[3]))   # active_objs, objsize
    return mi, slabs


def section_memory(run):
    rows = []
    notes = []
    per_conn = {}
    for m in run.modes:
        before, after = (os.path.join(run.dir, f"mem-{m}-{x}") for x in ("before", "after"))
        if not (os.path.exists(before) and os.path.exists(after)):
            continue
        ent = next((int(r[3]) for r in run.rows if r[:3] == ["e", m, "entries"]), 0)
        buckets = next((int(r[3]) for r in run.rows if r[:3] == ["e", m, "buckets"]), 0)
        mb, sb = meminfo(before)
        ma, sa = meminfo(after)
        if not ent:
            rows.append([f"`{m}`", 0, "–", "–", "–", "–"])
            continue
        links = {}
        lp = os.path.join(run.dir, f"slab-links-{m}")
        if os.path.exists(lp):
            with open(lp) as f:
                links = dict(l.split() for l in f if len(l.split()) == 2)
        grown = []
        slab_bytes = 0
        for name, (act, size) in sa.items():
            d = act - sb.get(name, (0, size))[0]
            if d >= 0.05 * ent:
                # names of ours that SLUB merged into this cache
                ours = sorted(n for n, t in links.items() if name in links and t == links[name]
                              and n.startswith(("ktrack", "nf_conn")) and n != name)
                label = name + (f" (= {', '.join(ours)})" if ours else "")
                grown.append(f"{label} {size} B × {d / ent:.2f}")
                slab_bytes += d * size
        # buckets, 8 bytes each: nf_conntrack's hlist_nulls heads; ktrack's table plus its IPv4 and
        # IPv6 sources' buckets, as /proc/net/ktrack_chains showed them (runs before those resized:
        # 1/8 and 1/32 of the table's bucket count)
        src = [int(r[3]) for r in run.rows if r[0] == "e" and r[1] == m and r[2].startswith("src_buckets_")]
        if not m.startswith("ktrack"):
            bucket_bytes = buckets * 8
        elif src:
            bucket_bytes = (buckets + sum(src)) * 8
        else:
            bucket_bytes = buckets * 8 * (1 + 1 / 8 + 1 / 32)
        total = (slab_bytes + bucket_bytes) / ent
        dmem = ((ma["Slab"] + ma.get("VmallocUsed", 0)) - (mb["Slab"] + mb.get("VmallocUsed", 0))) / ent
        per_conn[m] = total
        rows.append([f"`{m}`", ent, "; ".join(grown) or "–", f"{bucket_bytes / ent:.1f}",
                     f"**{total:.1f}**", f"{dmem:.1f}"])
    for m in run.modes:
        p = os.path.join(run.dir, f"ktrackctl-stats-{m}")
        if m.startswith("ktrack") and os.path.exists(p):
            with open(p) as f:
                notes.append(f"`ktrackctl stats` after the fill (`{m}`):\n\n```\n" + f.read().strip() + "\n```")
    head = ["mode", "entries", "slab objects that grew (size × objects per connection)",
            "buckets B/conn", "all-in B/conn", "Δ(Slab+VmallocUsed) / conn"]
    return table(head, rows), notes, per_conn


def section_big(run):
    rows = []
    big = int(run.param.get("big", "0"))
    for m in MODES:
        bs = run.batches("b", m).get("0")
        if not bs:
            continue
        stop = next((r for r in run.rows if r[0] == "b_stop" and r[1] == m), None)
        ent = next((r[3] for r in run.rows if r[0] == "b_entries" and r[1] == m), "?")
        avail = next((r[3] for r in run.rows if r[0] == "b_mem" and r[1] == m), "?")
        reached = max(e for e, _, _ in bs)
        first = med([ns for e, ns, _ in bs[:3]])
        last = med([ns for e, ns, _ in bs[-3:]])
        held = "yes" if reached >= big and str(ent) != "?" and int(ent) >= big * 0.99 else "no"
        why = f"stopped at {int(stop[2]) / 1e6:.1f}M: {stop[3]}" if stop else ""
        ns = [x for _, x, _ in bs]
        worst = ratio(max(ns), statistics.median(ns))
        # what the mode's connections took, from MemAvailable against none's after the same flows
        none_avail = next((r[3] for r in run.rows if r[0] == "b_mem" and r[1] == "none"), None)
        per_conn = None
        if none_avail and avail != "?" and str(ent) not in ("?", "0") and m != "none":
            per_conn = (int(none_avail) - int(avail)) * 2**20 / int(ent)
        if m == "none":
            held, ent = "(nothing to hold)", "–"
        rows.append([f"`{m}`", f"{reached / 1e6:.1f}M", ent, held, avail, fmt(per_conn, "{:.1f}"),
                     fmt(first), fmt(last), fmt(ratio(last, first), "{:.2f}"),
                     fmt(worst, "{:.2f}x"), why])
    if not rows:
        return None
    return table(["mode", "flows sent", "entries held", f"holds {big / 1e6:.0f}M", "MemAvailable after (MiB)",
                  "B/conn (MemAvailable under none's)", "ns/pkt first 3 batches", "last 3 batches", "growth",
                  "worst / median batch", "note"], rows)


def big_estimate(run, per_conn):
    """When b was not run: what BIG connections would take, from e's bytes per connection."""
    big = int(run.param.get("big", "0"))
    mem = int(run.vm.get("mem_mib", "0"))
    rows = []
    for m, b in per_conn.items():
        need = b * big / 2**20
        rows.append([f"`{m}`", f"{b:.1f}", f"{need:.0f} MiB",
                     "yes" if need < 0.8 * mem else ("doubtful" if need < mem else "no")])
    if not rows:
        return None
    return (f"Not run in this run (its sizes would not fit the time). Estimated from (e): memory for "
            f"{big / 1e6:g}M connections at the measured bytes per connection, against the guest's "
            f"{mem} MiB (\"yes\" below 80% of it).\n\n" +
            table(["mode", "B/conn (e)", f"{big / 1e6:g}M connections need", "fits"], rows))


def section_sources(run):
    keys = sorted({int(r[2]) for r in run.rows if r[0] == "d"})
    modes = [m for m in MODES if any(r[0] == "d" and r[1] == m for r in run.rows)]
    if not keys:
        return None
    rows = []
    for s in keys:
        xs = {m: [ns for _, ns, _ in run.batches("d", m, str(s)).get(str(s), [])] for m in modes}
        vals = {m: med(xs[m]) for m in modes}
        best = {m: min(xs[m]) if xs[m] else None for m in modes}
        row = [f"{s}"]
        for m in modes:
            row.append(f"{fmt(vals[m])} ({fmt(ratio(vals[m], vals.get('none')), '{:.2f}x')}) / "
                       f"{fmt(best[m])} ({fmt(ratio(best[m], best.get('none')), '{:.2f}x')})")
        rows.append(row)
    return table(["sources"] + [f"`{m}` median ns/pkt (vs none) / best (vs none)" for m in modes], rows)


def section_cpus(run):
    modes = [m for m in MODES if any(r[0] == "h" and r[1] == m for r in run.rows)]
    if not modes:
        return None
    rows = []
    best1 = {}
    for m in modes:
        xs = [ns for _, ns, _ in run.batches("h", m, "1").get("1", [])]
        best1[m] = min(xs) if xs else None
    for m in modes:
        rate, brate = {}, {}
        for t in ("1", "2"):
            xs = [ns for _, ns, _ in run.batches("h", m, t).get(t, [])]
            rate[t] = 1e9 / med(xs) if xs else None
            brate[t] = 1e9 / min(xs) if xs else None
        rows.append([f"`{m}`", fmt(rate["1"]), fmt(rate["2"]), fmt(ratio(rate["2"], rate["1"]), "{:.2f}x"),
                     fmt(brate["1"]), fmt(brate["2"]), fmt(ratio(brate["2"], brate["1"]), "{:.2f}x"),
                     fmt(best1[m]), fmt(ratio(best1[m], best1.get("none")), "{:.2f}x"),
                     fmt(ratio(best1[m], best1.get("nf")), "{:.2f}x")])
    return ("The modes run one after another within each of two rounds (and the order rotates), so "
            "the one-sender columns are also the fairest comparison of the modes in this run, at "
            "0–" + f"{int(run.param.get('hflows', 0)) // 2000}k entries.\n\n" +
            table(["mode", "1 sender (packets/s, median batch)", "2 senders on 2 CPUs", "scaling",
                   "1 sender (best batch)", "2 senders (best batch)", "scaling (best)",
                   "1 sender best ns/pkt", "vs none", "vs nf"], rows))


def section_expiry(run):
    rows = []
    for r in run.rows:
        if r[0] == "f":
            m, size, late, left, timeout, tfill = r[1:7]
            first = r[7] if len(r) > 7 else "-"
            fill = next((x for x in run.rows if x[0] == "f_fill" and x[1] == m and x[2] == size), None)
            held = fill[4] if fill else "?"
            if late == "-":
                empty = "not empty after 180 s"
            elif first == "-":
                # never seen shrinking: it was already empty when first looked at
                empty = f"≤ {float(late):+.2f} s (already empty at the first look)"
            else:
                empty = f"{float(late):+.2f} s"
            rows.append([f"`{m}`", size, held, timeout, f"{float(tfill):.1f}", empty, left])
    if not rows:
        return None
    return ("The table's count is polled (every 50 ms, in a VM that is often descheduled for longer) "
            "until it is empty; lateness is measured from the last entry's deadline (the end of the "
            "fill plus the timeout).\n\n" +
            table(["mode", "entries sent", "entries held after the fill", "timeout (s)", "fill took (s)",
                   "table empty at: last deadline +", "left at the end"], rows))


def section_profile(run):
    """(p): the hottest symbols of each profiled mode, and the share of ktrack's own."""
    modes = [m for m in MODES if any(r[0] == "p_sym" and r[1] == m for r in run.rows)]
    if not modes:
        return None
    syms = {m: [(float(r[2]), r[3]) for r in run.rows if r[0] == "p_sym" and r[1] == m] for m in modes}
    out = []
    for m in modes:
        own = sum(p for p, s in syms[m] if "ktrack" in s)
        out.append(f"`{m}`: ktrack's own symbols {own:.1f}% of the samples among the 30 hottest.\n")
        out.append(table(["% of samples", "symbol"], [[f"{p:.2f}", f"`{s}`"] for p, s in syms[m][:15]]))
        out.append("")
    return "\n".join(out)


def section_churn(run):
    rows = []
    for r in run.rows:
        if r[0] == "g":
            _, m, rate, att, ok, failed, slow, maxms, kinds, counters = r
            rows.append([f"`{m}`", rate, att, ok, f"**{failed}**", slow, maxms, kinds,
                         counters.replace(",", ", ")])
    if not rows:
        return None
    return table(["mode", "rate (conn/s)", "attempted", "ok", "failed", "slow (>0.9 s)", "max ms",
                  "failures", "server TCP counters"], rows)


def unit_bench(run):
    p = os.path.join(run.dir, "unit-bench.txt")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        text = f.read()
    lines = [l for l in text.splitlines() if not l.startswith(("make", "  CC", "  LD"))]
    return "```\n" + "\n".join(lines).strip() + "\n```"


def main():
    rundir, outbase = sys.argv[1], sys.argv[2]
    readme = sys.argv[3] if len(sys.argv) > 3 else None
    run = Run(rundir, os.environ.get("BENCH_EXTRA_RUN"))
    date = os.path.basename(outbase)
    p = run.param
    head_tab, _ = section_fill(run)
    batches_tab = section_batches(run)
    if run.modes:	# a run without scenario a (BENCH_SCENARIOS) has no fill to plot
        plot(run, outbase)
    load = ""
    for x in ("start", "end"):
        fp = os.path.join(rundir, f"host-load-{x}")
        if os.path.exists(fp):
            with open(fp) as f:
                load += f"{x}: `{f.read().strip()}`; "
    hostcpus = ""
    if os.path.exists(os.path.join(rundir, "host-cpus")):
        with open(os.path.join(rundir, "host-cpus")) as f:
            hostcpus = f.read().strip()

    md = [f"# ktrack benchmark, {date}", ""]
    md.append(f"One VM boot, every mode one after another on the same packets (`make bench`; method in "
              f"[bench/README.md](../README.md)). Numbers are wall-clock nanoseconds per packet under qemu TCG "
              f"on a shared host: only the ratios within this run mean anything.")
    md.append("")
    md.append("## VM")
    md.append("")
    md.append(table(["", ""], [
        ["kernel", run.vm.get("kernel")], ["CPUs", f"{run.vm.get('cpus')} ({run.vm.get('cpu_model')})"],
        ["memory", f"{run.vm.get('mem_mib')} MiB (MemTotal)"],
        ["accelerator", f"qemu TCG, multi-threaded ({run.vm.get('accel')}), clocksource {run.vm.get('clocksource')}"],
        ["date", run.vm.get("date")], ["host", f"{hostcpus} CPUs shared with other VMs; load {load}"],
        ["ktrack", run.vm.get("ktrack_version")],
        ["nf_conntrack default", f"{run.vm.get('nf_default_buckets')} buckets, nf_conntrack_max {run.vm.get('nf_default_max')} (raised for the runs)"],
        ["parameters", ", ".join(f"{k}={v}" for k, v in p.items())],
        ["run time", f"{run.vm.get('runtime_s', '?')} s in the VM"],
    ]))
    md += [] if not run.modes else ["", f"## (a) Filling the table: 0 → {run.flows / 1e6:g}M new TCP flows", "",
           f"{p.get('sources')} sources, {p.get('batch')} packets a batch, median of {p.get('repeats')} "
           "repetition(s) (the mode order rotates between repetitions). Two statistics per range of "
           "table sizes: the median batch, and the best (fastest) batch. The VM shares a 2-CPU host with "
           "other VMs, whose load only ever adds time to a batch, so the best batch is the least disturbed "
           "estimate of the cost; the median shows how noisy the run was. Growth compares the first 30% "
           "of the fill with the last 30%; `none`'s growth is the noise floor.", "", head_tab, "",
           f"![per-packet cost against table size]({date}.png)", "",
           "Per tenth of the fill (ns/packet: median batch / best batch of the window; median of the repetitions):",
           "", batches_tab, ""]
    resize_tab = section_resize(run)
    if resize_tab:
        md += ["Resizes during the fill: every batch of the fill, the sizes it ended with, and the worst "
               "batch against the median one (a resize moves the chains in a worker while the batches run; "
               "with a preset hashsize nothing resizes, and `none` tracks nothing: their worst batches are the noise):", "", resize_tab, ""]
    mem_tab, notes, per_conn = section_memory(run)
    for title, sec in (("(c) Packets of established flows (ACKs on the full table)", section_acks(run)),
                       (f"(b) {int(p.get('big', 0)) / 1e6:g}M flows in a {run.vm.get('mem_mib')} MiB guest", section_big(run) or big_estimate(run, per_conn)),
                       ("(d) Per-source limit cost against the number of sources", section_sources(run)),
                       ("(f) Expiry: how long after its deadline the last entry is gone", section_expiry(run)),
                       ("(g) Churn: short connections through one NAT address, server closes first", section_churn(run)),
                       ("(h) Two senders on two CPUs against one", section_cpus(run)),
                       ("(p) Profile of a fill (perf record, cpu-clock)", section_profile(run))):
        if sec:
            sc = title[1]
            if sc in run.extra:
                sec = (f"Measured in a second VM boot ({run.extra[sc]}, same kernel, memory and sizes), "
                       "because the run above ran out of time before it; ratios are within that boot.\n\n"
                       + sec)
            md += [f"## {title}", "", sec, ""]
    if run.modes:	# measured during the fill of (a)
        md += [f"## (e) Memory per connection at {run.flows / 1e6:g}M", "", mem_tab, ""] + [n + "\n" for n in notes]
    ub = unit_bench(run)
    if ub:
        md += ["## Userspace microbenchmark (callgrind, `make -C tests/unit bench`)", "", ub, ""]
    with open(outbase + ".md", "w") as f:
        f.write("\n".join(md))

    if readme and run.modes:
        with open(readme) as f:
            text = f.read()
        block = "\n".join([README_START, "## Benchmarks", "",
                           f"Latest run ({date}, qemu TCG, one VM boot; full results and method: "
                           f"[bench/results/{date}.md](bench/results/{date}.md)). Per-packet cost of a new TCP "
                           f"flow at {0.8 * run.flows / 1e6:g}M–{run.flows / 1e6:g}M entries, and its growth while "
                           "the table fills (median batch, and best batch: the host is shared, and its load "
                           "only adds time, so the best batch is the least disturbed figure); run it with "
                           "`make bench`.", "", head_tab, "",
                           f"![per-packet cost against table size](bench/results/{date}.png)", "", README_END])
        if README_START in text:
            text = re.sub(re.escape(README_START) + ".*?" + re.escape(README_END), lambda _: block, text,
                          flags=re.S)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        with open(readme, "w") as f:
            f.write(text)


main()
