//! Splitting an ISO 2709 byte stream into records.
//!
//! Records are cut at the record terminator 0x1D, never by the leader's
//! record length: one wrong length (counted in characters, an inserted
//! newline, a lossy transcoding) makes length-driven readers lose sync for
//! the rest of the file, while the terminator survives all of those.

use std::io::{ErrorKind, Read};

use super::RecordError;

/// Record terminator.
pub const RT: u8 = 0x1D;
/// Default cap for one record; ISO 2709 allows 99 999 bytes, real exports
/// exceed that (a 214 KB BNE record), so the cap is generous but finite.
pub const DEFAULT_MAX_RECORD: usize = 1024 * 1024;
/// An unterminated tail shorter than a leader cannot be a record.
const LEADER_LEN: usize = 24;
const CHUNK: usize = 64 * 1024;

/// The bytes of one record as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// 0-based position of the record in the file.
    pub index: usize,
    /// Byte offset of its first byte (after any skipped junk).
    pub offset: u64,
    /// The record's bytes, including the final 0x1D when present.
    pub bytes: Vec<u8>,
}

/// Streams records out of any reader in constant memory.
pub struct RecordSplitter<R: Read> {
    reader: R,
    /// Storage, initialised in full; only `buf[..len]` holds input.
    buf: Vec<u8>,
    len: usize,
    pos: usize,
    /// Absolute offset of `buf[0]`.
    buf_offset: u64,
    eof: bool,
    index: usize,
    max_record: usize,
    junk_bytes: u64,
    failed: bool,
}

/// Bytes found between records by real exporters: line breaks, padding,
/// NUL filler and the DOS end-of-file mark 0x1A.
fn is_junk(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x00 | 0x1A)
}

impl<R: Read> RecordSplitter<R> {
    pub fn new(reader: R) -> Self {
        Self::with_max_record(reader, DEFAULT_MAX_RECORD)
    }

    /// Like [`RecordSplitter::new`] with another per-record size cap.
    pub fn with_max_record(reader: R, max_record: usize) -> Self {
        RecordSplitter {
            reader,
            buf: Vec::new(),
            len: 0,
            pos: 0,
            buf_offset: 0,
            eof: false,
            index: 0,
            max_record: max_record.max(LEADER_LEN),
            junk_bytes: 0,
            failed: false,
        }
    }

    /// Junk bytes skipped so far (between records and an unusable tail).
    pub fn junk_bytes(&self) -> u64 {
        self.junk_bytes
    }

