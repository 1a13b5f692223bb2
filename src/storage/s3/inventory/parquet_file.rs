//! Parquet data files of an S3 Inventory report (`fileFormat: "Parquet"`), read
//! with the `parquet` crate's row API (no Arrow). A Parquet file's index (its
//! footer) is at its end, so the download is first spooled to an unlinked temp
//! file, never held in memory; then only the columns s5rs uses are read, row group
//! by row group, and each row is turned into the text fields a CSV report would
//! hold (`true`, `1234`, `2026-01-02T03:04:05.678Z`) for the same
//! [`Columns::entry`](super::Columns) as CSV.
//!
//! AWS writes `bucket`, `key`, `version_id`, `is_latest`, `is_delete_marker`,
//! `size`, `last_modified_date` (milliseconds), `e_tag`, `storage_class`, … and
//! compresses with Snappy (gzip also reads). Keys are not URL-encoded in Parquet
//! reports (AWS encodes them in CSV reports only).

use std::io::{Read, Seek};

use parquet::file::reader::{FileReader as _, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::Type;

use super::{Columns, Rows, invalid, plain_name};
use crate::storage::StorageError;
use crate::storage::local;

/// The columns s5rs reads (compared by [`plain_name`]); the rest are not decoded.
const USED: [&str; 9] = [
    "bucket",
    "key",
    "versionid",
    "islatest",
    "isdeletemarker",
    "size",
    "lastmodifieddate",
    "etag",
    "storageclass",
];

/// One Parquet data file's rows; `Ok(false)` when the receiver is gone.
pub(super) fn parse(
    reader: &mut impl Read,
    name: &str,
    rows: &mut Rows<'_>,
) -> Result<bool, StorageError> {
    let file = spool(reader, name)?;
    let bad = |e: parquet::errors::ParquetError| {
        invalid(format!(
            "inventory file {name} is not a Parquet file s5rs can read: {e}"
        ))
    };
    let parquet = SerializedFileReader::new(file).map_err(bad)?;
    let schema = parquet.metadata().file_metadata().schema();
    let used: Vec<_> = schema
        .get_fields()
        .iter()
        .filter(|f| f.is_primitive() && USED.contains(&plain_name(f.name()).as_str()))
        .cloned()
        .collect();
    let names: Vec<&str> = used.iter().map(|f| f.name()).collect();
    let columns = Columns::from_names(&names, false)
        .ok_or_else(|| invalid(format!("inventory file {name} has no key column")))?;
    let projection = Type::group_type_builder(schema.name())
        .with_fields(used)
        .build()
        .map_err(bad)?;
    let mut record = csv::StringRecord::new();
    for row in parquet.get_row_iter(Some(projection)).map_err(bad)? {
        let row = row.map_err(bad)?;
        record.clear();
        for (_, field) in row.get_column_iter() {
            record.push_field(&text(field));
        }
        if !rows.send(&columns, &record)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Copies the whole download into an unlinked temp file, rewound.
fn spool(reader: &mut impl Read, name: &str) -> Result<std::fs::File, StorageError> {
    let (mut file, path) = local::create_temp(&std::env::temp_dir(), "inventory.parquet")?;
    let _ = std::fs::remove_file(&path);
    let io = |e: std::io::Error| invalid(format!("inventory file {name}: {e}"));
    std::io::copy(reader, &mut file).map_err(io)?;
    file.rewind().map_err(io)?;
    Ok(file)
}

/// A value as a CSV report writes it (empty for a null).
fn text(field: &Field) -> String {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>, digits| {
        t.map_or_else(String::new, |t| t.to_rfc3339_opts(digits, true))
    };
    match field {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        Field::Bytes(b) => String::from_utf8_lossy(b.data()).into_owned(),
        Field::TimestampMillis(ms) => time(
            chrono::DateTime::from_timestamp_millis(*ms),
            chrono::SecondsFormat::Millis,
        ),
        Field::TimestampMicros(us) => time(
            chrono::DateTime::from_timestamp_micros(*us),
            chrono::SecondsFormat::Micros,
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_a_csv_report_writes_them() {
        assert_eq!(
            text(&Field::TimestampMillis(1_767_225_600_120)),
            "2026-01-01T00:00:00.120Z"
        );
        assert_eq!(
            text(&Field::TimestampMicros(1_767_225_600_000_001)),
            "2026-01-01T00:00:00.000001Z"
        );
        assert_eq!(text(&Field::Str("a b+%41".into())), "a b+%41");
        assert_eq!(text(&Field::Bool(false)), "false");
        assert_eq!(text(&Field::Long(1234)), "1234");
        assert_eq!(text(&Field::Null), "");
        assert_eq!(text(&Field::Bytes(b"k\xff".to_vec().into())), "k\u{fffd}");
    }
}
