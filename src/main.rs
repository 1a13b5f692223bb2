//! The s5rs binary: pick the allocator, parse the command line, raise the open-file
//! limit, size the runtime, run, exit with the run's code. Everything else lives in
//! the library.

use std::process::ExitCode;

use s5rs::cli::{self, Action};

/// mimalloc, not glibc's malloc. Every record and line the batch reader (or a
/// transfer) allocates is freed by the output thread; glibc then takes the
/// allocating thread's arena lock for each free, and the two threads fight over it: a
/// 1,000,000-line dry run spent 0.37-0.55 s of sys in `__lll_lock_wait_private` and
/// `__lll_lock_wake_private` (20,904 futex calls) even with four arenas, which
/// mimalloc's per-page free lists avoid (0.06-0.18 s, 1,439 futex calls). It also cut
/// the user CPU of 5,000 × 1 KiB downloads and uploads by a quarter to a half
/// (docs/performance.md). `no_thp`: mimalloc would otherwise ask for transparent huge
/// pages on its arenas, and touching one 2 MiB page where a 4 KiB one would do
/// doubled the peak RSS of small runs (19 MB to 38 MB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut config = match cli::parse(std::env::args_os().collect()) {
        Action::Run(config) => config,
        Action::Print(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            return ExitCode::SUCCESS;
        }
        Action::Usage(message) => {
            eprintln!("{}", message.trim_end());
            return ExitCode::from(s5rs::exit::ExitCode::Usage.code() as u8);
        }
    };
    // Many workers hold files and sockets open at once: use what the hard limit allows.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    if let Ok((soft, _)) = rlimit::getrlimit(rlimit::Resource::NOFILE) {
        let fit = s5rs::storage::fd::workers_within(soft, config.numworkers);
        if fit < config.numworkers {
            eprintln!(
                "WARNING: the open-file limit is {soft}: running {fit} workers instead of {}",
                config.numworkers
            );
            config.numworkers = fit;
        }
    }
    if config.no_verify_ssl {
        eprintln!("WARNING: --no-verify-ssl: TLS certificates are not verified");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(async_worker_threads())
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ERROR starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    // The run is a task on a worker, not the main thread's `block_on` future: the ops
    // it spawns then go to that worker's own queue instead of waking a worker on
    // another thread for every spawn.
    let code = match runtime.block_on(async move { tokio::spawn(s5rs::run::run(config)).await }) {
        Ok(code) => code,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => {
            eprintln!("ERROR: the run was cancelled: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.shutdown_background();
    ExitCode::from(code.code() as u8)
}

/// Threads that run async tasks: `TOKIO_WORKER_THREADS` when set, else one per two
/// cores (at least one). These threads only send requests, sign, parse answers and
/// keep books; reading and writing files (and hashing large ones) run on tokio's blocking
/// pool, and the kernel's network stack needs CPU of its own. On 2 cores, one async
/// worker instead of two cut the client CPU of a 5,000-object S3→S3 copy by about a
/// quarter at the same wall time: no wake-ups of the second worker per response.
fn async_worker_threads() -> usize {
    let configured = std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    configured.unwrap_or_else(half_the_cores)
}

/// One per two cores, at least one: the size of the async worker pool.
fn half_the_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}
