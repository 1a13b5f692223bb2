//! S3 Inventory reports as a listing (`--source-inventory s3://…/manifest.json`):
//! the manifest names the source bucket, the format and the data files (in the
//! bucket the manifest is in, or the one it names as destination); each data file
//! is fetched and read in a blocking thread while the next chunks download.
//!
//! CSV reports (`data/*.csv.gz`): gunzipped (`flate2`, any number of gzip members)
//! and read as CSV (`csv`) as they stream in, columns named by the manifest's
//! `fileSchema`; keys are URL-encoded (decoded like listing keys: `+` is a space).
//! Parquet reports (`data/*.parquet`, [`parquet_file`]): spooled to an unlinked
//! temp file (Parquet's index is at the end), columns named by the file's own
//! schema; keys are not encoded. ORC reports are refused with a clear error.
//! Both kinds turn each row into the same text fields and go through the same
//! [`Columns::entry`], so a CSV and a Parquet report of one bucket list the same.
//!
//! Rows of another bucket or outside the prefix are left out, and so are delete
//! markers, non-current versions and version ids unless every version is asked for
//! (then a versions report reads like ListObjectVersions).
//! With `in_key_order` (sync's merge-join) a row that does not sort after the one
//! before it ends the listing with an error instead of a wrong comparison.

mod parquet_file;

use std::io::Read;

use bytes::Bytes;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::S3Client;
use super::list_xml::{decode, fraction_digits, parse_time};
use crate::error::ErrorKind;
use crate::storage::{EntryKind, LIST_CHANNEL_CAPACITY, Lister, ObjectInfo, StorageError};

/// What to read from an inventory report.
#[derive(Debug, Clone)]
pub struct InventoryRequest {
    /// Bucket of `manifest.json`.
    pub manifest_bucket: String,
    /// Key of `manifest.json`.
    pub manifest_key: String,
    /// The bucket being listed: the report must be of this bucket.
    pub bucket: String,
    /// Only keys starting with this.
    pub prefix: String,
    /// Refuse rows out of key order.
    pub in_key_order: bool,
    /// Every version and delete marker of a versions report, with version ids (as
    /// ListObjectVersions); otherwise current versions without ids (as ListObjectsV2).
    pub all_versions: bool,
}

/// The parts of `manifest.json` s5rs uses.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    source_bucket: String,
    #[serde(default)]
    destination_bucket: Option<String>,
    file_format: String,
    #[serde(default)]
    file_schema: String,
    files: Vec<ManifestFile>,
}

#[derive(Debug, Deserialize)]
struct ManifestFile {
    key: String,
}

/// How the report's data files are laid out (the manifest's `fileFormat`).
#[derive(Debug, Clone)]
enum Layout {
    /// CSV, columns named by the manifest's `fileSchema`.
    Csv(Columns),
    /// Parquet, columns named by each file's own schema.
    Parquet,
}

/// Column positions of the fields s5rs reads: from `fileSchema` (CSV) or from
/// the data file's own schema (Parquet).
#[derive(Debug, Default, Clone)]
struct Columns {
    /// Keys are URL-encoded (CSV reports).
    encoded: bool,
    bucket: Option<usize>,
    key: usize,
    version_id: Option<usize>,
    is_latest: Option<usize>,
    is_delete_marker: Option<usize>,
    size: Option<usize>,
    last_modified: Option<usize>,
    etag: Option<usize>,
    storage_class: Option<usize>,
}

impl Columns {
    /// The columns of a CSV report's `fileSchema` (`Bucket, Key, …`).
    fn from_schema(schema: &str) -> Result<Columns, StorageError> {
        let names: Vec<&str> = schema.split(',').map(str::trim).collect();
        Columns::from_names(&names, true)
            .ok_or_else(|| invalid(format!("inventory schema {schema:?} has no Key column")))
    }

    /// The columns named `names`, in that order: CSV's `LastModifiedDate` and
    /// Parquet's `last_modified_date` alike (case and `_` do not count); `None`
    /// without a key column.
    fn from_names(names: &[&str], encoded: bool) -> Option<Columns> {
        let names: Vec<String> = names.iter().map(|n| plain_name(n)).collect();
        let at = |name: &str| names.iter().position(|n| n == name);
        Some(Columns {
            encoded,
            bucket: at("bucket"),
            key: at("key")?,
            version_id: at("versionid"),
            is_latest: at("islatest"),
            is_delete_marker: at("isdeletemarker"),
            size: at("size"),
            last_modified: at("lastmodifieddate"),
            etag: at("etag"),
            storage_class: at("storageclass"),
        })
    }

