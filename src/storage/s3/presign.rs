//! Presigned GET URLs (SigV4 query signing by `aws-sigv4`, `X-Amz-Expires`).

use std::time::Duration;

use super::object::version_query;
use super::{S3Client, sign};
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// SigV4 presigned URLs may be valid for at most seven days.
const MAX_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

impl S3Client {
    /// A presigned GET URL valid for `expires`.
    ///
    /// Credentials must already be cached (any earlier request does that); when they
    /// are not, they are resolved on a helper thread, since this method is not async.
    pub fn presign_get(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        expires: Duration,
    ) -> Result<String, StorageError> {
        if expires > MAX_EXPIRY || expires.is_zero() {
            return Err(StorageError::new(
                ErrorKind::Usage,
                "presigned URLs expire after 1 second to 7 days",
            ));
        }
        let region = self.region_for(Some(bucket));
        let query = version_query(version_id);
        let url = self.url(Some(bucket), Some(key), &query, &region);
        if self.inner.anonymous {
            return Ok(url);
        }
        let creds = self.inner.credentials.as_ref().ok_or_else(|| {
            StorageError::new(ErrorKind::NoCredentials, "no valid credentials found")
        })?;
        let identity = match creds.cached() {
            Some(id) => id,
            None => {
                let client = self.clone();
                let handle = tokio::runtime::Handle::try_current().ok();
                std::thread::scope(|s| {
                    s.spawn(move || {
                        let fut = async {
                            client
                                .inner
                                .credentials
                                .as_ref()
                                .expect("checked above")
                                .identity()
                                .await
                        };
                        match handle {
                            Some(h) => h.block_on(fut),
                            None => tokio::runtime::Builder::new_current_thread()
                                .enable_all()
                                .build()
                                .map_err(|e| StorageError::new(ErrorKind::Other, e.to_string()))?
                                .block_on(fut),
                        }
                    })
                    .join()
                    .map_err(|_| {
                        StorageError::new(ErrorKind::Other, "credential thread panicked")
                    })?
                })?
            }
        };
        sign::presign_url(&url, &identity, &region, expires)
    }
}
