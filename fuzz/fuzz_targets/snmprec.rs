//! `.snmprec` recordings (files from anywhere, saved walks), through the lenient reader that
//! `identify`, `simulate` and `demo` use and the strict one of `--strict`: neither panics; the
//! lenient one reads anything, and the two agree (the strict one refuses exactly when the
//! lenient one left a line out, and otherwise reads the same objects); what is read writes back
//! to text that the strict reader loads to the same objects.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::simulate::Recording;
use netorigin::wire::snmprec::write_snmprec;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.snmprec");
    let lenient = Recording::parse(path, data).expect("the lenient reader reads anything");
    match Recording::parse_strict(path, data) {
        Ok(strict) => {
            assert!(lenient.skipped.is_empty());
            assert_eq!(strict.objects, lenient.objects);
        }
        Err(e) => {
            let first = &lenient.skipped[0];
            assert!(
                e.to_string()
                    .starts_with(&format!("fuzz.snmprec:{}: ", first.line))
            );
        }
    }
    let summary = lenient.skipped_summary();
    assert!(summary.len() <= netorigin::simulate::recording::SKIPPED_SHOWN + 1);
    let text = write_snmprec(&lenient.objects);
    let again = Recording::parse_strict(path, text.as_bytes()).expect("written recording loads");
    let kept: Vec<_> = lenient
        .objects
        .iter()
        .filter(|vb| !vb.value.is_exception())
        .cloned()
        .collect();
    assert_eq!(again.objects, kept);
});
