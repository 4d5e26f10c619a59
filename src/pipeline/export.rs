//! `export netbox`: the devices of a stored sweep written in the CSV layouts NetBox's bulk
//! import accepts ([`crate::report::netbox`]), one file per table, into a folder.

use std::path::{Path, PathBuf};

use super::history::{SweepRef, database, stored_sweep};
use super::{Failure, other, store_failure, usage, write_failure};
use crate::record::DeviceRecord;
use crate::report::netbox::{Defaults, tables, write};
use crate::store::Store;

/// What `export netbox` wrote: the folder and each file's row count.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The folder.
    pub folder: PathBuf,
    /// Each file written and its rows, in import order.
    pub files: Vec<(&'static str, usize)>,
}

/// Writes the devices of `sweep` in the database `db` (default: the data folder's) into
/// `folder` (made if missing), as NetBox's import layouts.
pub fn netbox(
    db: Option<PathBuf>,
    sweep: SweepRef,
    folder: &Path,
    defaults: &Defaults,
) -> Result<Exported, Failure> {
    let store = Store::open_existing(&database(db)?).map_err(store_failure)?;
    let row = stored_sweep(&store, sweep)?;
    let devices: Vec<DeviceRecord> = store
        .devices(row.id)
        .map_err(other)?
        .into_iter()
        .map(|d| d.record)
        .collect();
    std::fs::create_dir_all(folder)
        .map_err(|e| usage(format!("{}: cannot make the folder: {e}", folder.display())))?;
    let mut files = Vec::new();
    for table in tables(&devices, defaults) {
        let path = folder.join(table.file);
        let file = std::fs::File::create(&path)
            .map_err(|e| usage(format!("{}: cannot write: {e}", path.display())))?;
        write(&table, std::io::BufWriter::new(file)).map_err(write_failure)?;
        files.push((table.file, table.rows.len()));
    }
    Ok(Exported {
        folder: folder.to_path_buf(),
        files,
    })
}
