//! The layers of `src/` (issue 17): no module imports from a layer above its own, and no two
//! top-level modules import each other, even through others. The order is written once, in
//! ARCHITECTURE.md's fenced `layers` block, which this test reads; test code counts too.
//!
//! A path is read as plain text: every `crate::NAME` (and `crate::{NAME::..., ...}`) in a file
//! of `src/`, outside `//` comments, is an arrow from the file's top-level module to `NAME`;
//! `main.rs` reaches the library as `netorigin::NAME`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Arrows that run up a layer on purpose: (file, module it imports, why). Keep it short; the
/// cycle check leaves them out.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// The layers, lowest first: each a list of top-level modules.
fn layers() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let block = text
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    let mut layers: Vec<Vec<String>> = block
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .filter(|layer: &Vec<String>| !layer.is_empty())
        .collect();
    // The block is written top first, as the house stands.
    layers.reverse();
    layers
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to: its folder, or its own name.
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a path");
    let first = first.as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The top-level modules `text` names after `prefix` (`crate::`, `netorigin::`).
fn imports(text: &str, prefix: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                    _ if depth == 1 => item.push(c),
                    _ => {}
                }
                if depth == 0 {
                    items.push(item);
                    break;
                }
            }
            for item in items {
                found.insert(first_name(item.trim()));
            }
        } else {
            found.insert(first_name(rest));
        }
    }
    found.retain(|name| !name.is_empty() && name != "self");
    found
}

fn first_name(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every arrow of `src/`: (file relative to `src/`, from module, to module).
fn arrows(modules: &BTreeSet<String>) -> Vec<(String, String, String)> {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut arrows = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let from = module_of(relative);
        let text = std::fs::read_to_string(&file).expect("read source");
        let prefix = if from == "main" {
            "netorigin::"
        } else {
            "crate::"
        };
        for to in imports(&text, prefix) {
            if to != from && modules.contains(&to) {
                let name = relative.to_string_lossy().replace('\\', "/");
                arrows.push((name, from.clone(), to));
            }
        }
    }
    arrows
}

fn top_level_modules() -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src")).expect("read src") {
        let relative = PathBuf::from(entry.expect("entry").file_name());
        let name = module_of(&relative);
        if name != "lib" {
            modules.insert(name);
        }
    }
    modules
}

#[test]
fn every_module_stands_in_one_layer() {
    let modules = top_level_modules();
    let mut placed = BTreeSet::new();
    for name in layers().into_iter().flatten() {
        assert!(placed.insert(name.clone()), "{name} stands in two layers");
    }
    assert_eq!(
        placed, modules,
        "the layers block of ARCHITECTURE.md and the modules of src/ differ"
    );
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let layer: BTreeMap<String, usize> = layers()
        .into_iter()
        .enumerate()
        .flat_map(|(i, names)| names.into_iter().map(move |n| (n, i)))
        .collect();
    let modules = layer.keys().cloned().collect();
    let mut upward = Vec::new();
    let mut used = BTreeSet::new();
    for (file, from, to) in arrows(&modules) {
        if layer[&to] <= layer[&from] {
            continue;
        }
        match ALLOWED.iter().position(|(f, t, _)| *f == file && *t == to) {
            Some(i) => {
                used.insert(i);
            }
            None => upward.push(format!("src/{file} ({from}) uses {to}, a layer above")),
        }
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
    for (i, (file, to, why)) in ALLOWED.iter().enumerate() {
        assert!(
            used.contains(&i),
            "allowed exception src/{file} -> {to} ({why}) is no longer needed"
        );
    }
}

#[test]
fn no_cycle_between_top_level_modules() {
    let modules = top_level_modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, from, to) in arrows(&modules) {
        // An allowed exception runs up a layer, so it closes a loop by definition.
        if !ALLOWED.iter().any(|(f, t, _)| *f == file && *t == to) {
            edges.entry(from).or_default().insert(to);
        }
    }
    // Depth-first search; a module met again on the current path closes a cycle.
    fn visit(
        at: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut cycle = path[i..].to_vec();
            cycle.push(at.to_owned());
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_owned());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(at.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for module in &modules {
        if let Some(cycle) = visit(module, &edges, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn imports_are_read_from_paths_and_groups_not_comments() {
    let text = "use crate::wire::Oid;\n\
                // use crate::cli::Args;\n\
                use crate::{\n    device::Device,\n    snmp::{walk::WalkEnd, Session},\n};\n\
                let x = $crate::report::y; let n = crate::text::clean(s);";
    let found: Vec<String> = imports(text, "crate::").into_iter().collect();
    assert_eq!(found, ["device", "snmp", "text", "wire"]);
}
