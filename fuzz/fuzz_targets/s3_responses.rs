//! Fuzz target: any bytes as an S3 response body or header value through every
//! response parser (XML tree, error bodies, listings, Content-Range, object
//! headers) via `s5rs::storage::s3::fuzz_responses`: typed errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    s5rs::storage::s3::fuzz_responses(data);
});
