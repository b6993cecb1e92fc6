//! Every parser of user input, arbitrary text: never a panic, and every
//! accepted value prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shmtool::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(key) = parse::key(text) {
        assert_eq!(parse::key(&key.to_string()), Ok(key));
    }
    let _ = parse::create_key(text);
    if let Ok(size) = parse::size(text) {
        assert_eq!(parse::size(&size.to_string()), Ok(size));
    }
    if let Ok(n) = parse::byte_count(text) {
        assert_eq!(parse::byte_count(&n.to_string()), Ok(n));
    }
    if let Ok(mode) = parse::mode(text) {
        assert_eq!(parse::mode(&format!("{mode:o}")), Ok(mode));
    }
    if let Ok(secs) = parse::duration(text) {
        assert_eq!(parse::duration(&format!("{secs}s")), Ok(secs));
    }
    if let Ok(id) = parse::shmid(text) {
        assert_eq!(parse::shmid(&id.to_string()), Ok(id));
    }
    if let Ok(addr) = parse::address(text) {
        assert_eq!(parse::address(&format!("{addr:#x}")), Ok(addr));
    }
    if let Ok(b) = parse::byte(text) {
        assert_eq!(parse::byte(&b.to_string()), Ok(b));
    }
    let _ = parse::owner_group(text);
    let _ = text.parse::<shmtool::field::Field>();
});
