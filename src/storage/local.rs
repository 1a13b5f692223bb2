//! The local file-system backend: sorted streaming walks, globs, stat, delete,
//! temp files for safe downloads, and safe joining of object keys under a directory.
//!
//! # Walks
//!
//! [`LocalFs::list`] and [`glob`] run on a `spawn_blocking` thread and send entries
//! through a bounded channel ([`LIST_CHANNEL_CAPACITY`]) with `blocking_send`, so the
//! producer stops when the consumer is slow and exits when the consumer drops the
//! [`Lister`]. Only the children of the directories on the current path are held in
//! memory (they must be, to sort them).
//!
//! **Order.** `sync` merge-joins sorted streams, so entries come out in byte order of
//! their path relative to the walk root. Sorting a directory's children by name is not
//! enough (`a-c` < `a/b` in byte order, but `a` < `a-c`), so children are sorted by name
//! with `/` appended to directory names and visited depth-first.
//!
//! **Keys** are the path as walked: components joined with `/`, starting with the path
//! exactly as given, minus trailing slashes (`src` and `src/` both give `src/a/f.txt`,
//! `./x` gives `./x/f`). A glob's keys start with its literal directory prefix as written
//! (`./d/*.txt` gives `./d/f.txt`; Go's `filepath.Glob` would clean that to `d/f.txt`,
//! but keeping it lets the planner strip the source prefix textually, §0.6).
//!
//! **Entries**: regular files ([`EntryKind::File`]) and non-regular files such as
//! sockets, fifos and devices ([`EntryKind::Other`]); never directories. `last_modified`
//! is the mtime with nanoseconds.
//!
//! **Symlinks** are followed when [`LocalFs::follow_symlinks`] is set (s5cmd's default): a
//! link to a file is listed with the target's size and mtime under the link's path, a link
//! to a directory is walked. A link to a directory already on the current path (a loop)
//! yields an error item instead of being walked again. With `follow_symlinks == false`
//! every symlink is skipped silently, including the root itself.
//!
//! **Errors do not end a local walk.** A dangling symlink (`given object <path> not found`,
//! kind `NoSuchKey`, as s5cmd reports it), an unreadable directory, a name that is not
//! UTF-8, or a loop yields one `Err` item and the walk goes on with the next entry; the
//! consumer decides whether that fails the command (s5cmd counts each as a failure).
//! Only a missing root ends the listing after its single error.

use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::{
    EntryKind, LIST_CHANNEL_CAPACITY, ListRequest, Lister, ObjectInfo, ObjectMeta, Storage,
    StorageError,
};
use crate::error::ErrorKind;
use crate::wildcard::Pattern;

/// Prefix of every temp file s5rs creates next to a download's destination:
/// `.s5rs-tmp-<pid>-<random>-<basename>` (basename truncated so the name fits in 255
/// bytes). Files with this prefix whose `<pid>` is no longer running are removed by
/// [`cleanup_stale_temps`].
pub const TEMP_PREFIX: &str = ".s5rs-tmp-";

/// Longest file-name component most file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// The local file system.
#[derive(Debug, Clone)]
pub struct LocalFs {
    /// Follow symbolic links while walking (s5cmd default: true).
    pub follow_symlinks: bool,
}

/// Follows symlinks, like s5cmd without `--no-follow-symlinks`.
impl Default for LocalFs {
    fn default() -> Self {
        LocalFs {
            follow_symlinks: true,
        }
    }
}

/// One listing item.
type Item = Result<ObjectInfo, StorageError>;

impl Storage for LocalFs {
    /// Walks `request.prefix`: a file lists itself; a directory is walked recursively
    /// (files and non-regular entries, no directory entries), each entry's key being the
    /// path as walked (`root/a/b.txt`), in byte order of the path relative to the root;
    /// a missing path yields `StorageError` kind `NoSuchKey` with message
    /// `given object <path> not found`. See the module docs for symlinks and errors.
    ///
    /// Local walks are always recursive (s5cmd never lists a local directory one level);
    /// `recursive` and `all_versions` are ignored. Must be called inside a Tokio runtime.
    fn list(&self, request: ListRequest) -> Lister {
        let (tx, rx) = mpsc::channel(LIST_CHANNEL_CAPACITY);
        let follow = self.follow_symlinks;
        tokio::task::spawn_blocking(move || list_blocking(&request.prefix, follow, &tx));
        rx
    }

