//! A list spilled to an unlinked temp file, one JSON value per line (so any key
//! round-trips): `sync --delete` candidates, and `rm` keys gathered before the
//! confirmation of a mass delete, so a million names don't sit in memory.

use std::io::{BufRead, BufWriter, Seek, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ErrorKind;
use crate::storage::StorageError;
use crate::storage::local;

/// Items of type `T`, written to a temp file as they come, read back in order.
pub struct Spill<T> {
    writer: BufWriter<std::fs::File>,
    /// Items pushed.
    pub count: u64,
    _items: std::marker::PhantomData<T>,
}

fn io_error(e: impl std::fmt::Display) -> StorageError {
    StorageError::new(ErrorKind::Io, format!("reading delete list: {e}"))
}

impl<T: Serialize + DeserializeOwned> Spill<T> {
    /// An empty spill in the temp directory (`name` is the file's prefix).
    pub fn new(name: &str) -> Result<Spill<T>, StorageError> {
        let dir = std::env::temp_dir();
        let (file, path) = local::create_temp(&dir, name)?;
        let _ = std::fs::remove_file(&path);
        Ok(Spill {
            writer: BufWriter::with_capacity(64 * 1024, file),
            count: 0,
            _items: std::marker::PhantomData,
        })
    }

    /// Appends one item.
    pub fn push(&mut self, item: &T) -> Result<(), StorageError> {
        let json = serde_json::to_string(item).expect("spilled items serialize");
        self.writer
            .write_all(json.as_bytes())
            .and_then(|_| self.writer.write_all(b"\n"))
            .map_err(|e| StorageError::new(ErrorKind::Io, format!("writing delete list: {e}")))?;
        self.count += 1;
        Ok(())
    }

    /// Every item pushed so far, from the first.
    pub fn reader(
        &mut self,
    ) -> Result<impl Iterator<Item = Result<T, StorageError>> + use<T>, StorageError> {
        self.writer.flush().map_err(io_error)?;
        let mut file = self.writer.get_ref().try_clone().map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        Ok(std::io::BufReader::new(file)
            .lines()
            .map(|l| serde_json::from_str::<T>(&l.map_err(io_error)?).map_err(io_error)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_awkward_names() {
        let mut s = Spill::<String>::new("test").unwrap();
        for n in ["a", "b\nc", "d\"e", "ü/ß"] {
            s.push(&n.to_string()).unwrap();
        }
        let back: Vec<String> = s.reader().unwrap().map(Result::unwrap).collect();
        assert_eq!(back, vec!["a", "b\nc", "d\"e", "ü/ß"]);
        assert_eq!(s.count, 4);
    }
}
