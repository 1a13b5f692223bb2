//! Shards: which of N cooperating processes runs an object operation (`--shard K/N`).
//!
//! An array job (Kubernetes Indexed Job, AWS Batch array, Slurm array, a CI matrix)
//! starts N copies of the same command; each runs only the operations whose name
//! hashes to its index, so together they run every operation exactly once. The
//! partition is per object operation, never per batch line: one wildcard line can
//! expand to a billion objects.
//!
//! The hash is rclone's `--hash-filter` function, so `rclone lsf --hash-filter K/N`
//! lists the same names as shard K: the MD5 of the name lower-cased and NFC-normalised,
//! whose first 8 bytes, read little-endian, are taken modulo N. Lower-casing follows
//! Go's `strings.ToLower` (one rune to one rune: `İ` → `i`, `Σ` → `σ` anywhere), not
//! Rust's `str::to_lowercase` (`İ` → `i̇`, a word-final `Σ` → `ς`), which would put
//! such names in another shard than rclone does. Case variants and differently
//! normalised spellings of a name land in the same shard.
//!
//! `--shard auto` reads the engine's own variables: Kubernetes `JOB_COMPLETION_INDEX`
//! (the count has no standard variable: `S5RS_SHARD_COUNT`), AWS Batch
//! `AWS_BATCH_JOB_ARRAY_INDEX` + `AWS_BATCH_JOB_ARRAY_SIZE`, Slurm
//! `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`.

use md5::{Digest, Md5};
use unicode_normalization::UnicodeNormalization;

/// This process's share: index `index` of `count` (0 ≤ index < count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 0.
    pub index: u64,
    /// N, at least 1.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N`, or `auto` (then `env` names the engine's variables).
    pub fn parse(spec: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let spec = spec.trim();
        if spec.eq_ignore_ascii_case("auto") {
            return Shard::from_engine(env);
        }
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| format!("invalid shard {spec:?}: expected K/N (e.g. 0/4) or auto"))?;
        let index = parse_number(k, "shard index")?;
        let count = parse_number(n, "shard count")?;
        Shard::new(index, count)
    }

    /// A shard, checked: `count ≥ 1` and `index < count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 {
            return Err("invalid shard: the count must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "invalid shard {index}/{count}: the index must be below the count (0 to {})",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard an array-job engine gave this process, from its variables.
    pub fn from_engine(env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if let Some(index) = var("JOB_COMPLETION_INDEX") {
            let count = var("S5RS_SHARD_COUNT").ok_or(
                "--shard auto: Kubernetes sets JOB_COMPLETION_INDEX but no count; \
                 set S5RS_SHARD_COUNT to the Job's completions",
            )?;
            return Shard::new(
                parse_number(&index, "JOB_COMPLETION_INDEX")?,
                parse_number(&count, "S5RS_SHARD_COUNT")?,
            );
        }
        if let Some(index) = var("AWS_BATCH_JOB_ARRAY_INDEX") {
            let count = var("AWS_BATCH_JOB_ARRAY_SIZE")
                .or_else(|| var("S5RS_SHARD_COUNT"))
                .ok_or(
                    "--shard auto: AWS_BATCH_JOB_ARRAY_INDEX is set but neither \
                     AWS_BATCH_JOB_ARRAY_SIZE nor S5RS_SHARD_COUNT",
                )?;
            return Shard::new(
                parse_number(&index, "AWS_BATCH_JOB_ARRAY_INDEX")?,
                parse_number(&count, "AWS_BATCH_JOB_ARRAY_SIZE")?,
            );
        }
        if let Some(id) = var("SLURM_ARRAY_TASK_ID") {
            let min = var("SLURM_ARRAY_TASK_MIN").unwrap_or_else(|| "0".into());
            let count = var("SLURM_ARRAY_TASK_COUNT")
                .ok_or("--shard auto: SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT")?;
            let (id, min) = (
                parse_number(&id, "SLURM_ARRAY_TASK_ID")?,
                parse_number(&min, "SLURM_ARRAY_TASK_MIN")?,
            );
            let index = id.checked_sub(min).ok_or(format!(
                "--shard auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
            ))?;
            return Shard::new(index, parse_number(&count, "SLURM_ARRAY_TASK_COUNT")?);
        }
        Err(
            "--shard auto: no array-job variables found (JOB_COMPLETION_INDEX with \
             S5RS_SHARD_COUNT, AWS_BATCH_JOB_ARRAY_INDEX with AWS_BATCH_JOB_ARRAY_SIZE, or \
             SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT); give --shard K/N"
                .into(),
        )
    }

    /// Whether this shard runs the operation named `relative` (see the module docs
    /// for which name that is).
    pub fn owns(&self, relative: &str) -> bool {
        partition_hash(relative) % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn parse_number(text: &str, what: &str) -> Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("invalid {what} {text:?}: expected a whole number"))
}

