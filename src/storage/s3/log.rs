//! What the client tells the user about its requests: every retry (at `--log
//! debug`: the request, the retry's number and delay, and why) and, when tracing,
//! every attempt with its outcome and duration (`--log trace`).
//!
//! The client sits below the output layer, so it does not write anything itself:
//! whoever builds it hands over a [`RequestLog`], a sink for rendered lines.
//! Nothing is formatted when no sink is set. Lines never hold credentials: URLs
//! are those of header-signed requests, which carry no signature.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use http::Method;

/// The sink's type: takes a rendered line, returns when it has been queued.
type Sink = dyn Fn(String) -> BoxFuture<'static, ()> + Send + Sync;

/// Where a client reports retries (and, when `trace` is set, every attempt).
#[derive(Clone)]
pub struct RequestLog {
    trace: bool,
    sink: Arc<Sink>,
}

impl RequestLog {
    /// A log that hands each line to `sink`; `trace` adds one line per attempt.
    pub fn new(
        trace: bool,
        sink: impl Fn(String) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> RequestLog {
        RequestLog {
            trace,
            sink: Arc::new(sink),
        }
    }

    /// True when every attempt is reported.
    pub(crate) fn traces(&self) -> bool {
        self.trace
    }

    /// Reports a retry of `method url`: number `n` of at most `max`, after `delay`.
    pub(crate) async fn retry(
        &self,
        method: &Method,
        url: &str,
        (n, max): (u32, u32),
        delay: Duration,
        reason: &str,
    ) {
        (self.sink)(format!(
            "DEBUG \"{method} {url}\": retry {n}/{max} in {}ms: {reason}",
            delay.as_millis()
        ))
        .await;
    }

    /// Reports one attempt: its duration and outcome (`200 OK`, or why it failed).
    pub(crate) async fn attempt(&self, method: &Method, url: &str, took: Duration, outcome: &str) {
        (self.sink)(format!(
            "TRACE \"{method} {url}\": {}ms: {outcome}",
            took.as_millis()
        ))
        .await;
    }
}

impl fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestLog")
            .field("trace", &self.trace)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn lines_name_the_request_the_delay_and_the_reason() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let log = RequestLog::new(true, move |l| {
            seen.lock().unwrap().push(l);
            Box::pin(async {})
        });
        let url = "http://127.0.0.1:1/b/k";
        log.retry(
            &Method::GET,
            url,
            (2, 3),
            Duration::from_millis(250),
            "refused",
        )
        .await;
        log.attempt(&Method::PUT, url, Duration::from_millis(4), "200 OK")
            .await;
        assert_eq!(
            *lines.lock().unwrap(),
            [
                "DEBUG \"GET http://127.0.0.1:1/b/k\": retry 2/3 in 250ms: refused",
                "TRACE \"PUT http://127.0.0.1:1/b/k\": 4ms: 200 OK",
            ]
        );
    }
}
