//! Files created without a name (`O_TMPFILE`) and named only once complete
//! (`linkat`), for small downloads.
//!
//! Why: a small download used to create `.s5rs-tmp-…` in the destination directory
//! and rename it over the final name. On ext4 that is two directory-entry
//! insertions, one removal and four name look-ups per file; in a profile of 5,000 ×
//! 1 KiB downloads `rename` alone was 18 % of all the CPU time (client side) and the
//! temp file's creation another 13 %. A file opened with `O_TMPFILE` has no
//! directory entry at all until `linkat` gives it its final name, in one insertion.
//! It is at least as crash-safe: the data is written, and the mtime set, before the
//! file has a name, and a process killed before the link leaves nothing behind (the
//! kernel frees an unnamed file with its last descriptor), not even a temp file.
//!
//! How: [`create`] opens the unnamed file in the destination directory (`None` when
//! the kernel or file system cannot: then callers use a named temp file as before),
//! [`link`] names it with `AT_EMPTY_PATH` where the process may (it needs
//! `CAP_DAC_READ_SEARCH`, which root in a container has), else through
//! `/proc/self/fd/N` (the unprivileged way `open(2)` documents). `linkat`
//! never replaces an existing name: an existing destination is replaced by linking
//! under a temp name and renaming that over it, which is atomic as before.

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Opens a new unnamed file in `dir` for writing, mode 0644 (before umask); `None`
/// when this kernel or file system has no `O_TMPFILE` (the caller then creates a
/// named temp file instead). Waits for a free descriptor like every other open
/// (`fd.rs`).
pub fn create(dir: &Path) -> io::Result<Option<File>> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).custom_flags(libc::O_TMPFILE).mode(0o644);
        match super::fd::retry_blocking(|| opts.open(dir)) {
            Ok(f) => Ok(Some(f)),
            // No O_TMPFILE here: kernels before 3.11 see O_DIRECTORY (EISDIR), file
            // systems without it answer EOPNOTSUPP; EINVAL and ENOSYS for the rest.
            Err(e) if unsupported(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        Ok(None)
    }
}

/// Whether an error from opening with `O_TMPFILE` means "not supported here".
#[cfg(target_os = "linux")]
fn unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL | libc::ENOSYS)
    )
}

/// Gives the unnamed `file` (from [`create`]) the name `dst`. Fails with
/// `AlreadyExists` when `dst` exists (it is never replaced), and with another error
/// when the name cannot be made (e.g. `/proc` is not mounted: then callers fall back
/// to a named temp file).
///
/// Tries `linkat(fd, "", AT_EMPTY_PATH)` first: it names the descriptor itself, with
/// no walk through `/proc` (in a profile of 5,000 small downloads, resolving
/// `/proc/self/fd/N` was about a sixth of `linkat`'s kernel time). Without
/// `CAP_DAC_READ_SEARCH` the kernel answers `ENOENT` (or `EPERM`); when the `/proc`
/// way then works, that is remembered and from then on only the `/proc` way is used.
pub fn link(file: &File, dst: &Path) -> io::Result<()> {
    use std::sync::atomic::{AtomicBool, Ordering};
    static EMPTY_PATH_REFUSED: AtomicBool = AtomicBool::new(false);
    let to = CString::new(dst.as_os_str().as_bytes())?;
    if EMPTY_PATH_REFUSED.load(Ordering::Relaxed) {
        return link_through_proc(file, &to);
    }
    match link_descriptor(file, &to) {
        Ok(()) => Ok(()),
        // ENOENT is also "no such directory": it counts as a refusal only if the
        // `/proc` way then succeeds.
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::ENOENT | libc::EPERM | libc::EINVAL)
            ) =>
        {
            link_through_proc(file, &to)?;
            EMPTY_PATH_REFUSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// `linkat(fd, "", AT_EMPTY_PATH)`: needs `CAP_DAC_READ_SEARCH`.
fn link_descriptor(file: &File, to: &CStr) -> io::Result<()> {
    // SAFETY: `to` and the empty string are NUL-terminated and outlive the call.
    let rc = unsafe {
        libc::linkat(
            file.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    os_result(rc)
}

/// `linkat("/proc/self/fd/N", AT_SYMLINK_FOLLOW)`: needs `/proc`, no privilege.
fn link_through_proc(file: &File, to: &CStr) -> io::Result<()> {
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let rc = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    os_result(rc)
}

fn os_result(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// An unnamed file in `dir`, or `None` where the test's file system has none
    /// (then there is nothing to test).
    fn unnamed(dir: &Path) -> Option<File> {
        create(dir).expect("open O_TMPFILE")
    }

    #[test]
    fn an_unnamed_file_is_invisible_until_linked_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let Some(mut f) = unnamed(dir.path()) else {
            return;
        };
        f.write_all(b"hello").unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let dst = dir.path().join("a.txt");
        link(&f, &dst).unwrap();
        drop(f);
        assert_eq!(std::fs::read(&dst).unwrap(), b"hello");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.txt"]);
    }

    #[test]
    fn linking_never_replaces_an_existing_name() {
        let dir = tempfile::tempdir().unwrap();
        let Some(mut f) = unnamed(dir.path()) else {
            return;
        };
        f.write_all(b"new").unwrap();
        let dst = dir.path().join("a.txt");
        std::fs::write(&dst, b"old").unwrap();
        let e = link(&f, &dst).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&dst).unwrap(), b"old");
    }

    #[test]
    fn both_ways_of_naming_give_the_file_its_data_and_never_replace() {
        let dir = tempfile::tempdir().unwrap();
        let Some(mut f) = unnamed(dir.path()) else {
            return;
        };
        f.write_all(b"both").unwrap();
        let first = CString::new(dir.path().join("p.txt").as_os_str().as_bytes()).unwrap();
        link_through_proc(&f, &first).unwrap();
        assert_eq!(std::fs::read(dir.path().join("p.txt")).unwrap(), b"both");
        let e = link_through_proc(&f, &first).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        // Without CAP_DAC_READ_SEARCH the kernel refuses; with it, a second name.
        let second = CString::new(dir.path().join("d.txt").as_os_str().as_bytes()).unwrap();
        match link_descriptor(&f, &second) {
            Ok(()) => assert_eq!(std::fs::read(dir.path().join("d.txt")).unwrap(), b"both"),
            Err(e) => assert!(
                matches!(e.raw_os_error(), Some(libc::ENOENT | libc::EPERM)),
                "{e}"
            ),
        }
    }

    #[test]
    fn an_unnamed_file_dropped_unlinked_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let Some(mut f) = unnamed(dir.path()) else {
            return;
        };
        f.write_all(b"lost").unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
