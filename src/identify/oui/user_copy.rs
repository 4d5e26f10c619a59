//! The user's copy of the registries: `netorigin oui update` checks fresher IEEE files and
//! stores them in the data folder, and [`OuiRegistry::active`] reads them back.

use std::path::{Path, PathBuf};

use super::{OuiError, OuiRegistry, USER_FOLDER};
use crate::data_dir::user_data_dir;

/// Checks IEEE registry CSVs and stores them in [`user_data_dir`]`/oui/` in place of any
/// earlier update, with a `SOURCE` naming them and the day. Returns how many assignments they
/// hold and the folder.
pub fn update_from(paths: &[PathBuf]) -> Result<(usize, PathBuf), OuiError> {
    update_into(&user_data_dir().ok_or(OuiError::NoDataDir)?, paths)
}

/// [`update_from`] into the data folder `base`.
pub(super) fn update_into(base: &Path, paths: &[PathBuf]) -> Result<(usize, PathBuf), OuiError> {
    let texts = read_texts(paths)?;
    let mut registry = OuiRegistry::from_csv_texts(&[])?;
    let mut stored: Vec<(String, &str, usize)> = Vec::new();
    for (path, text) in &texts {
        let rows = registry.add_csv(&path.display().to_string(), text)?;
        let name = stored_name(path);
        if stored.iter().any(|(n, _, _)| *n == name) {
            return Err(OuiError::SameName { name });
        }
        stored.push((name, text, rows));
    }
    if registry.is_empty() {
        let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(OuiError::Empty {
            files: files.join(", "),
        });
    }

    let folder = base.join(USER_FOLDER);
    let write = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OuiError::Write { path, source }
    };
    std::fs::create_dir_all(base).map_err(write(base))?;
    // Fill a fresh folder beside the old one, then swap, so a failed update leaves the
    // previous copy whole.
    let pid = std::process::id();
    let staging = base.join(format!("{USER_FOLDER}.new-{pid}"));
    let retired = base.join(format!("{USER_FOLDER}.old-{pid}"));
    let fill = || -> Result<(), OuiError> {
        std::fs::create_dir_all(&staging).map_err(write(&staging))?;
        let today = today();
        let mut source = format!(
            "date: {today}\nIEEE registry CSVs stored by `netorigin oui update` on {today} from:\n"
        );
        for ((name, text, rows), (path, _)) in stored.iter().zip(&texts) {
            let target = staging.join(name);
            std::fs::write(&target, text).map_err(write(&target))?;
            source.push_str(&format!("  {} -> {name} ({rows} rows)\n", path.display()));
        }
        let target = staging.join("SOURCE");
        std::fs::write(&target, source).map_err(write(&target))
    };
    if let Err(e) = fill() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_copy = folder.exists();
    if had_copy {
        std::fs::rename(&folder, &retired).map_err(write(&folder))?;
    }
    if let Err(source) = std::fs::rename(&staging, &folder) {
        if had_copy {
            let _ = std::fs::rename(&retired, &folder);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(OuiError::Write {
            path: folder,
            source,
        });
    }
    if had_copy {
        std::fs::remove_dir_all(&retired).map_err(write(&retired))?;
    }
    registry.date = today();
    Ok((registry.len(), folder))
}

/// The name a given file is stored under: its own, with `.csv` added if it lacks it (the
/// folder is read by that extension).
fn stored_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "registry".into(), |n| n.to_string_lossy().into_owned());
    if name.to_ascii_lowercase().ends_with(".csv") {
        name
    } else {
        format!("{name}.csv")
    }
}

/// Reads files as UTF-8 text; invalid UTF-8 is a malformed line.
pub(super) fn read_texts(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, OuiError> {
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|source| OuiError::Read {
                path: path.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                OuiError::Malformed {
                    file: path.display().to_string(),
                    line: 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64,
                    reason: "not UTF-8 text: expected IEEE's CSV, which is UTF-8".into(),
                }
            })?;
            Ok((path.clone(), text))
        })
        .collect()
}

/// The user's copy in `folder`, if there is one: every `*.csv` there, dated by its `SOURCE`.
pub(super) fn load_user_copy(folder: &Path) -> Result<Option<OuiRegistry>, OuiError> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(OuiError::Read {
                path: folder.to_path_buf(),
                source,
            });
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| OuiError::Read {
                path: folder.to_path_buf(),
                source,
            })?
            .path();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Ok(None);
    }
    paths.sort();
    let mut registry = OuiRegistry::load_files(&paths)?;
    let source = std::fs::read_to_string(folder.join("SOURCE")).unwrap_or_default();
    registry.date = source_date(&source).unwrap_or("unknown").to_string();
    Ok(Some(registry))
}

/// The date on the first line of a `SOURCE` file, `date: 2026-06`.
pub(super) fn source_date(source: &str) -> Option<&str> {
    let date = source.lines().next()?.strip_prefix("date:")?.trim();
    (!date.is_empty()).then_some(date)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub(super) fn today() -> String {
    crate::date::Date::today().to_string()
}
