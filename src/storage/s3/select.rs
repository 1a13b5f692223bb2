//! SelectObjectContent (S3 Select): the request document (written with quick-xml's
//! writer, so every value is escaped) and the response, an AWS event stream decoded
//! frame by frame with AWS's own `aws-smithy-eventstream` decoder (prelude and message
//! CRC-32 checked by it). Events come out as they arrive, so records can be printed
//! while the server is still scanning.

use bytes::{Buf, Bytes, BytesMut};
use http::Method;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::{HeaderValue, Message};

use super::object::version_query;
use super::request::{Body, Request, put_header};
use super::transport::READ_TIMEOUT;
use super::{S3Client, error, xml};
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// Input format of the queried object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectInput {
    /// JSON; `document` true for one JSON document, false for JSON lines.
    Json {
        /// DOCUMENT rather than LINES.
        document: bool,
    },
    /// CSV.
    Csv {
        /// Field delimiter (already unescaped).
        delimiter: String,
        /// FileHeaderInfo: USE, IGNORE or NONE.
        header: String,
    },
    /// Parquet.
    Parquet,
}

/// Output format of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectOutput {
    /// JSON lines.
    Json,
    /// CSV (delimiter: the input's for CSV input, `,` otherwise).
    Csv,
}

/// A SelectObjectContent request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectRequest {
    /// The SQL expression.
    pub expression: String,
    /// Input serialization.
    pub input: SelectInput,
    /// `GZIP`, `BZIP2` or `NONE` (JSON and CSV only).
    pub compression: Option<String>,
    /// Output serialization.
    pub output: SelectOutput,
}

/// One decoded event of the response stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectEvent {
    /// A piece of the result (record boundaries are not guaranteed).
    Records(Bytes),
    /// Scan statistics.
    Stats {
        /// BytesScanned.
        scanned: u64,
        /// BytesProcessed.
        processed: u64,
        /// BytesReturned.
        returned: u64,
    },
    /// Progress, Cont (keep-alive) and unknown events.
    Other(String),
    /// The query completed: the last event.
    End,
}

/// Builds the request document.
pub fn request_xml(req: &SelectRequest) -> Vec<u8> {
    let mut w = Writer::new(Vec::with_capacity(512));
    let start = BytesStart::new("SelectObjectContentRequest")
        .with_attributes([("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")]);
    let _ = w.write_event(Event::Start(start));
    text(&mut w, "Expression", &req.expression);
    text(&mut w, "ExpressionType", "SQL");
    open(&mut w, "InputSerialization");
    if let Some(c) = &req.compression
        && req.input != SelectInput::Parquet
    {
        text(&mut w, "CompressionType", c);
    }
    match &req.input {
        SelectInput::Json { document } => {
            open(&mut w, "JSON");
            text(&mut w, "Type", if *document { "DOCUMENT" } else { "LINES" });
            close(&mut w, "JSON");
        }
        SelectInput::Csv { delimiter, header } => {
            open(&mut w, "CSV");
            text(&mut w, "FileHeaderInfo", header);
            text(&mut w, "FieldDelimiter", delimiter);
            close(&mut w, "CSV");
        }
        SelectInput::Parquet => {
            let _ = w.write_event(Event::Empty(BytesStart::new("Parquet")));
        }
    }
    close(&mut w, "InputSerialization");
    open(&mut w, "OutputSerialization");
    match req.output {
        SelectOutput::Json => {
            open(&mut w, "JSON");
            text(&mut w, "RecordDelimiter", "\n");
            close(&mut w, "JSON");
        }
        SelectOutput::Csv => {
            let delimiter = match &req.input {
                SelectInput::Csv { delimiter, .. } => delimiter.as_str(),
                _ => ",",
            };
            open(&mut w, "CSV");
            text(&mut w, "FieldDelimiter", delimiter);
            text(&mut w, "RecordDelimiter", "\n");
            close(&mut w, "CSV");
        }
    }
    close(&mut w, "OutputSerialization");
    close(&mut w, "SelectObjectContentRequest");
    w.into_inner()
}

fn open(w: &mut Writer<Vec<u8>>, name: &str) {
    let _ = w.write_event(Event::Start(BytesStart::new(name)));
}

fn close(w: &mut Writer<Vec<u8>>, name: &str) {
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) {
    open(w, name);
    let _ = w.write_event(Event::Text(BytesText::new(value)));
    close(w, name);
}

/// Decodes an event stream from bytes as they arrive.
#[derive(Debug, Default)]
pub struct EventDecoder {
    frames: MessageFrameDecoder,
    buf: BytesMut,
    ended: bool,
}

