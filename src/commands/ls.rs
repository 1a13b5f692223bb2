//! `ls` (reference §2.1): buckets; one level of a prefix (each page's DIR lines
//! first, then its objects, as s5cmd); a wildcard listed recursively; local paths
//! walked. Names follow s5cmd's: relative to a wildcard, the child after the last
//! `/` of a plain URL, a local file as given. Each entry goes to `output/` as a
//! [`ListEntry`], which renders it as s5cmd's text or JSON line.

use std::sync::Arc;

use crate::command::LsCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::{LocalPath, Location, RemoteUrl};
use crate::plan::filter::ObjectFilter;
use crate::record::{BucketEntry, ListEntry, ListStyle, QueryResult};
use crate::storage::s3::S3Client;
use crate::storage::{EntryKind, LIST_CHANNEL_CAPACITY, ListRequest, Lister, StorageError};
use crate::wildcard::{self, Pattern};

/// Runs an ls line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &LsCmd) {
    let Some(target) = &cmd.target else {
        return list_buckets(ctx, line).await;
    };
    let location = match Location::parse(target, false) {
        Ok(l) => l,
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    let batchops = cmd.format.as_deref() == Some("batchops-csv");
    match location {
        Location::Local(_) if batchops => {
            let m = "--format batchops-csv lists S3 objects only";
            line.fail(ctx, m, ErrorKind::Usage).await
        }
        Location::Remote(url) => list_remote(ctx, line, cmd, &url).await,
        Location::Local(path) => list_local(ctx, line, cmd, &path).await,
    }
}

async fn list_local(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &LsCmd, path: &LocalPath) {
    if cmd.all_versions {
        return line
            .fail(
                ctx,
                "\"all-versions\", and \"version-id\" flags can only be used with remote objects",
                ErrorKind::Usage,
            )
            .await;
    }
    let filters = ObjectFilter::new(&cmd.exclude, &[], &cmd.filter);
    let mut rx = crate::plan::expand::local(path, true, &filters);
    while let Some(item) = rx.recv().await {
        if ctx.stopping() {
            return;
        }
        match item {
            Ok(o) => {
                // Names as s5cmd shows them: relative to the argument (`src/a/f` for
                // `ls src`, `a/f` for `ls src/`), a file given by name as given.
                let name = if o.info.key == path.path {
                    o.info.key.clone()
                } else {
                    o.relative
                };
                let entry = ListEntry {
                    name,
                    url: o.info.key.clone(),
                    info: o.info,
                    local: true,
                    style: style(cmd),
                };
                line.show(ctx, QueryResult::Entry(entry)).await;
            }
            Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
        }
    }
}

async fn list_buckets(ctx: &Arc<Ctx>, line: &Arc<LineCtx>) {
    let client = match ctx.clients.default_client().await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    match client.list_buckets().await {
        Ok(buckets) => {
            for b in buckets {
                let bucket = BucketEntry {
                    name: b.name,
                    created: b.created,
                };
                line.show(ctx, QueryResult::Bucket(bucket)).await;
            }
        }
        Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
    }
}

