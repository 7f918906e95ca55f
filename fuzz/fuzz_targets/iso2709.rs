//! Any bytes through the ISO 2709 splitter, parser (every encoding) and writer:
//! nothing may panic.
#![no_main]

use kitap_marc::{parse, Encoding, RecordSplitter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for raw in RecordSplitter::new(data).flatten() {
        if let Ok(record) = parse(&raw, None) {
            let mut out = Vec::new();
            let _ = kitap_marc::write::write_iso2709(&record, &mut out);
        }
        for encoding in Encoding::ALL {
            let _ = parse(&raw, Some(encoding));
        }
    }
});
