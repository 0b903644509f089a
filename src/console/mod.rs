//! (being built)
use crate::clock::SharedClock;
use std::path::Path;

pub fn run(_path: &Path, _clock: SharedClock) -> anyhow::Result<()> {
    anyhow::bail!("this console is not built yet")
}