    /// The listing entry of a row; `None` for a row to leave out.
    fn entry(&self, row: &csv::StringRecord, want: &InventoryRequest) -> Option<ObjectInfo> {
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).filter(|s| !s.is_empty());
        let is = |i: Option<usize>, v: &str| field(i).is_some_and(|s| s.eq_ignore_ascii_case(v));
        let marker = is(self.is_delete_marker, "true");
        let old = is(self.is_latest, "false");
        if field(self.bucket).is_some_and(|b| b != want.bucket)
            || (!want.all_versions && (marker || old))
        {
            return None;
        }
        let key = decode(row.get(self.key)?, self.encoded);
        if !key.starts_with(&want.prefix) {
            return None;
        }
        let mut info = ObjectInfo::file(key, 0);
        if info.key.ends_with('/') {
            info.kind = EntryKind::Directory;
        }
        info.size = field(self.size).and_then(|s| s.parse().ok()).unwrap_or(0);
        info.last_modified = field(self.last_modified).and_then(parse_time);
        info.time_digits = field(self.last_modified).map_or(0, fraction_digits);
        info.etag = field(self.etag).map(|e| e.trim_matches('"').to_owned());
        info.storage_class = field(self.storage_class).map(str::to_owned);
        if want.all_versions {
            info.version_id = field(self.version_id).map(str::to_owned);
            info.is_delete_marker = marker;
            info.is_latest = !old;
        }
        Some(info)
    }
}

/// A column name compared without case and `_` (`e_tag` is `ETag`).
fn plain_name(name: &str) -> String {
    name.chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn invalid(message: impl Into<String>) -> StorageError {
    StorageError::new(ErrorKind::InvalidResponse, message)
}

/// The bucket name of `arn:aws:s3:::name` (or a plain name).
fn bucket_of_arn(arn: &str) -> &str {
    arn.rsplit(":::").next().unwrap_or(arn)
}

/// What the downloading side tells the parsing thread.
enum Piece {
    /// A data file starts (its key).
    Start(String),
    /// Bytes of the current file.
    Chunk(Bytes),
    /// The current file is complete.
    End,
    /// Downloading failed.
    Failed(StorageError),
}

impl S3Client {
    /// The objects an S3 Inventory report lists (module docs), streamed.
    pub fn list_inventory(&self, request: InventoryRequest) -> Lister {
        let (tx, rx) = mpsc::channel(LIST_CHANNEL_CAPACITY);
        let client = self.clone();
        tokio::spawn(async move {
            let (manifest, layout) = match client.read_manifest(&request).await {
                Ok(m) => m,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let (ptx, prx) = mpsc::channel(8);
            let parse_request = request.clone();
            let parser =
                tokio::task::spawn_blocking(move || parse_files(prx, &layout, &parse_request, &tx));
            let data_bucket = manifest
                .destination_bucket
                .as_deref()
                .map(bucket_of_arn)
                .filter(|b| !b.is_empty())
                .unwrap_or(&request.manifest_bucket)
                .to_owned();
            for file in manifest.files {
                if !client.send_file(&data_bucket, file.key, &ptx).await {
                    break;
                }
            }
            drop(ptx);
            let _ = parser.await;
        });
        rx
    }

    /// Reads and checks `manifest.json`.
    async fn read_manifest(
        &self,
        request: &InventoryRequest,
    ) -> Result<(Manifest, Layout), StorageError> {
        let mut body = self
            .get_object(&request.manifest_bucket, &request.manifest_key, None, None)
            .await?
            .body;
        let mut text = Vec::new();
        while let Some(chunk) = body.next_chunk().await {
            text.extend_from_slice(&chunk?);
        }
        let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
            invalid(format!(
                "s3://{}/{} is not an S3 Inventory manifest: {e}",
                request.manifest_bucket, request.manifest_key
            ))
        })?;
        if manifest.source_bucket != request.bucket {
            return Err(StorageError::new(
                ErrorKind::Usage,
                format!(
                    "the inventory lists bucket {}, not {}",
                    manifest.source_bucket, request.bucket
                ),
            ));
        }
        let layout = match manifest.file_format.to_ascii_lowercase().as_str() {
            "csv" => Layout::Csv(Columns::from_schema(&manifest.file_schema)?),
            "parquet" => Layout::Parquet,
            _ => {
                return Err(StorageError::new(
                    ErrorKind::Usage,
                    format!(
                        "inventory format {} is not supported: configure the report as CSV or Parquet",
                        manifest.file_format
                    ),
                ));
            }
        };
        Ok((manifest, layout))
    }

    /// Downloads one data file into the parser's channel; false when it is no
    /// longer worth going on (the parser stopped, or the download failed).
    async fn send_file(&self, bucket: &str, key: String, ptx: &mpsc::Sender<Piece>) -> bool {
        let mut body = match self.get_object(bucket, &key, None, None).await {
            Ok(o) => o.body,
            Err(e) => {
                let _ = ptx.send(Piece::Failed(e)).await;
                return false;
            }
        };
        if ptx.send(Piece::Start(key)).await.is_err() {
            return false;
        }
        while let Some(chunk) = body.next_chunk().await {
            let piece = match chunk {
                Ok(b) => Piece::Chunk(b),
                Err(e) => Piece::Failed(e),
            };
            let failed = matches!(piece, Piece::Failed(_));
            if ptx.send(piece).await.is_err() || failed {
                return false;
            }
        }
        ptx.send(Piece::End).await.is_ok()
    }
}

