//! The s5rs binary: parse the command line, raise the open-file limit, bound malloc's
//! arenas, size the runtime, run, exit with the run's code. Everything else lives in
//! the library.

use std::process::ExitCode;

use s5rs::cli::{self, Action};

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
    limit_malloc_arenas();
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

/// One per two cores, at least one: the size of both the async worker pool and
/// glibc's arena limit.
fn half_the_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// glibc gives threads that allocate at the same time arenas of their own (up to eight
/// per core) and keeps each arena's freed memory. s5rs's file I/O runs on tokio's
/// blocking-pool threads, so transfer buffers ended up spread over many arenas: peak
/// RSS of a 1 GiB upload 23.7 MB with the default, 20.4 MB with one arena per two
/// cores, at the same CPU (README "Performance"). At least four: with one arena the
/// batch reader and the output thread (which formats every line) took turns on its
/// lock — 17,000 futex calls and 18 % of a 1,000,000-line dry run's CPU in
/// `__lll_lock_wait_private`/`__lll_lock_wake_private` on this 2-core host — and with
/// two, runs where both threads drew the same arena spent 0.47 s of sys instead of
/// 0.05 s (the main thread, the tokio workers, the output and file-system threads
/// all allocate).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only adjusts allocator tuning; called before any thread starts.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, half_the_cores().max(4) as libc::c_int);
        }
    }
}
