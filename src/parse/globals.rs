//! The global flags: given to `s5rs` itself, before the command, never on a batch
//! line. One table, [`GLOBAL_FLAGS`], which the parser uses to reject a global flag on
//! a line with a clear message instead of "not defined", and `cli.rs` uses to accept
//! s5cmd's one-dash spelling (`-json`). The global flags themselves are parsed by clap
//! in `cli.rs`; a test there checks that its arguments and this table are the same.

/// One global flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalFlag {
    /// Long name without dashes, e.g. `retry-count`.
    pub long: &'static str,
    /// Short alias, e.g. `r`.
    pub short: Option<char>,
    /// Takes a value (`--numworkers 8`).
    pub takes_value: bool,
    /// Also a per-line flag of some commands (cp/mv/sync), where it overrides the
    /// global default for that line.
    pub per_line: bool,
}

const fn switch(long: &'static str) -> GlobalFlag {
    GlobalFlag {
        long,
        short: None,
        takes_value: false,
        per_line: false,
    }
}

const fn valued(long: &'static str) -> GlobalFlag {
    GlobalFlag {
        long,
        short: None,
        takes_value: true,
        per_line: false,
    }
}

const fn line_default(long: &'static str) -> GlobalFlag {
    GlobalFlag {
        per_line: true,
        ..valued(long)
    }
}

/// Every global flag of s5rs, in `s5rs --help` order (without `--help`/`--version`).
pub const GLOBAL_FLAGS: &[GlobalFlag] = &[
    switch("json"),
    valued("numworkers"),
    GlobalFlag {
        short: Some('r'),
        ..valued("retry-count")
    },
    valued("endpoint-url"),
    switch("no-verify-ssl"),
    valued("log"),
    switch("dry-run"),
    switch("stat"),
    switch("no-sign-request"),
    switch("use-list-objects-v1"),
    valued("list-concurrency"),
    valued("request-payer"),
    valued("profile"),
    valued("credentials-file"),
    switch("no-verify"),
    valued("rate-limit-objects"),
    valued("rate-limit-bandwidth"),
    line_default("source-endpoint-url"),
    line_default("source-profile"),
    line_default("destination-endpoint-url"),
    line_default("destination-profile"),
    valued("shard"),
    valued("journal"),
    valued("grace-period"),
    GlobalFlag {
        per_line: true,
        ..switch("show-progress")
    },
    switch("yes"),
    valued("confirm-above"),
];

/// Global flags of s5cmd that s5rs does not have: on a batch line they get the same
/// message as s5rs's own global flags.
const S5CMD_ONLY_GLOBALS: &[&str] = &["install-completion"];

/// The global flag whose long name or short alias is `name`.
pub fn find(name: &str) -> Option<&'static GlobalFlag> {
    GLOBAL_FLAGS
        .iter()
        .find(|g| g.long == name || g.short.is_some_and(|c| name.chars().eq([c])))
}

/// The global flag (of s5rs, or of s5cmd only) whose long name or alias is `name`, as
/// its long name.
pub fn global_flag(name: &str) -> Option<&'static str> {
    find(name)
        .map(|g| g.long)
        .or_else(|| S5CMD_ONLY_GLOBALS.iter().copied().find(|&g| g == name))
}
