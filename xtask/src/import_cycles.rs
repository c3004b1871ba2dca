//! No file imports another that imports it back, directly or through others: in each crate, the
//! graph of its files (one module each) with an edge wherever a file names another's path —
//! `use crate::a::b`, `crate::a::f()`, `super::x`, groups `{a, b::c}` — must have no cycle. A
//! name a module re-exports (`pub use inner::Name`) leads to the file that defines it, so a
//! crate root re-exporting its modules' types makes no cycle. Code under `#[cfg(test)] mod` is
//! left out. `cargo xtask test` checks in tier 0 that the engine (worker and core), the model,
//! the space rules (`linli-core`'s `participation`) and the app with its pages have none, and
//! names the cycles left elsewhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate's files: module path (`""` for the root, `a::b`) → its source, test modules cut off.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(src).expect("under src").to_path_buf();
            if path.is_dir() {
                // Binaries are crates of their own.
                if relative != Path::new("bin") {
                    stack.push(path);
                }
                continue;
            }
            // Test modules (`mod tests;` under `#[cfg(test)]`) are test code, not the crate's.
            if path.extension().is_some_and(|e| e == "rs")
                && let Some(name) = module_name(&relative)
                && name.rsplit("::").next() != Some("tests")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                found.insert(name, without_tests(&text));
            }
        }
    }
    found
}

fn module_name(relative: &Path) -> Option<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if parts.is_empty() && (stem == "lib" || stem == "main") {
        return Some(String::new());
    }
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    Some(parts.join("::"))
}

/// The source without comments and without a `#[cfg(test)] mod …` and what follows it.
fn without_tests(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let next = lines[i + 1..].iter().map(|l| l.trim()).find(|l| !l.is_empty()).unwrap_or("");
        if trimmed == "#[cfg(test)]" && (next.starts_with("mod ") || next.starts_with("pub mod ")) {
            break;
        }
        kept.push(line.split("//").next().unwrap_or(""));
    }
    kept.join("\n")
}

/// A path named in a file: where it starts (`crate` or `super` of a module) and its segments.
fn paths_named(module: &str, text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let bytes = text.as_bytes();
    for (start, key) in [("crate::", Anchor::Crate), ("super::", Anchor::Super), ("self::", Anchor::Itself)] {
        let mut from = 0;
        while let Some(at) = text[from..].find(start) {
            let begin = from + at;
            from = begin + start.len();
            let before = if begin == 0 { b' ' } else { bytes[begin - 1] };
            if before.is_ascii_alphanumeric() || before == b'_' || before == b'$' || before == b':' {
                continue;
            }
            // `super::super::x` is read from the first `super`.
            if key == Anchor::Super && begin >= 7 && &text[begin - 7..begin] == "super::" {
                continue;
            }
            let base: Vec<String> = match key {
                Anchor::Crate => Vec::new(),
                Anchor::Super => parent(module),
                Anchor::Itself => module.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            };
            let mut rest = &text[from..];
            let mut base = base;
            while let Some(more) = rest.strip_prefix("super::") {
                base = parent(&base.join("::"));
                rest = more;
            }
            for tail in use_tree(rest) {
                let mut path = base.clone();
                path.extend(tail);
                paths.push(path);
            }
        }
    }
    paths
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Crate,
    Super,
    Itself,
}

fn parent(module: &str) -> Vec<String> {
    let mut parts: Vec<String> = if module.is_empty() { Vec::new() } else { module.split("::").map(str::to_owned).collect() };
    parts.pop();
    parts
}

/// The paths of a use tree at the start of `text`: `a::b::C`, `a::{b, c::D}`, `{a, b}`.
fn use_tree(text: &str) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..matching_brace(group)];
            return split_top_level(inner)
                .into_iter()
                .flat_map(|item| {
                    use_tree(item).into_iter().map(|tail| {
                        let mut path = prefix.clone();
                        path.extend(tail);
                        path
                    })
                })
                .collect();
        }
        let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if ident.is_empty() {
            return vec![prefix];
        }
        rest = &rest[ident.len()..];
        if ident != "self" {
            prefix.push(ident);
        }
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => return vec![prefix],
        }
    }
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// Whether `text` names its child module `child` by a bare path (`child::f()`, `use child::T`).
fn names_child(text: &str, child: &str) -> bool {
    let pattern = format!("{child}::");
    let bytes = text.as_bytes();
    text.match_indices(&pattern).any(|(at, _)| at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':'))
}

