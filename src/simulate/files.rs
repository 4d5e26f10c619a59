//! Recordings named on a command line: files as given, folders as their `.snmprec` files, each
//! file read once however often it is named.

use std::path::PathBuf;
use std::sync::Arc;

use super::recording::BadLines;
use super::{Recording, RecordingError};

/// The recording files named by `paths`: files as given, folders as their `.snmprec` files
/// sorted by name.
pub fn recording_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, RecordingError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|source| RecordingError::Io {
                    path: p.clone(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "snmprec"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Loads recordings from files and folders (a folder's `.snmprec` files, sorted by name).
pub fn load_recordings(
    paths: &[PathBuf],
    bad_lines: BadLines,
) -> Result<Vec<Recording>, RecordingError> {
    recording_files(paths)?
        .iter()
        .map(|f| Recording::load_with(f, bad_lines))
        .collect()
}

/// Loads recordings for agents: a file named more than once (or through links to it) is read
/// once and its recording shared by every agent serving it, so that a large simulated segment
/// cycled from a corpus costs the corpus's memory, not the segment's. Each entry keeps the path
/// it was named by.
pub fn load_shared_recordings(
    paths: &[PathBuf],
    bad_lines: BadLines,
) -> Result<Vec<(PathBuf, Arc<Recording>)>, RecordingError> {
    let mut loaded: std::collections::HashMap<PathBuf, Arc<Recording>> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for f in recording_files(paths)? {
        let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
        let r = match loaded.get(&key) {
            Some(r) => r.clone(),
            None => {
                let r = Arc::new(Recording::load_with(&f, bad_lines)?);
                loaded.insert(key, r.clone());
                r
            }
        };
        out.push((f, r));
    }
    Ok(out)
}
