//! Any bytes through the MARCXML reader: nothing may panic.
#![no_main]

use kitap_marc::xml::MarcXmlReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for record in MarcXmlReader::new(data).take(1000) {
        let _ = record;
    }
});
