//! The two modes of the targets whose input is gzip (`bundle`, `evidence`): the first byte
//! picks. Even, the rest is the input as sent; odd, the rest is what is inside it, gzipped
//! here, so that the fuzzer works on the text or tar rather than on deflate. Not a fuzz target
//! itself (no `[[bin]]` names it).

use std::io::Write;

/// The input a target reads, or `None` for an empty one.
pub fn input(data: &[u8]) -> Option<Vec<u8>> {
    let (&mode, rest) = data.split_first()?;
    if mode % 2 == 0 {
        return Some(rest.to_vec());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(rest).ok()?;
    gz.finish().ok()
}
