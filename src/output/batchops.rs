//! `ls --format batchops-csv`: lines of an S3 Batch Operations CSV manifest
//! (`S3BatchOperations_CSV_20180820`): `bucket,key[,versionId]`, the key
//! URL-encoded as the service requires. Every byte but the unreserved characters
//! and `/` is percent-encoded (a space as `%20`, a `+` as `%2B`), so the key reads
//! back the same whether the reader decodes `+` as a space or not, and no key can
//! carry a comma, quote or line break into the CSV.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::storage::{EntryKind, ObjectInfo};

/// What stays as is in a key: RFC 3986's unreserved characters and `/`.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The manifest line of a listed object; `None` for what Batch Operations cannot
/// act on (common prefixes, delete markers). The version id column is written when
/// the listing has one (`--all-versions`).
pub fn line(bucket: &str, info: &ObjectInfo) -> Option<String> {
    if info.kind == EntryKind::Directory || info.is_delete_marker {
        return None;
    }
    let key = utf8_percent_encode(&info.key, KEEP);
    Some(match &info.version_id {
        Some(v) => format!("{bucket},{key},{v}"),
        None => format!("{bucket},{key}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_url_encoded_and_versions_kept() {
        let mut info = ObjectInfo::file("dir/a b+c,d%\"é\n.txt", 3);
        assert_eq!(
            line("bkt", &info).unwrap(),
            "bkt,dir/a%20b%2Bc%2Cd%25%22%C3%A9%0A.txt"
        );
        info.version_id = Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY".into());
        assert!(
            line("bkt", &info)
                .unwrap()
                .ends_with(",3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")
        );
        info.is_delete_marker = true;
        assert_eq!(line("bkt", &info), None);
        assert_eq!(line("bkt", &ObjectInfo::directory("dir/")), None);
    }
}
