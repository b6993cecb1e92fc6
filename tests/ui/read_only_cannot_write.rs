// A read-only attachment has no way to write the segment.
use shmtool::sysv::{Attachment, Placement};

fn main() {
    let attachment = Attachment::read_only(0, Placement::default()).unwrap();
    attachment.copy_from(0, b"x").unwrap();
    attachment.fill(0, 1, 0).unwrap();
}
