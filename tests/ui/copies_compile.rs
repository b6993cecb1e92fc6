// What the API does offer compiles: copies in and out. (Compiled, never
// run: running it would attach segment 0 of the host.)
use shmtool::sysv::{Attachment, Placement};

#[allow(dead_code)]
fn copies() -> std::io::Result<()> {
    let reader = Attachment::read_only(0, Placement::default())?;
    let mut buf = [0u8; 4];
    reader.copy_to(0, &mut buf)?;
    let writer = Attachment::read_write(0, Placement::default())?;
    writer.copy_from(0, &buf)?;
    writer.fill(0, 4, 0)
}

fn main() {}
