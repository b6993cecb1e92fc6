// No safe method hands out a reference into the shared memory: the slice
// accessors of old are gone, so bytes come out only by copying.
use shmtool::sysv::{Attachment, Placement};

fn main() {
    let attachment = Attachment::read_only(0, Placement::default()).unwrap();
    let _: &[u8] = attachment.bytes();
    let mut writable = Attachment::read_write(0, Placement::default()).unwrap();
    let _: &mut [u8] = writable.bytes_mut();
}
