//! A socket's incoming WebSocket frames, decoded with the size limit checked on the frame
//! header, before any of the payload is kept.
//!
//! actix-http's frame parser (3.20) answers "not enough data" for a frame that has not fully
//! arrived before it compares the declared length with its `max_size`, and actix-web-actors
//! keeps everything read meanwhile: a header declaring 2^40 bytes made the server hold all
//! the client streamed until the socket timed out (issue 15; the upstream report is summed up
//! in ARCHITECTURE.md). Here the declared length is read from the header as soon as the header
//! is complete, and a frame over the socket's current limit is refused (the session closes
//! with 1009) with at most one frame limit plus one read chunk buffered. Frames under the limit
//! are decoded by actix-http's own codec. The socket is read only when the session asks for
//! the next frame, so a session busy with a frame leaves the rest in the kernel's buffers.

use std::cell::Cell;
use std::io;
use std::rc::Rc;

use actix_codec::Decoder;
use actix_http::ws::{Codec, Frame, Message, ProtocolError};
use actix_web::web::BytesMut;
use bytestring::ByteString;
use futures_util::Stream;
use tokio::net::tcp::OwnedReadHalf;

/// Bytes read from a socket at a time. Allocated only once the socket is readable and
/// released once decoded, so an idle socket holds no read buffer.
const READ_CHUNK: usize = 4096;

/// The largest frame a socket accepts now: small until it authenticates, then
/// `live.max_frame_bytes`. Shared by the socket's decoder and its session, both on the
/// socket's one thread.
#[derive(Clone, Debug)]
pub struct FrameLimit(Rc<Cell<usize>>);

impl FrameLimit {
    pub fn new(bytes: usize) -> Self {
        FrameLimit(Rc::new(Cell::new(bytes)))
    }

    pub fn get(&self) -> usize {
        self.0.get()
    }

    pub fn set(&self, bytes: usize) {
        self.0.set(bytes)
    }
}

/// The payload length a client frame's header declares, once enough of the header has
/// arrived (RFC 6455 §5.2: a 7-bit length; 126 means a 16-bit length follows, 127 a 64-bit
/// one).
fn declared_len(head: &[u8]) -> Option<u64> {
    match *head.get(1)? & 0x7F {
        126 => head
            .get(2..4)
            .map(|b| u64::from(u16::from_be_bytes([b[0], b[1]]))),
        127 => head
            .get(2..10)
            .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes"))),
        n => Some(u64::from(n)),
    }
}

/// One socket's read side and what has been read of its next frame.
struct Input {
    reader: OwnedReadHalf,
    /// Always starts at a frame boundary: the codec consumes whole frames only.
    buf: BytesMut,
    codec: Codec,
    limit: FrameLimit,
}