impl EventDecoder {
    /// A decoder with an empty buffer.
    pub fn new() -> EventDecoder {
        EventDecoder::default()
    }

    /// Adds received bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next complete event, `Ok(None)` when more bytes are needed. An `error`
    /// message becomes a `StorageError` with the service's code and message.
    pub fn next_event(&mut self) -> Result<Option<SelectEvent>, StorageError> {
        match self.frames.decode_frame(&mut self.buf) {
            Ok(DecodedFrame::Incomplete) => Ok(None),
            Ok(DecodedFrame::Complete(message)) => {
                let event = to_event(&message)?;
                if event == SelectEvent::End {
                    self.ended = true;
                }
                Ok(Some(event))
            }
            Err(e) => Err(StorageError::new(
                ErrorKind::InvalidResponse,
                format!("invalid event stream from S3 Select: {e}"),
            )),
        }
    }

    /// True once the End event was decoded.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Bytes received but not yet decoded.
    pub fn pending(&self) -> usize {
        self.buf.remaining()
    }
}

fn header<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            HeaderValue::String(s) => Some(s.as_str()),
            _ => None,
        })
}

fn to_event(message: &Message) -> Result<SelectEvent, StorageError> {
    match header(message, ":message-type") {
        Some("event") => {}
        Some("error") | Some("exception") => {
            let code = header(message, ":error-code")
                .or_else(|| header(message, ":exception-type"))
                .unwrap_or("SelectError");
            let text = header(message, ":error-message")
                .map(str::to_owned)
                .unwrap_or_else(|| String::from_utf8_lossy(message.payload()).into_owned());
            let mut e = StorageError::new(error::kind_for(code, 400), text);
            e.code = Some(code.to_owned());
            return Err(e);
        }
        other => {
            return Err(StorageError::new(
                ErrorKind::InvalidResponse,
                format!("S3 Select event with message type {other:?}"),
            ));
        }
    }
    Ok(match header(message, ":event-type") {
        Some("Records") => SelectEvent::Records(message.payload().clone()),
        Some("Stats") => {
            let root = xml::parse(message.payload())?;
            let num = |n: &str| {
                root.text_of(n)
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0)
            };
            SelectEvent::Stats {
                scanned: num("BytesScanned"),
                processed: num("BytesProcessed"),
                returned: num("BytesReturned"),
            }
        }
        Some("End") => SelectEvent::End,
        Some(other) => SelectEvent::Other(other.to_owned()),
        None => SelectEvent::Other(String::new()),
    })
}

/// The streamed response of a SelectObjectContent request.
pub struct SelectStream {
    body: Option<Incoming>,
    decoder: EventDecoder,
}

impl SelectStream {
    /// The next event; `None` after End. A stream that stops before End is an error.
    pub async fn next_event(&mut self) -> Option<Result<SelectEvent, StorageError>> {
        loop {
            if self.decoder.ended() {
                return None;
            }
            match self.decoder.next_event() {
                Ok(Some(e)) => return Some(Ok(e)),
                Ok(None) => {}
                Err(e) => {
                    self.body = None;
                    self.decoder.ended = true;
                    return Some(Err(e));
                }
            }
            let Some(body) = self.body.as_mut() else {
                self.decoder.ended = true;
                return Some(Err(StorageError::new(
                    ErrorKind::Network,
                    "S3 Select response ended before its End event",
                )));
            };
            match tokio::time::timeout(READ_TIMEOUT, body.frame()).await {
                Err(_) => {
                    self.body = None;
                    return Some(Err(error::timeout("reading S3 Select results")));
                }
                Ok(Some(Err(e))) => {
                    self.body = None;
                    return Some(Err(error::transport(&e)));
                }
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.decoder.push(&data);
                    }
                }
                Ok(None) => self.body = None,
            }
        }
    }
}