async fn list_remote(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &LsCmd, url: &RemoteUrl) {
    let client = match ctx.clients.default_client().await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    let wildcard = url.is_wildcard();
    let prefix = if wildcard {
        wildcard::literal_prefix(&url.key).to_string()
    } else {
        url.key.clone()
    };
    let pattern = wildcard.then(|| Pattern::remote(&url.key));
    let filters = ObjectFilter::new(&cmd.exclude, &[], &cmd.filter);
    let filter_prefix = wildcard::literal_prefix(&url.key).to_string();
    let mut rx = if wildcard {
        client.list(
            &url.bucket,
            ListRequest {
                prefix,
                recursive: true,
                all_versions: cmd.all_versions,
            },
        )
    } else {
        one_level(&client, &url.bucket, prefix, cmd.all_versions)
    };
    let mut found = false;
    let mut failed = false;
    while let Some(item) = rx.recv().await {
        if ctx.stopping() {
            return;
        }
        let info = match item {
            Ok(info) => info,
            Err(e) => {
                failed = true;
                line.fail(ctx, e.to_string(), e.kind).await;
                continue;
            }
        };
        if pattern.as_ref().is_some_and(|p| !p.matches(&info.key)) {
            continue;
        }
        // As s5cmd: whatever the listing matched counts as found, also when
        // `--exclude` (or an s5rs filter) then hides it.
        found = true;
        if !filters.keep(wildcard::filter_subject(&info.key, &filter_prefix), &info) {
            continue;
        }
        if cmd.format.as_deref() == Some("batchops-csv") {
            if let Some(l) = crate::output::batchops::line(&url.bucket, &info) {
                ctx.output.send(crate::output::Message::Line(l)).await;
            }
            continue;
        }
        let name = if wildcard {
            wildcard::relative_name(&info.key, &url.key)
        } else {
            child_name(&url.key, &info.key)
        };
        let entry = ListEntry {
            name: name.to_string(),
            url: format!("s3://{}/{}", url.bucket, info.key),
            info,
            local: false,
            style: style(cmd),
        };
        line.show(ctx, QueryResult::Entry(entry)).await;
    }
    if !found && !failed && !url.is_bucket() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

/// One level of a plain URL, paged here rather than by [`S3Client::list`] so that
/// each page is shown as s5cmd shows it: its directories (common prefixes) first,
/// then its objects, each in key order (the client merges both in key order, which
/// sync relies on). A task pages into a bounded channel, like the client's listings.
fn one_level(client: &S3Client, bucket: &str, prefix: String, versions: bool) -> Lister {
    let (tx, rx) = tokio::sync::mpsc::channel(LIST_CHANNEL_CAPACITY);
    let client = client.clone();
    let bucket = bucket.to_owned();
    tokio::spawn(async move {
        let mut token: Option<String> = None;
        loop {
            let page = if versions {
                Box::pin(client.list_versions_page(&bucket, &prefix, Some("/"), token.as_deref()))
                    .await
            } else {
                Box::pin(client.list_objects_page(&bucket, &prefix, Some("/"), token.as_deref()))
                    .await
            };
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let (dirs, objects): (Vec<_>, Vec<_>) = page
                .entries
                .into_iter()
                .partition(|e| e.kind == EntryKind::Directory);
            for entry in dirs.into_iter().chain(objects) {
                if tx.send(Ok(entry)).await.is_err() {
                    return;
                }
            }
            token = match page.next_token {
                None => return,
                Some(next) if token.as_ref() == Some(&next) => {
                    let repeated = StorageError::new(
                        ErrorKind::InvalidResponse,
                        "the server returned the same continuation token twice",
                    );
                    let _ = tx.send(Err(repeated)).await;
                    return;
                }
                next => next,
            };
        }
    });
    rx
}

/// The text-only flags of an ls line.
fn style(cmd: &LsCmd) -> ListStyle {
    ListStyle {
        etag: cmd.etag,
        humanize: cmd.humanize,
        storage_class: cmd.storage_class,
        full_path: cmd.show_fullpath,
        versions: cmd.all_versions,
    }
}

/// The name of an entry of a plain (non-wildcard) listing, as s5cmd shows it: the
/// whole key when it is the argument itself (or not under it); otherwise the part
/// after the last `/` that the argument does not cover (`ls s3://b/up1/to` shows
/// `top.txt`, `ls s3://b/up1/a` the directory `a/`, `ls s3://b/up1` `up1/`).
fn child_name<'a>(prefix: &str, key: &'a str) -> &'a str {
    if key == prefix || !key.starts_with(prefix) {
        return key;
    }
    let trimmed = key.strip_suffix('/').unwrap_or(key);
    match trimmed.rfind('/') {
        None => key,
        Some(slash) if slash < prefix.len() => &key[slash + 1..],
        // A `/` past the argument (not in a one-level listing): its first level.
        Some(_) => {
            let rest = &key[prefix.len()..];
            let rest = rest.strip_prefix('/').unwrap_or(rest);
            match rest.find('/') {
                Some(i) if i + 1 < rest.len() => &rest[..=i],
                _ => rest,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::child_name;

    #[test]
    fn names_children_like_s5cmd() {
        assert_eq!(child_name("", "root.txt"), "root.txt");
        assert_eq!(child_name("", "up1/"), "up1/");
        assert_eq!(child_name("up1", "up1/"), "up1/");
        assert_eq!(child_name("up1/", "up1/a/"), "a/");
        assert_eq!(child_name("up1/", "up1/top.txt"), "top.txt");
        assert_eq!(child_name("up1/to", "up1/top.txt"), "top.txt");
        assert_eq!(child_name("up1/a", "up1/a/"), "a/");
        assert_eq!(child_name("up1/top.txt", "up1/top.txt"), "up1/top.txt");
        assert_eq!(child_name("a//", "a//b"), "b");
    }
}