/// rclone's `--hash-filter` hash of a name: the first 8 bytes, little-endian, of the
/// MD5 of the Go-lower-cased NFC form.
pub fn partition_hash(name: &str) -> u64 {
    let normalised: String = name.nfc().map(go_to_lower).collect();
    let digest = Md5::digest(normalised.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("an MD5 digest has 16 bytes"))
}

/// Go's `unicode.ToLower` for one rune: the simple (one-to-one) lower-case mapping.
/// Rust's `char::to_lowercase` is the full mapping; where it gives more than one
/// character (only `İ`, U+0130, today) Go's simple mapping applies instead.
fn go_to_lower(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// The name an operation is sharded by: `key` relative to the directory of the
/// pattern's literal prefix (`pre/a*` → relative to `pre/`), the way rclone names
/// files relative to the root it was given. A literal source (no wildcard) is
/// named by itself, whole.
pub fn relative_name<'k>(key: &'k str, pattern: &str) -> &'k str {
    let prefix = crate::wildcard::literal_prefix(pattern);
    if prefix.len() == pattern.len() {
        return key;
    }
    let dir = match prefix.rfind('/') {
        Some(i) => &prefix[..=i],
        None => "",
    };
    key.strip_prefix(dir).unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn parses_k_of_n() {
        assert_eq!(
            Shard::parse("3/7", env(&[])),
            Ok(Shard { index: 3, count: 7 })
        );
        assert!(Shard::parse("7/7", env(&[])).unwrap_err().contains("below"));
        assert!(Shard::parse("0/0", env(&[])).is_err());
        assert!(Shard::parse("x/2", env(&[])).is_err());
        assert!(Shard::parse("2", env(&[])).unwrap_err().contains("K/N"));
    }

    #[test]
    fn auto_reads_each_engine() {
        let k8s = [("JOB_COMPLETION_INDEX", "2"), ("S5RS_SHARD_COUNT", "5")];
        assert_eq!(Shard::parse("auto", env(&k8s)), Shard::new(2, 5));
        let k8s_no_count = [("JOB_COMPLETION_INDEX", "2")];
        assert!(
            Shard::parse("auto", env(&k8s_no_count))
                .unwrap_err()
                .contains("S5RS_SHARD_COUNT")
        );
        let batch = [
            ("AWS_BATCH_JOB_ARRAY_INDEX", "9"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "10"),
        ];
        assert_eq!(Shard::parse("auto", env(&batch)), Shard::new(9, 10));
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "16"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "16"),
        ];
        assert_eq!(Shard::parse("auto", env(&slurm)), Shard::new(15, 16));
        assert!(
            Shard::parse("auto", env(&[]))
                .unwrap_err()
                .contains("no array-job variables")
        );
    }

    #[test]
    fn lower_cases_like_go() {
        // Go maps rune by rune; Rust's str::to_lowercase would give "i\u{307}" and a
        // final sigma.
        assert_eq!(go_to_lower('İ'), 'i');
        assert_eq!(go_to_lower('Σ'), 'σ');
        assert_eq!(partition_hash("ΟΔΟΣ"), partition_hash("οδοσ"));
        assert_ne!(partition_hash("ΟΔΟΣ"), partition_hash("οδος"));
        assert_eq!(partition_hash("İstanbul"), partition_hash("istanbul"));
        // Case variants and NFD spellings share a shard.
        assert_eq!(
            partition_hash("Dir/File.TXT"),
            partition_hash("dir/file.txt")
        );
        assert_eq!(partition_hash("cafe\u{301}"), partition_hash("café"));
    }

    #[test]
    fn hash_is_md5_prefix_little_endian() {
        // md5("a") = 0cc175b9c0f1b6a831c399e269772661
        assert_eq!(partition_hash("a"), 0xa8b6f1c0b975c10c);
        assert_eq!(partition_hash("A"), partition_hash("a"));
    }

    #[test]
    fn shards_cover_every_name_once() {
        let shards: Vec<Shard> = (0..7).map(|k| Shard::new(k, 7).unwrap()).collect();
        for i in 0..2000 {
            let name = format!("dir{}/file {i}.bin", i % 13);
            assert_eq!(shards.iter().filter(|s| s.owns(&name)).count(), 1);
        }
    }

    #[test]
    fn relative_names() {
        assert_eq!(relative_name("pre/a/b.txt", "pre/*"), "a/b.txt");
        assert_eq!(relative_name("pre/abc.txt", "pre/a*"), "abc.txt");
        assert_eq!(relative_name("x.txt", "*"), "x.txt");
        assert_eq!(relative_name("dir/x.txt", "dir/x.txt"), "dir/x.txt");
    }
}