/// Names each module re-exports (`pub use …`, `pub(crate) use …`) → the path they come from
/// (`None`: from another crate).
fn re_exports(modules: &BTreeMap<String, String>) -> BTreeMap<(String, String), Option<Vec<String>>> {
    let mut found = BTreeMap::new();
    for (module, text) in modules {
        let here: Vec<String> = module.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
        for statement in text.split(';') {
            let statement = statement.trim_start();
            let tree = ["pub use ", "pub(crate) use "].iter().find_map(|p| statement.strip_prefix(p));
            let Some(tree) = tree else { continue };
            let tree = tree.trim_start();
            let (base, tree) = match tree.strip_prefix("crate::") {
                Some(rest) => (Vec::new(), rest),
                None => match tree.strip_prefix("super::") {
                    Some(rest) => (parent(module), rest),
                    None => (here.clone(), tree.strip_prefix("self::").unwrap_or(tree)),
                },
            };
            for path in use_tree(tree) {
                let Some(name) = path.last().cloned() else { continue };
                let mut full = base.clone();
                full.extend(path.iter().cloned());
                let ours = (1..=full.len()).any(|n| modules.contains_key(&full[..n].join("::")));
                found.insert((module.clone(), name), ours.then_some(full));
            }
        }
    }
    found
}

/// The file a path leads to: its longest prefix that is a module, through re-exports (`None`:
/// a name another crate defines).
fn resolve(path: &[String], modules: &BTreeMap<String, String>, exports: &BTreeMap<(String, String), Option<Vec<String>>>) -> Option<String> {
    let mut path = path.to_vec();
    for _ in 0..8 {
        let (module, next) = (1..=path.len()).rev().map(|n| (path[..n].join("::"), path.get(n))).find(|(m, _)| modules.contains_key(m)).unwrap_or((String::new(), path.first()));
        match next.and_then(|name| exports.get(&(module.clone(), name.clone()))) {
            Some(None) => return None,
            Some(Some(source)) if source != &path => path = source.clone(),
            _ => return Some(module),
        }
    }
    None
}