    /// `stat` of the path (following symlinks): size and mtime.
    async fn stat(&self, key: &str, _version_id: Option<&str>) -> Result<ObjectMeta, StorageError> {
        let path = key.to_owned();
        match super::fs_pool::run(move || fs::metadata(path)).await? {
            Ok(meta) => Ok(ObjectMeta {
                size: meta.len(),
                last_modified: mtime(&meta),
                ..ObjectMeta::default()
            }),
            Err(e) if is_not_found(&e) => Err(not_found(key)),
            Err(e) => Err(StorageError::io("stat", key, &e)),
        }
    }

    /// Removes one file (not a directory).
    async fn delete(&self, key: &str, _version_id: Option<&str>) -> Result<(), StorageError> {
        let path = key.to_owned();
        super::fs_pool::run(move || fs::remove_file(path))
            .await?
            .map_err(|e| StorageError::io("remove", key, &e))
    }
}

/// Expands a local glob (`*`, `?`, `[...]`; none crosses `/`), walking every matching
/// directory recursively; entries in byte order of their path. No match yields an error
/// of kind `NoMatch`: `no match found for "<pattern>"`.
///
/// Matching follows Go's `filepath.Glob`: the directory part before the first wildcard
/// component is used literally, each later component is matched against the names in
/// the directories matched so far (dot files included), and a literal component after a
/// wildcard one must exist. A trailing `/` (`dir/*/`) keeps only directory matches (Go's
/// `Glob` would match nothing). A malformed class (`[a-`) yields one error of kind `Usage`.
/// The matches themselves are held in memory to sort them; entries below matched
/// directories are streamed. Must be called inside a Tokio runtime.
pub fn glob(pattern: &str, follow_symlinks: bool) -> Lister {
    let (tx, rx) = mpsc::channel(LIST_CHANNEL_CAPACITY);
    let pattern = pattern.to_string();
    tokio::task::spawn_blocking(move || glob_blocking(&pattern, follow_symlinks, &tx));
    rx
}

/// Joins an object's relative name under `root`, refusing names that would escape it
/// (`..` components, absolute paths, NUL, components over 255 bytes): error kind `UnsafeKey`.
///
/// Also refused: a leading `\` and a `..` between backslashes (`a\..\b`), which would
/// escape on Windows-style keys, and names with no component left. A backslash that is
/// just part of a name (`t\est/file.txt`) is allowed: it is a legal Unix file name.
/// Empty and `.` components are dropped, as s5cmd's `path.Join` cleans local paths
/// (`a//b/./c` → `root/a/b/c`).
pub fn safe_join(root: &Path, relative: &str) -> Result<PathBuf, StorageError> {
    let refuse = |why: &str| {
        Err(StorageError::new(
            ErrorKind::UnsafeKey,
            format!("refusing unsafe object key {relative:?}: {why}"),
        ))
    };
    if relative.contains('\0') {
        return refuse("it contains a NUL byte");
    }
    if relative.starts_with('/') {
        return refuse("it is an absolute path");
    }
    if relative.starts_with('\\') {
        return refuse("it starts with a backslash");
    }
    let mut out = root.to_path_buf();
    let mut any = false;
    for comp in relative.split('/') {
        if comp.split('\\').any(|part| part == "..") {
            return refuse("it contains a '..' component");
        }
        if comp.len() > MAX_NAME_BYTES {
            return refuse("a path component is longer than 255 bytes");
        }
        if comp.is_empty() || comp == "." {
            continue;
        }
        out.push(comp);
        any = true;
    }
    if !any {
        return refuse("it has no file name");
    }
    Ok(out)
}

/// Creates a new temp file in `dir` for a download whose final name is `basename`.
///
/// The file is `dir/.s5rs-tmp-<pid>-<random>-<basename>` (see [`TEMP_PREFIX`]), created
/// exclusively (`O_EXCL`) with mode 0644 (before umask), opened for reading and writing.
/// The basename is shortened (at a character boundary) so the name stays within 255
/// bytes; only its last `/`-separated part is used.
pub fn create_temp(dir: &Path, basename: &str) -> Result<(std::fs::File, PathBuf), StorageError> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o644);
    }
    let (file, path) = with_temp_name(dir, basename, "create", |path| {
        super::fd::retry_blocking(|| opts.open(path))
    })?;
    Ok((file, path))
}

