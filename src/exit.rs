//! Process exit codes: a public contract (README "Exit codes").

/// Why s5rs exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Every operation succeeded or was skipped.
    Success = 0,
    /// At least one operation, line or listing failed.
    Failure = 1,
    /// Usage error or fatal set-up error; nothing (more) was done.
    Usage = 2,
    /// Interrupted by Ctrl-C / SIGINT.
    Interrupted = 130,
}

impl ExitCode {
    /// The worse of two outcomes (interrupted > usage > failure > success).
    pub fn merge(self, other: ExitCode) -> ExitCode {
        fn rank(c: ExitCode) -> u8 {
            match c {
                ExitCode::Success => 0,
                ExitCode::Failure => 1,
                ExitCode::Usage => 2,
                ExitCode::Interrupted => 3,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// The numeric code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::ExitCode::*;

    #[test]
    fn merge_keeps_the_worst() {
        assert_eq!(Success.merge(Failure), Failure);
        assert_eq!(Failure.merge(Success), Failure);
        assert_eq!(Failure.merge(Interrupted), Interrupted);
        assert_eq!(Usage.merge(Failure), Usage);
        assert_eq!(Success.merge(Success), Success);
    }
}
