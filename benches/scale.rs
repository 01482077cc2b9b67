//! Scale benchmark (plain std::time, no harness): the scan pipeline on simulated links of
//! 100 to 10,000 hosts, where no kernel lab can go (design.md §5).
//!
//!   cargo bench --bench scale                 # 100, 1000, 3000, 10000 hosts
//!   cargo bench --bench scale -- 1000 10000   # chosen sizes
//!
//! Each size runs in a fresh child process (so its peak RSS is its own) and measures:
//! - `scan`: `app::scan_links` on a `SimLink` whose answers are spread uniformly over 300 ms
//!   after each probe (NAs within 30 ms), window 500 ms, 2 rounds: addresses found, wall
//!   time, the time spent after the window closed (merge + grouping), process CPU time
//!   (the simulated hosts' work included), and peak heap.
//! - `pipeline`: the cost that grows with the link, without the window: the observations
//!   of one scan fed to a fresh `HostTable`, the neighbour-cache merge (1024 entries, the
//!   kernel's limit), grouping (with OUI lookups), and rendering as table, plain and JSON
//!   (median of 5); the peak heap of one pass.
//!
//! Memory: a counting global allocator gives exact live-heap peaks; VmHWM from
//! /proc/self/status gives the process's peak RSS (code, stacks and the simulated link too).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::mem::ManuallyDrop;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};
use v6scout::app::engine::scan_links;
use v6scout::collect::HostTable;
use v6scout::config::ScanConfig;
use v6scout::group::{self, GroupOptions};
use v6scout::neigh::{NeighEntry, NeighSource, NeighState};
use v6scout::output::{self, Format};
use v6scout::probe::sim::{SimHost, SimLink};
use v6scout::probe::{Link, Probe, Received};
use v6scout::report::Report;

mod common;
use common::{hosts, interface};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static SIM_LIVE: AtomicUsize = AtomicUsize::new(0);
static SIM_PEAK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set while the simulated link itself runs: its memory is not v6scout's.
    static IN_SIM: Cell<bool> = const { Cell::new(false) };
}

fn counters() -> (&'static AtomicUsize, &'static AtomicUsize) {
    if IN_SIM.with(Cell::get) {
        (&SIM_LIVE, &SIM_PEAK)
    } else {
        (&LIVE, &PEAK)
    }
}

fn grow(by: usize) {
    let (live, peak) = counters();
    let now = live.fetch_add(by, Relaxed) + by;
    peak.fetch_max(now, Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) };
        counters().0.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            counters().0.fetch_sub(l.size(), Relaxed);
            grow(new);
        }
        q
    }
}

/// A link whose every allocation (queued answers, the log of sent probes, its drop) is
/// counted apart from v6scout's.
struct Uncounted<L>(ManuallyDrop<L>);

fn in_sim<T>(f: impl FnOnce() -> T) -> T {
    IN_SIM.with(|c| c.set(true));
    let r = f();
    IN_SIM.with(|c| c.set(false));
    r
}

impl<L: Link> Link for Uncounted<L> {
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        in_sim(|| self.0.send(probe))
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        in_sim(|| self.0.recv(buf, timeout))
    }
}

