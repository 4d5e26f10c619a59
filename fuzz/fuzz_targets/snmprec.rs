//! `.snmprec` recordings (files from anywhere, saved walks): loading never panics, and what
//! loads writes back to text that loads to the same objects.
#![no_main]
use libfuzzer_sys::fuzz_target;
use netorigin::simulate::Recording;
use netorigin::simulate::recording::write_snmprec;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.snmprec");
    if let Ok(r) = Recording::parse(path, data) {
        let text = write_snmprec(&r.objects);
        let again = Recording::parse(path, text.as_bytes()).expect("written recording loads");
        let kept: Vec<_> = r.objects.iter().filter(|vb| !vb.value.is_exception() && !matches!(vb.value, netorigin::wire::Value::Unknown(..))).cloned().collect();
        assert_eq!(again.objects, kept);
    }
});