/// Gives the unnamed `file` (`unnamed.rs`) a temp name in `dir` (as [`create_temp`]
/// names its files) and returns that name: the first step of replacing an existing
/// destination, which `linkat` never does.
pub fn link_temp(file: &fs::File, dir: &Path, basename: &str) -> Result<PathBuf, StorageError> {
    let ((), path) = with_temp_name(dir, basename, "link", |path| {
        super::unnamed::link(file, path)
    })?;
    Ok(path)
}

/// Calls `make` with fresh temp names in `dir` (see [`create_temp`]) until one is
/// not taken; returns its result and the name. `op` names the step in errors.
fn with_temp_name<T>(
    dir: &Path,
    basename: &str,
    op: &str,
    mut make: impl FnMut(&Path) -> io::Result<T>,
) -> Result<(T, PathBuf), StorageError> {
    let base = basename.rsplit('/').next().unwrap_or(basename);
    let pid = own_pid();
    let mut last_err = None;
    for _ in 0..16 {
        let head = format!("{TEMP_PREFIX}{pid}-{:016x}-", fastrand::u64(..));
        let room = MAX_NAME_BYTES - head.len();
        let mut cut = base.len().min(room);
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let path = dir.join(format!("{head}{}", &base[..cut]));
        match make(&path) {
            Ok(t) => return Ok((t, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(StorageError::io(op, &path.to_string_lossy(), &e)),
        }
    }
    let e = last_err.unwrap_or_else(|| io::Error::other("no free temp name"));
    Err(StorageError::io(
        &format!("{op} temp in"),
        &dir.to_string_lossy(),
        &e,
    ))
}

/// This process's id, asked of the kernel once (glibc does not cache it, and a
/// download of many small files would ask once per file).
fn own_pid() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// Removes temp files left by an interrupted earlier run in `dir`; returns how many.
///
/// Only regular files directly in `dir` whose name is
/// `<TEMP_PREFIX><pid>-…` are considered, and only those whose process is gone
/// (`/proc/<pid>` missing) are removed, so a concurrent s5rs writing into the same
/// directory keeps its temps (a temp whose pid was reused after a reboot stays until
/// that pid is free again). Where `/proc` is not available (not Linux), only temps
/// older than a day are removed. Errors are ignored: cleanup is best effort.
pub fn cleanup_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let have_proc = Path::new("/proc/self").exists();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let stale = if have_proc {
            pid != own_pid() && !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            meta.modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600)
        };
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Sets a file's modification time (access time untouched), with nanoseconds.
pub fn set_mtime(path: &Path, t: DateTime<Utc>) -> Result<(), StorageError> {
    let ft = filetime::FileTime::from_unix_time(t.timestamp(), t.timestamp_subsec_nanos());
    filetime::set_file_mtime(path, ft)
        .map_err(|e| StorageError::io("chtimes", &path.to_string_lossy(), &e))
}

/// Sets the modification time of an open file (`path` only names it in errors).
pub fn set_file_mtime(file: &fs::File, path: &Path, t: DateTime<Utc>) -> Result<(), StorageError> {
    let ft = filetime::FileTime::from_unix_time(t.timestamp(), t.timestamp_subsec_nanos());
    filetime::set_file_handle_times(file, None, Some(ft))
        .map_err(|e| StorageError::io("chtimes", &path.to_string_lossy(), &e))
}

/// After `file` (below `root`) was deleted, removes its parent directories that are now
/// empty, innermost first, up to but excluding `root`. Stops at the first directory that
/// is not empty or cannot be removed; does nothing when `file` is not below `root`.
/// Used by `sync --delete` so deletions do not leave empty directories behind.
pub fn remove_empty_dirs(root: &Path, file: &Path) {
    if !file.starts_with(root) {
        return;
    }
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || d.as_os_str().is_empty() {
            break;
        }
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

// ---------------------------------------------------------------------------------
// Walking (runs on a blocking thread)
// ---------------------------------------------------------------------------------

/// Size and mtime of a local file (a stat on the file-system threads, `fs_pool`).
pub async fn file_stat(path: &str) -> Result<(u64, DateTime<Utc>), StorageError> {
    let owned = path.to_owned();
    let meta = super::fs_pool::run(move || fs::metadata(owned))
        .await?
        .map_err(|e| file_stat_error(path, &e))?;
    file_stat_result(path, &meta)
}

/// The error of a failed stat: `NoSuchKey` (s5cmd's "given object … not found") when
/// the file is missing.
pub fn file_stat_error(path: &str, e: &std::io::Error) -> StorageError {
    if e.kind() == std::io::ErrorKind::NotFound {
        StorageError::new(
            ErrorKind::NoSuchKey,
            format!("given object {path} not found"),
        )
    } else {
        StorageError::io("stat", path, e)
    }
}

/// Size and mtime from a stat; an error for anything but a regular file.
pub fn file_stat_result(
    path: &str,
    meta: &std::fs::Metadata,
) -> Result<(u64, DateTime<Utc>), StorageError> {
    if !meta.is_file() {
        return Err(StorageError::new(
            ErrorKind::NotRegularFile,
            format!("object '{path}' is not a regular file"),
        ));
    }
    let mtime = meta
        .modified()
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| Utc::now());
    Ok((meta.len(), mtime))
}

/// `given object <path> not found`, kind `NoSuchKey` (s5cmd's wording).
fn not_found(path: &str) -> StorageError {
    StorageError::new(
        ErrorKind::NoSuchKey,
        format!("given object {path} not found"),
    )
}

/// True for "does not exist" errors, including a file used as a directory.
fn is_not_found(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// The mtime as a UTC timestamp.
fn mtime(meta: &Metadata) -> Option<DateTime<Utc>> {
    meta.modified().ok().map(DateTime::<Utc>::from)
}

/// The listing entry for a non-directory.
fn entry_info(key: String, meta: &Metadata) -> ObjectInfo {
    let kind = if meta.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    };
    ObjectInfo {
        kind,
        last_modified: mtime(meta),
        ..ObjectInfo::file(key, meta.len())
    }
}

/// A directory's identity, for loop detection.
#[cfg(unix)]
fn dir_id(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// A directory's identity, for loop detection (unavailable here: no loop guard).
#[cfg(not(unix))]
fn dir_id(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

/// Sends one item; false when the consumer has gone away (stop walking).
fn send(tx: &mpsc::Sender<Item>, item: Item) -> bool {
    tx.blocking_send(item).is_ok()
}

/// Metadata of `path` as the walk sees it: `None` for a symlink when not following
/// them; the target's metadata for a followed symlink (`NotFound` when dangling).
fn resolve(path: &Path, follow: bool) -> io::Result<Option<Metadata>> {
    let lmeta = fs::symlink_metadata(path)?;
    if !lmeta.file_type().is_symlink() {
        return Ok(Some(lmeta));
    }
    if !follow {
        return Ok(None);
    }
    fs::metadata(path).map(Some)
}

/// The body of [`LocalFs::list`].
fn list_blocking(path: &str, follow: bool, tx: &mpsc::Sender<Item>) {
    let meta = match resolve(Path::new(path), follow) {
        Ok(Some(meta)) => meta,
        Ok(None) => return, // a symlink, not followed
        Err(e) if is_not_found(&e) => {
            send(tx, Err(not_found(path)));
            return;
        }
        Err(e) => {
            send(tx, Err(StorageError::io("stat", path, &e)));
            return;
        }
    };
    if meta.is_dir() {
        walk(walk_base(path), Path::new(path), &meta, follow, tx);
    } else {
        send(tx, Ok(entry_info(path.to_string(), &meta)));
    }
}

/// The key prefix for entries below `path`: `path` without trailing slashes (`/` for
/// the file-system root gives keys `/etc/...`).
fn walk_base(path: &str) -> String {
    path.trim_end_matches('/').to_string()
}

/// One child of a directory being walked.
struct Child {
    /// File name.
    name: OsString,
    /// What the walk sees: metadata (the target's for a followed symlink) or the error.
    meta: io::Result<Metadata>,
    /// True when the child is a symlink (a `NotFound` then means dangling).
    is_link: bool,
}

impl Child {
    /// True when the child is (or, followed, points to) a directory.
    fn is_dir(&self) -> bool {
        self.meta.as_ref().is_ok_and(|m| m.is_dir())
    }

    /// Sort key: the name's bytes, with `/` appended for directories, so siblings sort
    /// the way their full paths do.
    fn sort_key(&self) -> Vec<u8> {
        let mut k = self.name.as_encoded_bytes().to_vec();
        if self.is_dir() {
            k.push(b'/');
        }
        k
    }
}

/// A directory on the current walk path, with its not yet visited children.
struct Frame {
    /// Key prefix of its entries (no trailing `/`).
    key: String,
    /// Its path on disk (as walked, through symlinks).
    path: PathBuf,
    /// (dev, ino), to detect symlink loops.
    id: Option<(u64, u64)>,
    /// Remaining children, sorted.
    children: std::vec::IntoIter<Child>,
}

/// Reads and sorts a directory's children; per-entry read errors are returned apart.
fn read_children(path: &Path, follow: bool) -> io::Result<(Vec<Child>, Vec<io::Error>)> {
    let mut children = Vec::new();
    let mut errors = Vec::new();
    for entry in fs::read_dir(path)? {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let is_link = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        if is_link && !follow {
            continue;
        }
        let meta = if is_link {
            fs::metadata(entry.path())
        } else {
            entry.metadata()
        };
        children.push(Child {
            name: entry.file_name(),
            meta,
            is_link,
        });
    }
    children.sort_by_cached_key(Child::sort_key);
    Ok((children, errors))
}

/// Opens a directory for the walk, sending an error item when it cannot be read.
/// Returns `Err(())` only when the consumer has gone away.
fn open_frame(
    key: String,
    path: PathBuf,
    id: Option<(u64, u64)>,
    follow: bool,
    tx: &mpsc::Sender<Item>,
) -> Result<Option<Frame>, ()> {
    match read_children(&path, follow) {
        Ok((children, errors)) => {
            for e in errors {
                if !send(tx, Err(StorageError::io("read directory", &key, &e))) {
                    return Err(());
                }
            }
            Ok(Some(Frame {
                key,
                path,
                id,
                children: children.into_iter(),
            }))
        }
        Err(e) => {
            let shown = if key.is_empty() { "/" } else { &key };
            if send(tx, Err(StorageError::io("open", shown, &e))) {
                Ok(None)
            } else {
                Err(())
            }
        }
    }
}

/// Walks the directory `path` (its metadata `meta`), keys prefixed by `base`, depth
/// first in sorted order. Returns false when the consumer went away.
fn walk(base: String, path: &Path, meta: &Metadata, follow: bool, tx: &mpsc::Sender<Item>) -> bool {
    let mut stack: Vec<Frame> = Vec::new();
    match open_frame(base, path.to_path_buf(), dir_id(meta), follow, tx) {
        Ok(Some(frame)) => stack.push(frame),
        Ok(None) => return true,
        Err(()) => return false,
    }
    while let Some(frame) = stack.last_mut() {
        let Some(child) = frame.children.next() else {
            stack.pop();
            continue;
        };
        let child_path = frame.path.join(&child.name);
        let Some(name) = child.name.to_str() else {
            let shown = format!("{}/{}", frame.key, child.name.to_string_lossy());
            if !send(tx, Err(invalid_name(&shown))) {
                return false;
            }
            continue;
        };
        let key = format!("{}/{name}", frame.key);
        let item = match child.meta {
            Err(e) if child.is_link && is_not_found(&e) => Err(not_found(&key)),
            Err(e) => Err(StorageError::io("stat", &key, &e)),
            Ok(meta) if meta.is_dir() => {
                let id = dir_id(&meta);
                if id.is_some() && stack.iter().any(|f| f.id == id) {
                    Err(StorageError::new(
                        ErrorKind::Io,
                        format!(
                            "symbolic link loop: {key} points to a directory above it; not walked"
                        ),
                    ))
                } else {
                    match open_frame(key, child_path, id, follow, tx) {
                        Ok(Some(frame)) => stack.push(frame),
                        Ok(None) => {}
                        Err(()) => return false,
                    }
                    continue;
                }
            }
            Ok(meta) => Ok(entry_info(key, &meta)),
        };
        if !send(tx, item) {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------
// Globbing (runs on a blocking thread)
// ---------------------------------------------------------------------------------

/// True when a path component is a pattern for Go's `filepath.Glob`.
fn is_pattern(component: &str) -> bool {
    component.contains(['*', '?', '['])
}

/// The error for a local name that is not UTF-8 (`shown` with U+FFFD for each bad byte).
fn invalid_name(shown: &str) -> StorageError {
    StorageError::new(
        ErrorKind::InvalidName,
        format!("path {shown} is not valid UTF-8, so it cannot be an S3 key; skipped"),
    )
}

/// The names in a directory (its `entries`, keys prefixed by `key`) that `m`
/// matches, sorted. A name that is not UTF-8 is matched as far as it can be (U+FFFD
/// for each bad byte) and, when it matches, reported as an error and counted in
/// `invalid`, never dropped in silence. `None` when the consumer went away.
fn matching_names(
    entries: fs::ReadDir,
    m: &Pattern,
    key: &str,
    tx: &mpsc::Sender<Item>,
    invalid: &mut usize,
) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for name in entries.flatten().map(|e| e.file_name()) {
        match name.into_string() {
            Ok(n) if m.matches(&n) => names.push(n),
            Ok(_) => {}
            Err(raw) if m.matches(&raw.to_string_lossy()) => {
                *invalid += 1;
                let shown = format!("{key}{}", raw.to_string_lossy());
                if !send(tx, Err(invalid_name(&shown))) {
                    return None;
                }
            }
            Err(_) => {}
        }
    }
    names.sort();
    Some(names)
}

/// The body of [`glob`].
fn glob_blocking(pattern: &str, follow: bool, tx: &mpsc::Sender<Item>) {
    let first_meta = pattern.find(['*', '?', '[']).unwrap_or(pattern.len());
    let split = pattern[..first_meta].rfind('/').map_or(0, |i| i + 1);
    let (literal_dir, rest) = pattern.split_at(split);
    let components: Vec<&str> = rest.split('/').filter(|c| !c.is_empty()).collect();

    // (key, path on disk) of everything matched so far.
    let start = if literal_dir.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(literal_dir)
    };
    let mut current: Vec<(String, PathBuf)> = vec![(literal_dir.to_string(), start)];
    // Matching names that are not UTF-8 (reported as errors).
    let mut invalid = 0usize;
    if components.is_empty() {
        // No wildcard component at all: the pattern names itself, if it exists.
        current = match fs::symlink_metadata(pattern) {
            Ok(_) => vec![(pattern.to_string(), PathBuf::from(pattern))],
            Err(_) => Vec::new(),
        };
    }
    for (i, comp) in components.iter().enumerate() {
        let matcher = if is_pattern(comp) {
            match Pattern::local(comp) {
                Ok(p) => Some(p),
                Err(e) => {
                    send(tx, Err(StorageError::new(ErrorKind::Usage, e.to_string())));
                    return;
                }
            }
        } else {
            None
        };
        let mut next = Vec::new();
        for (key, dir) in &current {
            match &matcher {
                None => {
                    let p = dir.join(comp);
                    if fs::symlink_metadata(&p).is_ok() {
                        next.push((format!("{key}{comp}"), p));
                    }
                }
                Some(m) => {
                    let Ok(entries) = fs::read_dir(dir) else {
                        continue;
                    };
                    let Some(names) = matching_names(entries, m, key, tx, &mut invalid) else {
                        return;
                    };
                    next.extend(
                        names
                            .into_iter()
                            .map(|n| (format!("{key}{n}"), dir.join(&n))),
                    );
                }
            }
        }
        if i + 1 < components.len() || rest.ends_with('/') {
            // Only directories can match the components that follow.
            next.retain(|(_, p)| matches!(resolve(p, follow), Ok(Some(m)) if m.is_dir()));
            if i + 1 < components.len() {
                for (k, _) in &mut next {
                    k.push('/');
                }
            }
        }
        current = next;
    }

    if current.is_empty() && invalid == 0 {
        send(
            tx,
            Err(StorageError::new(
                ErrorKind::NoMatch,
                format!("no match found for {pattern:?}"),
            )),
        );
        return;
    }

    // Resolve and sort the matches by their path, directories with a `/` appended, so
    // that each walked directory's entries fall in place among the other matches.
    let mut resolved: Vec<(Vec<u8>, String, PathBuf, io::Result<Metadata>)> = Vec::new();
    for (key, path) in current {
        let meta = match resolve(&path, follow) {
            Ok(None) => continue,
            Ok(Some(m)) => Ok(m),
            Err(e) => Err(e),
        };
        let mut sort = key.as_bytes().to_vec();
        if meta.as_ref().is_ok_and(|m| m.is_dir()) {
            sort.push(b'/');
        }
        resolved.push((sort, key, path, meta));
    }
    resolved.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, key, path, meta) in resolved {
        let keep_going = match meta {
            Ok(meta) if meta.is_dir() => walk(walk_base(&key), &path, &meta, follow, tx),
            Ok(meta) => send(tx, Ok(entry_info(key, &meta))),
            Err(e) if is_not_found(&e) => send(tx, Err(not_found(&key))),
            Err(e) => send(tx, Err(StorageError::io("stat", &key, &e))),
        };
        if !keep_going {
            return;
        }
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
