//! The house's shape, read from the source (docs/ARCHITECTURE.md):
//!
//! - no import circle inside any crate: in every folder, the modules side by
//!   side (each with everything inside it) use each other without a circle,
//!   so each can be read, tested and moved knowing only those below it;
//! - the web app's layers point down: session and http at the bottom, then
//!   auth, api, ws, the client's state, and the views on top.
//!
//! Between crates the compiler holds the arrows (storage ← domain ← server;
//! `.ci/run` checks what each crate's dependency tree may not name).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod modules;

use std::collections::BTreeMap;
use std::path::Path;

use modules::{Crate, ModPath};

/// Every crate of the workspace, by its root file.
const CRATES: &[&str] = &[
    "crates/protocol/src/lib.rs",
    "crates/storage/src/lib.rs",
    "crates/domain/src/lib.rs",
    "crates/server/src/lib.rs",
    "crates/loadgen/src/main.rs",
    "frontend/src/main.rs",
    "tests/harness/lib.rs",
];

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn no_crate_has_an_import_circle() {
    let mut circles = Vec::new();
    for root in CRATES {
        let krate = Crate::read(&workspace().join(root));
        for circle in circles_in(&krate) {
            circles.push(format!("{root}: {}", circle.members.join(" ⇄ ")));
            circles.extend(circle.edges.iter().map(|edge| format!("    {edge}")));
        }
    }
    assert!(
        circles.is_empty(),
        "modules that use each other in a circle (break it by moving what they share below them):\n{}",
        circles.join("\n")
    );
}

/// The web app's layers, lowest first, and what each may not name.
#[test]
fn the_web_apps_layers_point_down() {
    const VIEWS: &[&str] = &["components", "pages", "app"];
    let above = |names: &[&'static str]| -> Vec<&'static str> {
        names.iter().chain(VIEWS).copied().collect()
    };
    let rules: &[(&str, Vec<&str>)] = &[
        (
            "session",
            above(&["http", "auth", "api", "ws", "chat", "state"]),
        ),
        (
            "http",
            above(&["session", "auth", "api", "ws", "chat", "state"]),
        ),
        ("auth", above(&["api", "ws", "chat", "state"])),
        ("api", above(&["ws", "chat", "state"])),
        ("ws", above(&["api", "chat", "state"])),
        ("chat", above(&[])),
        ("state", above(&[])),
        ("read_pacer", above(&[])),
    ];
    let web = Crate::read(&workspace().join("frontend/src/main.rs"));
    let mut wrong = Vec::new();
    for (layer, forbidden) in rules {
        for (module, targets) in &web.uses {
            if module.first().map(String::as_str) != Some(layer) {
                continue;
            }
            for target in targets.keys() {
                if let Some(top) = target.first()
                    && forbidden.contains(&top.as_str())
                {
                    wrong.push(format!("{} uses {}", module.join("::"), target.join("::")));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the web app's layers point up:\n{}",
        wrong.join("\n")
    );
}

/// A check that finds nothing proves nothing unless it can find something:
/// a circle written on purpose in a scratch crate is found.
#[test]
fn a_circle_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("rooms")).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "mod rooms;\nmod messages;\nmod access;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("rooms/mod.rs"),
        "mod membership;\npub fn find() { crate::access::check(); }\n",
    )
    .unwrap();
    // Grouped, nested and `super::super::` paths all count.
    std::fs::write(
        src.join("rooms/membership.rs"),
        "use super::super::{access, messages::{self, shown}};\n",
    )
    .unwrap();
    std::fs::write(
        src.join("messages.rs"),
        "pub fn post() { super::rooms::find(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("access.rs"), "pub fn check() {}\n").unwrap();
    let circles = circles_in(&Crate::read(&src.join("lib.rs")));
    let members: Vec<_> = circles.iter().map(|c| c.members.clone()).collect();
    assert_eq!(
        members,
        vec![vec!["messages".to_owned(), "rooms".to_owned()]]
    );
}

/// Modules side by side that use each other in a circle, and which uses
/// close it (one example each).
struct Circle {
    members: Vec<String>,
    edges: Vec<String>,
}

/// The circles among modules side by side, at every level of the crate.
fn circles_in(krate: &Crate) -> Vec<Circle> {
    let mut found = Vec::new();
    let mut parents: Vec<ModPath> = vec![Vec::new()];
    while let Some(parent) = parents.pop() {
        let children = krate.children(&parent);
        if children.len() > 1 {
            let graph = sibling_graph(krate, &parent, &children);
            for component in strongly_connected(&graph) {
                if component.len() > 1 {
                    let edges = component
                        .iter()
                        .flat_map(|from| graph[from].iter().map(move |(to, why)| (from, to, why)))
                        .filter(|(_, to, _)| component.contains(to))
                        .map(|(from, to, (a, b))| {
                            format!(
                                "{} → {} ({} names {b})",
                                from.join("::"),
                                to.join("::"),
                                a.join("::"),
                            )
                        })
                        .collect();
                    found.push(Circle {
                        members: component.iter().map(|m| m.join("::")).collect(),
                        edges,
                    });
                }
            }
        }
        parents.extend(children);
    }
    found.sort_by(|a, b| a.members.cmp(&b.members));
    found
}

/// For each child it names, one use that names it: (the module that
/// names, the path as written).
type Edges = BTreeMap<ModPath, BTreeMap<ModPath, (ModPath, String)>>;

/// Child `a` → child `b` when anything inside `a` names anything inside `b`.
fn sibling_graph(krate: &Crate, parent: &[String], children: &[ModPath]) -> Edges {
    let child_of = |module: &ModPath| -> Option<ModPath> {
        (module.len() > parent.len() && module.starts_with(parent))
            .then(|| module[..=parent.len()].to_vec())
    };
    let mut graph: Edges = children
        .iter()
        .map(|c| (c.clone(), BTreeMap::new()))
        .collect();
    for (module, targets) in &krate.uses {
        let Some(from) = child_of(module) else {
            continue;
        };
        for (target, written) in targets {
            if let Some(to) = child_of(target)
                && to != from
            {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| (module.clone(), written.clone()));
            }
        }
    }
    graph
}

/// The graph's strongly connected components (petgraph's Tarjan), each
/// sorted.
fn strongly_connected(graph: &Edges) -> Vec<Vec<ModPath>> {
    let mut modules = petgraph::graphmap::DiGraphMap::<&ModPath, ()>::new();
    for (from, targets) in graph {
        modules.add_node(from);
        for to in targets.keys() {
            modules.add_edge(from, to, ());
        }
    }
    petgraph::algo::tarjan_scc(&modules)
        .into_iter()
        .map(|component| {
            let mut component: Vec<ModPath> = component.into_iter().cloned().collect();
            component.sort();
            component
        })
        .collect()
}