impl Input {
    /// The next frame, reading only as much as it needs; `None` at end of file.
    async fn next_frame(&mut self) -> Option<Result<Message, ProtocolError>> {
        loop {
            match self.decode() {
                Ok(Some(message)) => return Some(Ok(message)),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
            match self.read().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e.into())),
            }
        }
    }

    /// A whole frame from the buffer, if there is one; refuses a frame whose header declares
    /// more than the limit before its payload is read.
    fn decode(&mut self) -> Result<Option<Message>, ProtocolError> {
        let limit = self.limit.get() as u64;
        if declared_len(&self.buf).is_some_and(|len| len > limit) {
            return Err(ProtocolError::Overflow);
        }
        let frame = self.codec.decode(&mut self.buf)?;
        if self.buf.is_empty() {
            self.buf = BytesMut::new(); // Release the read chunk: most sockets idle.
        }
        frame.map(message).transpose()
    }

    /// Reads what the socket has once it is readable; false at end of file.
    async fn read(&mut self) -> io::Result<bool> {
        loop {
            self.reader.readable().await?;
            self.buf.reserve(READ_CHUNK);
            match self.reader.try_read_buf(&mut self.buf) {
                Ok(n) => return Ok(n > 0),
                // Readiness can be stale (tokio clears it only on WouldBlock): give the chunk
                // back before waiting, or every idle socket would keep 4 KiB.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if self.buf.is_empty() {
                        self.buf = BytesMut::new();
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// The session's view of a decoded frame (what actix-web-actors' own decoder yields).
fn message(frame: Frame) -> Result<Message, ProtocolError> {
    Ok(match frame {
        Frame::Text(data) => Message::Text(
            ByteString::try_from(data)
                .map_err(|e| ProtocolError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))?,
        ),
        Frame::Binary(data) => Message::Binary(data),
        Frame::Ping(data) => Message::Ping(data),
        Frame::Pong(data) => Message::Pong(data),
        Frame::Close(reason) => Message::Close(reason),
        Frame::Continuation(item) => Message::Continuation(item),
    })
}

/// The frames of a socket whose handshake is answered: `first` is what was read past the
/// handshake (copied, so actix-http's larger read buffer can go). The stream ends at end of
/// file or after its first error.
pub fn incoming(
    first: &[u8],
    reader: OwnedReadHalf,
    codec: Codec,
    limit: FrameLimit,
) -> impl Stream<Item = Result<Message, ProtocolError>> {
    let input = Input {
        reader,
        buf: BytesMut::from(first),
        codec,
        limit,
    };
    futures_util::stream::unfold(Some(input), |input| async move {
        let mut input = input?;
        let item = input.next_frame().await?;
        let more = item.is_ok().then_some(input);
        Some((item, more))
    })
}

#[cfg(test)]
mod tests {
    use actix_http::ws::{Codec, Message, ProtocolError};
    use actix_web::web::BytesMut;
    use futures_util::FutureExt;
    use tokio::io::AsyncWriteExt;
    use tokio::net::{TcpListener, TcpStream};

    use super::{declared_len, FrameLimit, Input};

    /// A connected pair: the client's end, and the server's read side as an `Input`.
    async fn connected(limit: usize) -> (TcpStream, Input, tokio::net::tcp::OwnedWriteHalf) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (reader, writer) = listener.accept().await.unwrap().0.into_split();
        let codec = Codec::new().max_size(1 << 16);
        let buf = BytesMut::new();
        let limit = FrameLimit::new(limit);
        (
            client,
            Input {
                reader,
                buf,
                codec,
                limit,
            },
            writer,
        )
    }

    #[tokio::test]
    async fn a_header_over_the_limit_is_refused_before_any_payload_arrives() {
        let (mut client, mut input, _w) = connected(1024).await;
        let mut header = vec![0x81, 0xFF];
        header.extend_from_slice(&(1u64 << 40).to_be_bytes());
        header.extend_from_slice(&[0, 0, 0, 0]);
        client.write_all(&header).await.unwrap();
        let refused = input.next_frame().await;
        assert!(
            matches!(refused, Some(Err(ProtocolError::Overflow))),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn the_limit_is_the_one_set_when_the_header_is_read() {
        let (mut client, mut input, _w) = connected(300).await;
        let text = "x".repeat(400);
        let mut frame = vec![0x81, 0x80 | 126];
        frame.extend_from_slice(&400u16.to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0, 0]);
        frame.extend_from_slice(text.as_bytes());
        input.limit.set(400);
        client.write_all(&frame).await.unwrap();
        let read = input.next_frame().await;
        assert!(
            matches!(&read, Some(Ok(Message::Text(t))) if t.len() == 400),
            "{read:?}"
        );
        input.limit.set(300);
        client.write_all(&frame).await.unwrap();
        let refused = input.next_frame().await;
        assert!(
            matches!(refused, Some(Err(ProtocolError::Overflow))),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn an_idle_socket_keeps_no_read_buffer() {
        let (mut client, mut input, _w) = connected(1024).await;
        client
            .write_all(&[0x81, 0x82, 0, 0, 0, 0, b'h', b'i'])
            .await
            .unwrap();
        let read = input.next_frame().await;
        assert!(
            matches!(&read, Some(Ok(Message::Text(t))) if t == "hi"),
            "{read:?}"
        );
        // Nothing more has come: the read finds the socket's stale readiness and waits.
        assert!(input.next_frame().now_or_never().is_none());
        assert_eq!(input.buf.capacity(), 0);
    }

    #[test]
    fn the_declared_length_is_read_from_each_header_form() {
        assert_eq!(declared_len(&[0x81]), None);
        assert_eq!(declared_len(&[0x81, 0x80 | 125]), Some(125));
        assert_eq!(declared_len(&[0x81, 0x80 | 126, 0x01]), None);
        assert_eq!(declared_len(&[0x81, 0x80 | 126, 0x01, 0x00]), Some(256));
        assert_eq!(declared_len(&[0x81, 0xFF, 0, 0, 0, 1, 0, 0, 0]), None);
        let huge = [0x81, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0];
        assert_eq!(declared_len(&huge), Some(1 << 40));
    }
}
