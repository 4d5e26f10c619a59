//! The user's folder for netorigin's data: the IEEE registries `oui update` stores, the
//! history database, and the DES salt state of SNMPv3 users.

use std::ffi::OsString;
use std::path::PathBuf;

/// The user's folder for netorigin's data: `$NETORIGIN_DATA_DIR`, else
/// `$XDG_DATA_HOME/netorigin`, else `$HOME/.local/share/netorigin`.
pub fn user_data_dir() -> Option<PathBuf> {
    data_dir_from(
        std::env::var_os("NETORIGIN_DATA_DIR"),
        std::env::var_os("XDG_DATA_HOME"),
        std::env::var_os("HOME"),
    )
}

/// [`user_data_dir`] over given variables. Empty values count as unset, and a relative
/// `XDG_DATA_HOME` is ignored, as the XDG Base Directory specification asks.
fn data_dir_from(
    netorigin: Option<OsString>,
    xdg_data_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let set = |v: Option<OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(netorigin) {
        return Some(dir);
    }
    if let Some(dir) = set(xdg_data_home).filter(|d| d.is_absolute()) {
        return Some(dir.join("netorigin"));
    }
    set(home).map(|h| h.join(".local/share/netorigin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_order() {
        let os = |s: &str| Some(OsString::from(s));
        assert_eq!(
            data_dir_from(os("/d"), os("/x"), os("/h")),
            Some(PathBuf::from("/d"))
        );
        assert_eq!(
            data_dir_from(os(""), os("/x"), os("/h")),
            Some(PathBuf::from("/x/netorigin"))
        );
        assert_eq!(
            data_dir_from(None, os("relative"), os("/h")),
            Some(PathBuf::from("/h/.local/share/netorigin"))
        );
        assert_eq!(data_dir_from(None, None, None), None);
    }
}