/// The bytes of the current data file, read from the channel (blocking thread).
struct FileReader<'a> {
    rx: &'a mut mpsc::Receiver<Piece>,
    buf: Bytes,
    failure: Option<StorageError>,
}

impl Read for FileReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.buf.is_empty() {
            match self.rx.blocking_recv() {
                Some(Piece::Chunk(b)) => self.buf = b,
                Some(Piece::End) | None => return Ok(0),
                Some(Piece::Start(_)) => return Err(std::io::Error::other("file cut short")),
                Some(Piece::Failed(e)) => {
                    let message = e.to_string();
                    self.failure = Some(e);
                    return Err(std::io::Error::other(message));
                }
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf.split_to(n));
        Ok(n)
    }
}

/// Parses every data file the channel brings, sending entries on (blocking thread).
fn parse_files(
    mut rx: mpsc::Receiver<Piece>,
    layout: &Layout,
    request: &InventoryRequest,
    tx: &mpsc::Sender<Result<ObjectInfo, StorageError>>,
) {
    let mut rows = Rows {
        request,
        last: None,
        tx,
    };
    while let Some(piece) = rx.blocking_recv() {
        let name = match piece {
            Piece::Start(name) => name,
            Piece::Failed(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
            Piece::Chunk(_) | Piece::End => continue,
        };
        let mut reader = FileReader {
            rx: &mut rx,
            buf: Bytes::new(),
            failure: None,
        };
        let outcome = match layout {
            Layout::Csv(columns) => parse_csv(&mut reader, &name, columns, &mut rows),
            Layout::Parquet => parquet_file::parse(&mut reader, &name, &mut rows),
        };
        let failure = reader.failure.take();
        match (outcome, failure) {
            (Ok(true), _) => {}
            (Ok(false), _) => return,
            (Err(_), Some(e)) | (Err(e), None) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    }
}

/// Where the rows of every data file go: turned into entries (the same for CSV
/// and Parquet), checked for key order when asked, sent on.
struct Rows<'a> {
    request: &'a InventoryRequest,
    last: Option<String>,
    tx: &'a mpsc::Sender<Result<ObjectInfo, StorageError>>,
}

impl Rows<'_> {
    /// Sends the entry of one row (if it is one to list); `Ok(false)` when the
    /// receiver is gone.
    fn send(&mut self, columns: &Columns, row: &csv::StringRecord) -> Result<bool, StorageError> {
        let Some(info) = columns.entry(row, self.request) else {
            return Ok(true);
        };
        if self.request.in_key_order {
            if let Some(last) = self.last.as_ref().filter(|l| info.key <= **l) {
                return Err(StorageError::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "inventory rows are not in key order ({:?} after {last:?}); sync needs them sorted",
                        info.key
                    ),
                ));
            }
            self.last = Some(info.key.clone());
        }
        Ok(self.tx.blocking_send(Ok(info)).is_ok())
    }
}

