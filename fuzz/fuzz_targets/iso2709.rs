//! Any bytes through the ISO 2709 splitter, parser (every encoding) and writer:
//! nothing may panic. The zero-copy view must agree with `parse`: same
//! success, and the same fields when decoded one by one (which takes the
//! per-field path rather than the whole-record shortcuts `parse` uses).
#![no_main]

use kitap_marc::{parse, parse_view, Encoding, RecordSplitter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for raw in RecordSplitter::new(data).flatten() {
        let parsed = parse(&raw, None);
        if let Ok(record) = &parsed {
            let mut out = Vec::new();
            let _ = kitap_marc::write::write_iso2709(record, &mut out);
        }
        for encoding in Encoding::ALL {
            let _ = parse(&raw, Some(encoding));
        }
        let view = parse_view(&raw.bytes);
        assert_eq!(view.is_ok(), parsed.is_ok());
        let (Ok(view), Ok(record)) = (view, parsed) else {
            continue;
        };
        let fields: Vec<_> = view
            .fields()
            .iter()
            .filter_map(|f| f.to_field(record.encoding, record.dialect))
            .collect();
        assert_eq!(fields, record.fields);
        for f in view.fields() {
            let _ = f.indicators();
            for encoding in Encoding::ALL {
                let _ = f.decode(encoding);
                for s in f.subfields() {
                    let _ = s.decode(encoding);
                }
            }
        }
    }
});