/// Every cycle of imports among one crate's files (each listed once, from its least module).
pub fn cycles(src: &Path) -> Vec<Vec<String>> {
    let modules = modules(src);
    let exports = re_exports(&modules);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &modules {
        let children = modules.keys().filter(|m| parent(m).join("::") == *module && !m.is_empty() && *m != module);
        let named_children: Vec<Vec<String>> =
            children.filter(|child| names_child(text, child.rsplit("::").next().unwrap_or(child))).map(|child| child.split("::").map(str::to_owned).collect()).collect();
        for path in paths_named(module, text).into_iter().chain(named_children) {
            let Some(target) = resolve(&path, &modules, &exports) else { continue };
            if target != *module {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    let mut found = BTreeSet::new();
    for start in modules.keys() {
        // Shortest way back to `start`, breadth first.
        let mut previous: BTreeMap<String, String> = BTreeMap::new();
        let mut frontier = vec![start.clone()];
        'search: while !frontier.is_empty() {
            let mut next = Vec::new();
            for node in frontier {
                for target in edges.get(&node).into_iter().flatten() {
                    if target == start {
                        let mut cycle = vec![node.clone()];
                        let mut at = node.clone();
                        while let Some(p) = previous.get(&at) {
                            cycle.push(p.clone());
                            at = p.clone();
                        }
                        cycle.reverse();
                        let least = cycle.iter().enumerate().min_by_key(|(_, m)| (*m).clone()).map(|(i, _)| i).unwrap_or(0);
                        cycle.rotate_left(least);
                        found.insert(cycle);
                        break 'search;
                    }
                    if target != start && !previous.contains_key(target) {
                        previous.insert(target.clone(), node.clone());
                        next.push(target.clone());
                    }
                }
            }
            frontier = next;
        }
    }
    found.into_iter().collect()
}

/// Every crate's source folder in the workspace.
pub fn crate_sources(root: &Path) -> Vec<PathBuf> {
    let mut sources = vec![root.join("src"), root.join("xtask/src")];
    if let Ok(entries) = std::fs::read_dir(root.join("crates")) {
        let mut crates: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("src")).filter(|p| p.is_dir()).collect();
        crates.sort();
        sources.extend(crates);
    }
    sources
}

/// Where no cycle may be: whole crates, or the cycles that pass through a part of one.
fn guarded(src: &str, cycle: &[String]) -> bool {
    match src {
        "crates/engine/src" | "crates/engine-core/src" | "crates/model/src" => true,
        "crates/core/src" => cycle.iter().any(|m| m.starts_with("participation")),
        "src" => cycle.iter().any(|m| m == "app" || m.starts_with("pages")),
        _ => false,
    }
}

/// Every cycle, by crate, and whether it is in a guarded place.
fn all_cycles(root: &Path) -> Vec<(String, Vec<String>, bool)> {
    let mut found = Vec::new();
    for src in crate_sources(root) {
        let name = src.strip_prefix(root).unwrap_or(&src).display().to_string();
        for cycle in cycles(&src) {
            let guarded = guarded(&name, &cycle);
            found.push((name.clone(), cycle, guarded));
        }
    }
    found
}

fn shown(src: &str, cycle: &[String]) -> String {
    let names: Vec<&str> = cycle.iter().map(|m| if m.is_empty() { "(root)" } else { m.as_str() }).collect();
    format!("{src}: {} → back", names.join(" → "))
}

/// Fails, naming each cycle, if a guarded place has one; prints the others still left.
pub fn check(root: &Path) -> Result<(), String> {
    let found = all_cycles(root);
    let left: Vec<String> = found.iter().filter(|(_, _, g)| !*g).map(|(s, c, _)| shown(s, c)).collect();
    if !left.is_empty() {
        println!("import cycles left outside the guarded places ({}):\n  {}", left.len(), left.join("\n  "));
    }
    let broken: Vec<String> = found.iter().filter(|(_, _, g)| *g).map(|(s, c, _)| shown(s, c)).collect();
    if broken.is_empty() { Ok(()) } else { Err(format!("files that import each other in a circle:\n  {}", broken.join("\n  "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> tempdir::Dir {
        let dir = tempdir::Dir::new();
        for (name, text) in files {
            let path = dir.0.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let path = std::env::temp_dir().join(format!("linli-cycles-{}-{:?}", std::process::id(), std::thread::current().id()));
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(&path).unwrap();
                Dir(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn the_engine_the_model_the_rules_and_the_app_with_its_pages_import_nothing_in_a_circle() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
        assert_eq!(check(root), Ok(()));
    }

    #[test]
    fn a_circle_through_uses_groups_and_super_is_found_and_re_exports_are_not_one() {
        let dir = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\npub use a::Apple;\n"),
            ("a.rs", "use crate::{b::{self, Bee}};\npub struct Apple;\n"),
            ("b.rs", "use crate::Apple; // through the root: a\npub fn f() { crate::c::g() }\n"),
            ("c.rs", "pub fn g() {}\n#[cfg(test)]\nmod tests {\n    use super::super::a::Apple;\n}\n"),
        ]);
        assert_eq!(cycles(&dir.0), vec![vec!["a".to_owned(), "b".to_owned()]]);
        let dir = crate_of(&[("lib.rs", "mod m;\npub use m::T;\n"), ("m/mod.rs", "mod n;\npub struct T;\n"), ("m/n.rs", "use super::T;\n// crate::lib::x in a comment\n")]);
        assert_eq!(cycles(&dir.0), Vec::<Vec<String>>::new());
        let dir = crate_of(&[("lib.rs", "mod m;\n"), ("m/mod.rs", "mod n;\nfn f() { n::g() }\nuse self::n::g;\n"), ("m/n.rs", "pub fn g() { super::h() }\n")]);
        assert_eq!(cycles(&dir.0), vec![vec!["m".to_owned(), "m::n".to_owned()]]);
    }
}
