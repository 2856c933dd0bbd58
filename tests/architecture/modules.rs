//! A crate's source read as the compiler reads its modules: from the crate
//! root through every `mod name;` to its file, each file parsed (by `syn`,
//! so grouped `use` lists, `super::super::` and inline paths are all seen),
//! and every path the code names resolved to the module of this crate it
//! points into.
//!
//! Test code (`#[cfg(test)]` modules) is left out: a test may reach
//! anything it tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's place in its crate: `["routes", "auth"]` for
/// `crate::routes::auth`; the root is `[]`.
pub type ModPath = Vec<String>;

/// Every module of one crate and the modules each one names.
pub struct Crate {
    /// The modules, each with the modules of this crate its code names
    /// (itself excluded), and one path as written that names it.
    pub uses: BTreeMap<ModPath, BTreeMap<ModPath, String>>,
}

impl Crate {
    /// Reads the crate whose root file is `root` (`src/lib.rs`, `src/main.rs`).
    pub fn read(root: &Path) -> Self {
        let mut files = BTreeMap::new();
        collect(root, Vec::new(), true, &mut files);
        let modules: BTreeSet<ModPath> = files.keys().cloned().collect();
        let uses = files
            .into_iter()
            .map(|(module, named)| {
                let mut targets = BTreeMap::new();
                for path in &named {
                    if let Some(target) = resolve(&module, path, &modules)
                        && target != module
                    {
                        targets.entry(target).or_insert_with(|| path.join("::"));
                    }
                }
                (module, targets)
            })
            .collect();
        Self { uses }
    }

    /// The modules directly inside `parent`.
    pub fn children(&self, parent: &[String]) -> Vec<ModPath> {
        self.uses
            .keys()
            .filter(|m| m.len() == parent.len() + 1 && m.starts_with(parent))
            .cloned()
            .collect()
    }
}

/// Parses `file` (the module at `module`) and the files of the modules it
/// declares; records the paths each names. `owns_dir` says where its child
/// files live: beside a crate root or `mod.rs`, or in a folder of its name.
fn collect(
    file: &Path,
    module: ModPath,
    owns_dir: bool,
    out: &mut BTreeMap<ModPath, Vec<Vec<String>>>,
) {
    let source = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let parsed =
        syn::parse_file(&source).unwrap_or_else(|e| panic!("cannot parse {}: {e}", file.display()));
    let dir: PathBuf = if owns_dir {
        file.parent().expect("a file has a folder").to_path_buf()
    } else {
        file.with_extension("")
    };
    let mut names = Names::default();
    for item in &parsed.items {
        if let syn::Item::Mod(declared) = item {
            if is_test_only(&declared.attrs) {
                continue;
            }
            let mut child = module.clone();
            child.push(declared.ident.to_string());
            match &declared.content {
                // An inline module: part of this file's code.
                Some((_, items)) => {
                    for inner in items {
                        names.visit_item(inner);
                    }
                }
                None => {
                    let name = declared.ident.to_string();
                    let flat = dir.join(format!("{name}.rs"));
                    let nested = dir.join(&name).join("mod.rs");
                    if flat.exists() {
                        collect(&flat, child, false, out);
                    } else if nested.exists() {
                        collect(&nested, child, true, out);
                    } else {
                        panic!("no file for `mod {name};` in {}", file.display());
                    }
                }
            }
        } else {
            names.visit_item(item);
        }
    }
    out.insert(module, names.paths);
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// Every path a file's code names: `use` trees flattened to one path per
/// leaf, and every path in expressions, types and patterns.
#[derive(Default)]
struct Names {
    paths: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for Names {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // A test module inside a file: left out, like test files.
        if !is_test_only(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        flatten(&item.tree, Vec::new(), &mut self.paths);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            self.paths.push(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

fn flatten(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let with = |name: &syn::Ident| {
        let mut path = prefix.clone();
        path.push(name.to_string());
        path
    };
    match tree {
        syn::UseTree::Path(p) => flatten(&p.tree, with(&p.ident), out),
        syn::UseTree::Name(n) if n.ident == "self" => out.push(prefix),
        syn::UseTree::Name(n) => out.push(with(&n.ident)),
        syn::UseTree::Rename(r) => out.push(with(&r.ident)),
        syn::UseTree::Glob(_) => out.push(prefix),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten(item, prefix.clone(), out);
            }
        }
    }
}

/// The module of this crate a path named in `from` points into: the longest
/// known module that prefixes it, once `crate::`, `self::` and `super::` are
/// taken into account (a bare first segment may name a child module, as
/// `use child::Item;` does). `None` for other crates and local names.
fn resolve(from: &[String], path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let mut base: ModPath = from.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let mut child = base.clone();
            child.push(first.to_owned());
            if !modules.contains(&child) {
                return None;
            }
        }
        None => return None,
    }
    let mut found = base.clone();
    let mut current = base;
    for segment in rest {
        current.push(segment.clone());
        if modules.contains(&current) {
            found = current.clone();
        } else {
            break;
        }
    }
    Some(found)
}