impl<L> Drop for Uncounted<L> {
    fn drop(&mut self) {
        // SAFETY: dropped exactly once, here.
        in_sim(|| unsafe { ManuallyDrop::drop(&mut self.0) });
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Starts a peak measurement; returns the live bytes it is relative to.
fn peak_start() -> usize {
    let live = LIVE.load(Relaxed);
    PEAK.store(live, Relaxed);
    live
}

fn peak_since(base: usize) -> usize {
    PEAK.load(Relaxed).saturating_sub(base)
}

/// A field of /proc/self/status in KiB (VmHWM: peak RSS, VmRSS: current RSS).
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so the next peak is this phase's.
fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a rusage; RUSAGE_SELF covers every thread of the process.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// A kernel neighbour cache as full as Linux lets it be: the first 1024 addresses.
struct Cache(Vec<NeighEntry>);
impl NeighSource for Cache {
    fn dump(&self) -> std::io::Result<Vec<NeighEntry>> {
        Ok(self.0.clone())
    }
}
fn cache(hosts: &[SimHost]) -> Cache {
    Cache(
        hosts
            .iter()
            .flat_map(|h| h.addrs.iter().map(move |a| (a, h.mac)))
            .take(1024)
            .map(|(a, mac)| NeighEntry {
                ifindex: 2,
                addr: *a,
                mac: Some(mac),
                state: NeighState::Reachable,
                router: false,
            })
            .collect(),
    )
}

const WINDOW: Duration = Duration::from_millis(500);
const SPREAD: Duration = Duration::from_millis(300);

fn options() -> ScanConfig {
    ScanConfig {
        wait: WINDOW,
        rounds: 2,
        ..ScanConfig::default()
    }
}

fn addresses(r: &Report) -> usize {
    r.interfaces
        .iter()
        .flat_map(|i| &i.prefixes)
        .map(|p| p.hosts.len())
        .sum()
}

/// A writer that only counts: rendering cost without the output's own memory or I/O.
struct Counter(usize);
impl Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One size, in this process: prints one `key=value` line for the parent.
fn run_one(n: usize) {
    let all = hosts(n);
    let want: usize = all.iter().map(|h| h.addrs.len()).sum();
    let neigh = cache(&all);

    // The live scan on a link with spread answers.
    let link = in_sim(|| {
        Uncounted(ManuallyDrop::new(
            SimLink::new(all.clone()).with_spread(SPREAD, 0x0dd_ba11),
        ))
    });
    let rss_before = status_kib("VmRSS:");
    reset_hwm();
    let sim_base = SIM_LIVE.load(Relaxed);
    SIM_PEAK.store(sim_base, Relaxed);
    let base = peak_start();
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let report = scan_links(
        &mut [(interface(), link)],
        &options(),
        Some(&neigh),
        &mut |w| eprintln!("warning: {w}"),
    );
    let scan_wall = t0.elapsed();
    let scan_cpu = cpu_time() - cpu0;
    let scan_heap = peak_since(base);
    let sim_heap = SIM_PEAK.load(Relaxed).saturating_sub(sim_base);
    let scan_hwm = status_kib("VmHWM:");
    let found = addresses(&report);
    let probes = report.stats.probes_sent;
    drop(report);

    // The same scan's observations, for the pipeline alone.
    let obs = common::observations(all);
    let ifaces = [interface()];
    let (mut tc, mut tg, mut tt, mut tp, mut tj) = (vec![], vec![], vec![], vec![], vec![]);
    let mut tl = vec![];
    let mut heap = 0;
    let mut bytes = [0usize; 3];
    for _ in 0..5 {
        let batch = obs.clone();
        let base = peak_start();
        let t = Instant::now();
        let mut table = HostTable::new(1_000_000);
        for o in batch {
            table.add(o);
        }
        table.merge_cache(&neigh.0, false);
        tc.push(t.elapsed());
        let t = Instant::now();
        let report = Report {
            started: std::time::SystemTime::now(),
            duration: WINDOW,
            interfaces: group::group(&table, &ifaces, GroupOptions::default()),
            stats: Default::default(),
            ports_checked: None,
        };
        tg.push(t.elapsed());
        for (i, (format, times)) in [
            (Format::TABLE, &mut tt),
            (Format::plain(true), &mut tp),
            (Format::Json, &mut tj),
        ]
        .into_iter()
        .enumerate()
        {
            let mut out = Counter(0);
            let t = Instant::now();
            output::render(&report, format, &mut out).expect("rendering");
            times.push(t.elapsed());
            bytes[i] = out.0;
        }
        // The same table through what stdout really is, a LineWriter (one write(2) a line),
        // here onto /dev/null: the syscall cost a real terminal or pipe adds at least.
        let null = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .expect("/dev/null");
        let mut out = std::io::LineWriter::new(null);
        let t = Instant::now();
        output::render(&report, Format::TABLE, &mut out).expect("rendering");
        out.flush().expect("flush");
        tl.push(t.elapsed());
        heap = heap.max(peak_since(base));
        assert_eq!(addresses(&report), want, "pipeline lost addresses");
    }
    let (c, g, t, p, j) = (median(tc), median(tg), median(tt), median(tp), median(tj));
    let tl = median(tl);
    println!(
        "n={n} want={want} found={found} probes={probes} scan_ms={:.1} after_window_ms={:.1} \
         scan_cpu_ms={:.1} scan_heap_kib={} collect_ms={:.2} group_ms={:.2} table_ms={:.2} \
         plain_ms={:.2} json_ms={:.2} table_linewriter_ms={:.2} pipeline_heap_kib={} out_kib={}/{}/{} sim_heap_kib={} \
         rss_before_kib={rss_before} scan_hwm_kib={scan_hwm} vmhwm_kib={}",
        ms(scan_wall),
        ms(scan_wall.saturating_sub(WINDOW)),
        ms(scan_cpu),
        scan_heap / 1024,
        ms(c),
        ms(g),
        ms(t),
        ms(p),
        ms(j),
        ms(tl),
        heap / 1024,
        bytes[0] / 1024,
        bytes[1] / 1024,
        bytes[2] / 1024,
        sim_heap / 1024,
        status_kib("VmHWM:")
    );
}

fn field(line: &str, key: &str) -> f64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.split('/').next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    if let Ok(n) = std::env::var("V6SCOUT_BENCH_HOSTS") {
        run_one(n.parse().expect("V6SCOUT_BENCH_HOSTS is a number"));
        return;
    }
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![100, 1000, 3000, 10_000];
    }
    let exe = std::env::current_exe().expect("own path");
    let mut lines = Vec::new();
    for n in sizes {
        let out = Command::new(&exe)
            .env("V6SCOUT_BENCH_HOSTS", n.to_string())
            .output()
            .expect("run the benchmark child");
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || !line.starts_with("n=") {
            eprintln!("{n} hosts failed: {}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(1);
        }
        lines.push(line);
    }
    let pipeline = |l: &str| {
        ["collect_ms", "group_ms", "table_ms", "plain_ms", "json_ms"]
            .iter()
            .map(|k| field(l, k))
            .sum::<f64>()
    };
    println!(
        "Simulated link, answers spread over {SPREAD:?} (NAs {:?}), window {WINDOW:?}, 2 rounds.",
        SPREAD / 10
    );
    println!("Time (ms). scan = scan_links wall; after = past the window; CPU = whole process (simulated hosts too);");
    println!("pipeline = collect + group + table + plain + json, each the median of 5, no window, rendered");
    println!(
        "into a byte counter; table→LineWriter = the table through a LineWriter onto /dev/null."
    );
    println!(
        "{:>6} {:>6} {:>6} {:>7} {:>6} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7} {:>9} {:>8} {:>17}",
        "hosts",
        "addrs",
        "found",
        "scan",
        "after",
        "CPU",
        "collect",
        "group",
        "table",
        "plain",
        "json",
        "pipeline",
        "µs/addr",
        "table→LineWriter"
    );
    for l in &lines {
        let f = |k| field(l, k);
        println!(
            "{:>6} {:>6} {:>6} {:>7.1} {:>6.1} {:>7.1} {:>8.2} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>9.2} {:>8.2} {:>17.2}",
            f("n"), f("want"), f("found"), f("scan_ms"), f("after_window_ms"), f("scan_cpu_ms"),
            f("collect_ms"), f("group_ms"), f("table_ms"), f("plain_ms"), f("json_ms"),
            pipeline(l), pipeline(l) * 1e3 / f("want"), f("table_linewriter_ms")
        );
    }
    println!("Memory (KiB). heap = peak live bytes allocated by v6scout (counting allocator, the");
    println!("simulated link's own allocations counted apart as sim); RSS = the bench process");
    println!(
        "(VmRSS before the scan: code + simulated hosts; VmHWM during the scan; VmHWM overall)."
    );
    println!(
        "{:>6} {:>10} {:>13} {:>9} {:>10} {:>9} {:>9}",
        "hosts", "scan heap", "pipeline heap", "sim heap", "RSS before", "scan RSS", "peak RSS"
    );
    for l in &lines {
        let f = |k| field(l, k);
        println!(
            "{:>6} {:>10} {:>13} {:>9} {:>10} {:>9} {:>9}",
            f("n"),
            f("scan_heap_kib"),
            f("pipeline_heap_kib"),
            f("sim_heap_kib"),
            f("rss_before_kib"),
            f("scan_hwm_kib"),
            f("vmhwm_kib")
        );
    }
    for w in lines.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        println!(
            "growth {}→{} hosts (×{:.1}): pipeline ×{:.1}, scan heap ×{:.1}, pipeline heap ×{:.1}",
            field(a, "n"),
            field(b, "n"),
            field(b, "n") / field(a, "n"),
            pipeline(b) / pipeline(a),
            field(b, "scan_heap_kib") / field(a, "scan_heap_kib"),
            field(b, "pipeline_heap_kib") / field(a, "pipeline_heap_kib"),
        );
    }
}