impl S3Client {
    /// SelectObjectContent on one object (optionally one version).
    pub async fn select_object_content(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        request: &SelectRequest,
    ) -> Result<SelectStream, StorageError> {
        let mut query = String::from("select&select-type=2");
        let version = version_query(version_id);
        if !version.is_empty() {
            query.push('&');
            query.push_str(&version);
        }
        let body = Bytes::from(request_xml(request));
        let mut req = Request::new(Method::POST, Some(bucket), Some(key))
            .query(&query)
            .body(Body::Signed(body));
        put_header(&mut req.headers, "content-type", "application/xml");
        req.read_body = false;
        let resp = self.send(&req).await?;
        Ok(SelectStream {
            body: resp.stream,
            decoder: EventDecoder::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_eventstream::frame::write_message_to;
    use aws_smithy_types::event_stream::Header;

    fn frame(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
        let mut m = Message::new(Bytes::copy_from_slice(payload));
        for (k, v) in headers {
            m = m.add_header(Header::new(
                k.to_string(),
                HeaderValue::String(v.to_string().into()),
            ));
        }
        let mut out = Vec::new();
        write_message_to(&m, &mut out).unwrap();
        out
    }

    fn event(kind: &str, payload: &[u8]) -> Vec<u8> {
        frame(
            &[(":message-type", "event"), (":event-type", kind)],
            payload,
        )
    }

    #[test]
    fn decodes_records_stats_end_across_split_reads() {
        let mut wire = event("Records", b"{\"a\":1}\n{\"a\"");
        wire.extend(event("Records", b":2}\n"));
        wire.extend(event("Cont", b""));
        wire.extend(event(
            "Stats",
            b"<Stats><BytesScanned>10</BytesScanned><BytesProcessed>9</BytesProcessed><BytesReturned>8</BytesReturned></Stats>",
        ));
        wire.extend(event("End", b""));
        let mut d = EventDecoder::new();
        let mut events = Vec::new();
        // One byte at a time: frames must survive any split.
        for b in &wire {
            d.push(&[*b]);
            while let Some(e) = d.next_event().unwrap() {
                events.push(e);
            }
        }
        assert_eq!(
            events,
            vec![
                SelectEvent::Records(Bytes::from_static(b"{\"a\":1}\n{\"a\"")),
                SelectEvent::Records(Bytes::from_static(b":2}\n")),
                SelectEvent::Other("Cont".into()),
                SelectEvent::Stats {
                    scanned: 10,
                    processed: 9,
                    returned: 8
                },
                SelectEvent::End,
            ]
        );
        assert!(d.ended());
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn error_events_and_corruption_are_errors() {
        let mut d = EventDecoder::new();
        d.push(&frame(
            &[
                (":message-type", "error"),
                (":error-code", "InvalidQuery"),
                (":error-message", "bad SQL"),
            ],
            b"",
        ));
        let e = d.next_event().unwrap_err();
        assert_eq!(e.code.as_deref(), Some("InvalidQuery"));
        assert_eq!(e.message, "bad SQL");

        let mut wire = event("Records", b"hello\n");
        let n = wire.len();
        wire[n - 6] ^= 0xff; // flip a payload byte: the message CRC no longer matches
        let mut d = EventDecoder::new();
        d.push(&wire);
        let e = d.next_event().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
    }

    #[test]
    fn request_document() {
        let req = SelectRequest {
            expression: "select * from s3object s where s.a < 3 and s.b = 'x&y'".into(),
            input: SelectInput::Csv {
                delimiter: "\t".into(),
                header: "USE".into(),
            },
            compression: Some("GZIP".into()),
            output: SelectOutput::Csv,
        };
        let doc = String::from_utf8(request_xml(&req)).unwrap();
        assert!(doc.starts_with(
            r#"<SelectObjectContentRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
        ));
        assert!(doc.contains("<Expression>select * from s3object s where s.a &lt; 3 and s.b = &apos;x&amp;y&apos;</Expression>"), "{doc}");
        assert!(doc.contains("<InputSerialization><CompressionType>GZIP</CompressionType><CSV><FileHeaderInfo>USE</FileHeaderInfo><FieldDelimiter>\t</FieldDelimiter></CSV></InputSerialization>"), "{doc}");
        assert!(
            doc.contains("<OutputSerialization><CSV><FieldDelimiter>\t</FieldDelimiter>"),
            "{doc}"
        );
        let json = SelectRequest {
            expression: "select * from s3object".into(),
            input: SelectInput::Json { document: false },
            compression: None,
            output: SelectOutput::Csv,
        };
        let doc = String::from_utf8(request_xml(&json)).unwrap();
        assert!(doc.contains("<JSON><Type>LINES</Type></JSON>"), "{doc}");
        assert!(
            doc.contains("<CSV><FieldDelimiter>,</FieldDelimiter>"),
            "{doc}"
        );
        let parquet = SelectRequest {
            input: SelectInput::Parquet,
            output: SelectOutput::Json,
            compression: Some("GZIP".into()),
            ..json
        };
        let doc = String::from_utf8(request_xml(&parquet)).unwrap();
        assert!(
            doc.contains("<InputSerialization><Parquet/></InputSerialization>"),
            "{doc}"
        );
    }
}
