//! The workflow as the executor walks it: nodes by name, main edges by source and by target.

use std::collections::{HashMap, HashSet};

use crate::workflow::{Node, WorkflowDefinition};

pub const STICKY_NOTE: &str = "n8n-nodes-base.stickyNote";

/// One main edge out of a node output.
#[derive(Debug, Clone)]
pub struct Edge {
    pub target: String,
    pub input: usize,
}

pub struct Graph<'w> {
    nodes: HashMap<&'w str, &'w Node>,
    /// `children[source][output]` = the edges leaving that output, in connection order.
    children: HashMap<&'w str, Vec<Vec<Edge>>>,
    /// Highest wired main input index + 1, per target node.
    wired_inputs: HashMap<String, usize>,
    /// Direct main parents of each node.
    parents: HashMap<String, Vec<String>>,
    /// Main edges into each node: `(source, source output, input)`.
    incoming: HashMap<String, Vec<(String, usize, usize)>>,
}

impl<'w> Graph<'w> {
    pub fn new(def: &'w WorkflowDefinition) -> Self {
        let nodes: HashMap<&str, &Node> =
            def.nodes().iter().map(|n| (n.name.as_str(), n)).collect();
        let mut children: HashMap<&str, Vec<Vec<Edge>>> = HashMap::new();
        let mut wired_inputs: HashMap<String, usize> = HashMap::new();
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        let mut incoming: HashMap<String, Vec<(String, usize, usize)>> = HashMap::new();
        for (source, by_type) in def.connections() {
            let Some((source, _)) = nodes.get_key_value(source.as_str()) else {
                continue;
            };
            let Some(outputs) = by_type.get("main") else {
                continue;
            };
            let edges = outputs
                .iter()
                .enumerate()
                .map(|(output, targets)| {
                    targets
                        .iter()
                        .flatten()
                        .filter(|t| nodes.contains_key(t.node.as_str()))
                        .map(|t| {
                            let input = t.index as usize;
                            incoming.entry(t.node.clone()).or_default().push((
                                (*source).to_owned(),
                                output,
                                input,
                            ));
                            let wired = wired_inputs.entry(t.node.clone()).or_insert(0);
                            *wired = (*wired).max(input + 1);
                            let p = parents.entry(t.node.clone()).or_default();
                            if !p.iter().any(|x| x == source) {
                                p.push((*source).to_owned());
                            }
                            Edge {
                                target: t.node.clone(),
                                input,
                            }
                        })
                        .collect()
                })
                .collect();
            children.insert(source, edges);
        }
        Self {
            nodes,
            children,
            wired_inputs,
            parents,
            incoming,
        }
    }

    pub fn node(&self, name: &str) -> Option<&'w Node> {
        self.nodes.get(name).copied()
    }

    pub fn children(&self, name: &str) -> &[Vec<Edge>] {
        self.children.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn wired_inputs(&self, name: &str) -> usize {
        self.wired_inputs.get(name).copied().unwrap_or(0)
    }

    /// Direct main parents of `name`, in connection order.
    pub fn parents(&self, name: &str) -> &[String] {
        self.parents.get(name).map_or(&[], Vec::as_slice)
    }

    /// Main edges into `name`: `(source, source output, input)`.
    pub fn incoming(&self, name: &str) -> &[(String, usize, usize)] {
        self.incoming.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn has_parents(&self, name: &str) -> bool {
        self.parents.get(name).is_some_and(|p| !p.is_empty())
    }

    /// All main ancestors of `name` (not including itself).
    pub fn ancestors(&self, name: &str) -> HashSet<&str> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo: Vec<&str> = vec![name];
        while let Some(n) = todo.pop() {
            for p in self.parents.get(n).into_iter().flatten() {
                if seen.insert(p.as_str()) {
                    todo.push(p.as_str());
                }
            }
        }
        seen.remove(name);
        seen
    }

    /// The canvas position `[x, y]` of a node (`[0, 0]` when absent).
    pub fn position(&self, name: &str) -> (f64, f64) {
        let pos = self
            .node(name)
            .and_then(|n| n.extra.get("position"))
            .and_then(|p| p.as_array());
        let coord = |i: usize| {
            pos.and_then(|p| p.get(i))
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0)
        };
        (coord(0), coord(1))
    }
}