/// One CSV data file's rows (gzip'd when its name ends in `.gz`); `Ok(false)`
/// when the receiver is gone.
fn parse_csv(
    reader: &mut FileReader<'_>,
    name: &str,
    columns: &Columns,
    rows: &mut Rows<'_>,
) -> Result<bool, StorageError> {
    let data: Box<dyn Read + '_> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut row = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut row) {
            Ok(false) => return Ok(true),
            Ok(true) => {}
            Err(e) => return Err(invalid(format!("inventory file {name}: {e}"))),
        }
        if !rows.send(columns, &row)? {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_schema_and_decoded() {
        let cols = Columns::from_schema(
            "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass",
        )
        .unwrap();
        let want = InventoryRequest {
            manifest_bucket: "inv".into(),
            manifest_key: "m.json".into(),
            bucket: "src".into(),
            prefix: "a/".into(),
            in_key_order: false,
            all_versions: true,
        };
        let row = |fields: &[&str]| csv::StringRecord::from(fields.to_vec());
        let e = cols
            .entry(
                &row(&[
                    "src",
                    "a/b+c%2B%25.txt",
                    "v1",
                    "true",
                    "false",
                    "12",
                    "2026-01-02T03:04:05.120Z",
                    "abc",
                    "GLACIER",
                ]),
                &want,
            )
            .unwrap();
        assert_eq!(e.key, "a/b c+%.txt");
        assert_eq!((e.size, e.time_digits), (12, 2));
        assert_eq!(e.etag.as_deref(), Some("abc"));
        assert_eq!(e.storage_class.as_deref(), Some("GLACIER"));
        assert_eq!(e.version_id.as_deref(), Some("v1"));
        let old = row(&["src", "a/x", "v0", "false", "false", "1", "", "", ""]);
        let marker = row(&["src", "a/x", "v2", "true", "true", "0", "", "", ""]);
        assert!(!cols.entry(&old, &want).unwrap().is_latest);
        assert!(cols.entry(&marker, &want).unwrap().is_delete_marker);
        let current = InventoryRequest {
            all_versions: false,
            ..want.clone()
        };
        assert_eq!(
            cols.entry(
                &row(&["src", "a/x", "v1", "true", "false", "1", "", "", ""]),
                &current
            )
            .unwrap()
            .version_id,
            None
        );
        for skipped in [
            ["other", "a/x", "", "", "", "1", "", "", ""],
            ["src", "b/x", "", "", "", "1", "", "", ""],
        ] {
            assert!(cols.entry(&row(&skipped), &want).is_none(), "{skipped:?}");
        }
        assert!(cols.entry(&old, &current).is_none());
        assert!(cols.entry(&marker, &current).is_none());
        assert!(Columns::from_schema("Bucket, Size").is_err());
        assert_eq!(bucket_of_arn("arn:aws:s3:::inv-bucket"), "inv-bucket");
    }

    #[test]
    fn parquet_column_names_match_and_keys_stay_as_they_are() {
        let cols = Columns::from_names(
            &["bucket", "key", "size", "last_modified_date", "e_tag"],
            false,
        )
        .unwrap();
        let want = InventoryRequest {
            manifest_bucket: "inv".into(),
            manifest_key: "m.json".into(),
            bucket: "src".into(),
            prefix: String::new(),
            in_key_order: false,
            all_versions: false,
        };
        let row = csv::StringRecord::from(vec![
            "src",
            "a+b%2B c",
            "5",
            "2026-01-01T00:00:00.120Z",
            "abc",
        ]);
        let e = cols.entry(&row, &want).unwrap();
        assert_eq!(e.key, "a+b%2B c");
        assert_eq!((e.size, e.time_digits), (5, 2));
        assert_eq!(e.etag.as_deref(), Some("abc"));
        assert!(Columns::from_names(&["bucket", "size"], false).is_none());
    }
}
