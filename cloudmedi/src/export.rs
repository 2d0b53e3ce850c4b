//! `cloudmedi export`: the ledger as JSON Lines, one entry per line, with exactly the stored fields,
//! in position order. docs/ledger-format.md says how to verify it without CloudMedi.

use crate::datadir::{open_storage_as_found, DataDir};
use crate::{progress, Location, Outcome};
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Entries read from the database at a time.
const PAGE: u32 = 8_192;

#[derive(Args)]
pub struct ExportArgs {
    /// Where to write (standard output when absent or `-`). An existing file is not overwritten.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub async fn run(location: &Location, args: ExportArgs) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    if location.database_url.is_none() {
        dir.require_initialised()?;
    }
    let storage = open_storage_as_found(location, &dir).await?;
    let total = storage.head().await.context("cannot read the ledger")?.position;
    let to_file = args.output.as_ref().filter(|path| path.as_os_str() != "-");
    let mut out: Box<dyn Write> = match to_file {
        Some(path) => {
            // An export holds every patient's data: readable by its owner only, like the data directory.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
            Box::new(std::io::BufWriter::with_capacity(1 << 20, file))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let bar = progress::entries(Some(total), "exporting");
    let mut after = 0;
    let mut written = 0u64;
    // On standard output, a reader that stops early (`| head`) ends the export quietly: there is no
    // one left to write for. A file that cannot be written is an error.
    let finished = async {
        loop {
            let page = storage.read_all(after, PAGE).await.context("cannot read the ledger")?;
            let Some(last) = page.last() else { break };
            after = last.position;
            for entry in &page {
                serde_json::to_writer(&mut out, entry).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
            written += page.len() as u64;
            bar.set_position(written);
        }
        out.flush()?;
        anyhow::Ok(())
    }
    .await;
    bar.finish_and_clear();
    if let Err(error) = finished {
        match error.downcast::<std::io::Error>() {
            Ok(error) if to_file.is_none() => {
                crate::output::failed(error);
                return Ok(Outcome::Success);
            }
            Ok(error) => return Err(anyhow::Error::from(error).context("cannot write the export")),
            Err(error) => return Err(error),
        }
    }
    if let Some(path) = to_file {
        errln!("exported {written} entries to {}", path.display());
    }
    Ok(Outcome::Success)
}