    /// The input read and not yet dropped.
    fn filled(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// Drops consumed bytes and reads one more chunk; false at end of input.
    fn fill(&mut self) -> Result<bool, std::io::Error> {
        if self.pos > 0 {
            let pos = self.pos.min(self.len);
            self.buf.copy_within(pos..self.len, 0);
            self.len -= pos;
            self.buf_offset = self.buf_offset.saturating_add(pos as u64);
            self.pos = 0;
        }
        if self.eof {
            return Ok(false);
        }
        let start = self.len;
        // Zeroing the storage again for every chunk cost as much as
        // finding the record terminators; it only grows for long records.
        if self.buf.len() < start + CHUNK {
            self.buf.resize(start + CHUNK, 0);
        }
        loop {
            let dest = self.buf.get_mut(start..start + CHUNK).unwrap_or_default();
            match self.reader.read(dest) {
                Ok(n) => {
                    self.len = start + n.min(CHUNK);
                    self.eof = n == 0;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Skips junk before the next record; false when the input is exhausted.
    fn skip_junk(&mut self) -> Result<bool, std::io::Error> {
        loop {
            let rest = self.filled().get(self.pos..).unwrap_or_default();
            let n = rest.iter().take_while(|&&b| is_junk(b)).count();
            self.pos += n;
            self.junk_bytes += n as u64;
            if self.pos < self.len {
                return Ok(true);
            }
            if !self.fill()? {
                return Ok(false);
            }
        }
    }

    /// Discards bytes up to and including the next terminator (resync after
    /// an oversized record) without holding them in memory.
    fn discard_through_terminator(&mut self) -> Result<(), std::io::Error> {
        loop {
            let rest = self.filled().get(self.pos..).unwrap_or_default();
            if let Some(i) = super::bytes::find(rest, RT) {
                self.pos += i + 1;
                return Ok(());
            }
            self.pos = self.len;
            if !self.fill()? {
                return Ok(());
            }
        }
    }

    fn next_record(&mut self) -> Option<Result<RawRecord, RecordError>> {
        match self.skip_junk() {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => return Some(Err(self.io_error(e))),
        }
        let mut start = self.pos;
        let mut scanned = start;
        loop {
            let rest = self.filled().get(scanned..).unwrap_or_default();
            if let Some(i) = super::bytes::find(rest, RT) {
                return Some(self.take(start, scanned + i + 1));
            }
            scanned = self.len;
            if scanned - start > self.max_record {
                return Some(self.oversized(start));
            }
            // fill() drops everything before self.pos (== start), so the
            // record then begins at 0 of the buffer.
            let dropped = self.pos;
            let more = match self.fill() {
                Ok(more) => more,
                Err(e) => return Some(Err(self.io_error(e))),
            };
            scanned -= dropped;
            start = 0;
            if !more {
                return self.tail(start);
            }
        }
    }

    fn take(&mut self, start: usize, end: usize) -> Result<RawRecord, RecordError> {
        let bytes = self.filled().get(start..end).unwrap_or_default().to_vec();
        if bytes.len() > self.max_record {
            return self.oversized_taken(start, end);
        }
        let rec = RawRecord {
            index: self.index,
            offset: self.buf_offset + start as u64,
            bytes,
        };
        self.index += 1;
        self.pos = end;
        Ok(rec)
    }

    fn oversized_taken(&mut self, start: usize, end: usize) -> Result<RawRecord, RecordError> {
        let err = self.oversized_error(start);
        self.pos = end;
        Err(err)
    }

    fn oversized(&mut self, start: usize) -> Result<RawRecord, RecordError> {
        let err = self.oversized_error(start);
        self.pos = self.len;
        if let Err(e) = self.discard_through_terminator() {
            return Err(self.io_error(e));
        }
        Err(err)
    }

    fn oversized_error(&mut self, start: usize) -> RecordError {
        let err = RecordError::new(
            super::ErrorKind::Oversized,
            format!(
                "record {} at byte {} is longer than {} bytes without a record terminator (0x1D)",
                self.index,
                self.buf_offset + start as u64,
                self.max_record
            ),
        )
        .at(self.index);
        self.index += 1;
        err
    }

    /// The unterminated end of the input: a truncated record if it can hold
    /// a leader, otherwise junk (a stray digit, an EOF mark).
    fn tail(&mut self, start: usize) -> Option<Result<RawRecord, RecordError>> {
        let bytes = self.filled().get(start..).unwrap_or_default();
        let len = bytes.len();
        if len < LEADER_LEN {
            self.junk_bytes += len as u64;
            self.pos = self.len;
            return None;
        }
        let rec = RawRecord {
            index: self.index,
            offset: self.buf_offset + start as u64,
            bytes: bytes.to_vec(),
        };
        self.index += 1;
        self.pos = self.len;
        Some(Ok(rec))
    }

    fn io_error(&mut self, e: std::io::Error) -> RecordError {
        self.failed = true;
        RecordError::new(super::ErrorKind::Io, format!("read error: {e}")).at(self.index)
    }
}

impl<R: Read> Iterator for RecordSplitter<R> {
    type Item = Result<RawRecord, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        // An IO error is reported once; retrying a broken reader could loop.
        if self.failed {
            return None;
        }
        self.next_record()
    }
}
