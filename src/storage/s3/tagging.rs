//! GetObjectTagging: an object's tags, so S3→S3 copies that cannot use the server's
//! own tag copying (streamed cross-endpoint copies, multipart copies) can carry them
//! over as an `x-amz-tagging` header.

use http::Method;

use super::object::version_query;
use super::request::Request;
use super::sign::QUERY_SET;
use super::{S3Client, xml};
use crate::storage::StorageError;

/// Encodes tags as `x-amz-tagging` wants them (`k=v&k2=v2`, URL-query encoded).
pub fn encode_tags(tags: &[(String, String)]) -> String {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, QUERY_SET).to_string();
    tags.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl S3Client {
    /// GetObjectTagging: the tags of an object (optionally of one version), in order.
    pub async fn get_object_tagging(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let mut query = String::from("tagging");
        let v = version_query(version_id);
        if !v.is_empty() {
            query.push('&');
            query.push_str(&v);
        }
        let req = Request::new(Method::GET, Some(bucket), Some(key)).query(&query);
        let resp = self.send(&req).await?;
        let root = xml::parse(&resp.body)?;
        let mut tags = Vec::new();
        if let Some(set) = root.child("TagSet") {
            for tag in set.all("Tag") {
                tags.push((
                    tag.text_of("Key").unwrap_or_default().to_owned(),
                    tag.text_of("Value").unwrap_or_default().to_owned(),
                ));
            }
        }
        Ok(tags)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_tags() {
        let tags = vec![
            ("a b".to_string(), "x&y".to_string()),
            ("k".to_string(), "v".to_string()),
        ];
        assert_eq!(super::encode_tags(&tags), "a%20b=x%26y&k=v");
    }
}
