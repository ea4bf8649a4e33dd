//! Scheduling: which node runs next — children after a node ran (v1 depth-first by canvas
//! position, v0 breadth-first), multi-input nodes waiting for their parents, and the release
//! of a waiting node with partial input once nothing else can run.

use crate::run::data::SourceData;
use crate::run::item::{Inputs, Item, Outputs};
use crate::run::node_type::RequiredInputs;
use crate::workflow::Node;

use super::{Entry, ExecutionOrder, Executor, Slot};

impl Executor<'_> {
    pub(super) fn enqueue_children(&mut self, node: &Node, outputs: &Outputs, run_index: u32) {
        let mut picked = Vec::new();
        let none: Vec<Item> = Vec::new();
        for (out_index, edges) in self.graph.children(&node.name).iter().enumerate() {
            let data = outputs.get(out_index).unwrap_or(&none);
            for edge in edges {
                let wake = !data.is_empty() || (self.order == ExecutionOrder::V0 && edge.input > 0);
                if wake {
                    picked.push((edge.clone(), out_index, data));
                }
            }
        }
        if self.order == ExecutionOrder::V1 {
            // Top-most (then left-most) child ends up first on the stack and runs next.
            picked.sort_by(|a, b| {
                let (ax, ay) = self.graph.position(&a.0.target);
                let (bx, by) = self.graph.position(&b.0.target);
                by.total_cmp(&ay).then(bx.total_cmp(&ax))
            });
        }
        for (edge, out_index, data) in picked {
            let source = SourceData {
                previous_node: node.name.clone(),
                previous_node_output: out_index as u32,
                previous_node_run: run_index,
            };
            self.add_to_be_executed(&edge.target, edge.input, data.clone(), source);
        }
    }

    fn enqueue(&mut self, entry: Entry) {
        match self.order {
            ExecutionOrder::V1 => self.stack.push_front(entry),
            ExecutionOrder::V0 => self.stack.push_back(entry),
        }
    }

    fn add_to_be_executed(
        &mut self,
        target: &str,
        input: usize,
        data: Vec<Item>,
        source: SourceData,
    ) {
        let wired = self.graph.wired_inputs(target);
        if wired <= 1 {
            let mut inputs: Inputs = vec![None; input];
            inputs.push(Some(data));
            self.enqueue(Entry {
                node: target.to_owned(),
                inputs,
                source: vec![Some(source)],
            });
            return;
        }
        let was_waiting = self.waiting.iter().any(|(n, _)| n == target);
        let pos = match self.waiting.iter().position(|(n, _)| n == target) {
            Some(p) => p,
            None => {
                self.waiting.push((target.to_owned(), Vec::new()));
                self.waiting.len() - 1
            }
        };
        let slots = &mut self.waiting[pos].1;
        let slot_index = match slots.iter().position(|s| s.inputs[input].is_none()) {
            Some(i) => i,
            None => {
                slots.push(Slot {
                    inputs: vec![None; wired],
                    source: vec![None; wired],
                });
                slots.len() - 1
            }
        };
        let slot = &mut slots[slot_index];
        slot.inputs[input] = Some(data);
        slot.source[input] = Some(source.clone());
        if slot.inputs.iter().all(Option::is_some) {
            let slot = slots.remove(slot_index);
            if slots.is_empty() {
                self.waiting.remove(pos);
            }
            self.enqueue(Entry {
                node: target.to_owned(),
                inputs: slot.inputs,
                source: slot.source,
            });
        } else if self.order == ExecutionOrder::V0 && !was_waiting {
            self.force_other_parents(target, &source);
        }
    }

    /// Legacy v0 "force input node execution": when a multi-input node first gets data on one
    /// input, the highest not-yet-run ancestor of each of its other parents is started (with one
    /// empty item), so that, for example, a second unconnected start node feeds its input.
    fn force_other_parents(&mut self, target: &str, source: &SourceData) {
        let parent = source.previous_node.as_str();
        let siblings: Vec<String> = self
            .graph
            .children(parent)
            .iter()
            .flatten()
            .map(|e| e.target.clone())
            .collect();
        let scheduled = |me: &Self, name: &str| {
            me.run_data.contains_key(name) || me.stack.iter().any(|e| e.node == name)
        };
        for other in self.graph.parents(target).to_vec() {
            if other == parent || siblings.contains(&other) || scheduled(self, &other) {
                continue;
            }
            let mut pick = Some(other.clone());
            let mut current = other.clone();
            while let Some(up) = self.graph.parents(&current).first().cloned() {
                if up == parent || siblings.contains(&up) || self.stack.iter().any(|e| e.node == up)
                {
                    pick = None;
                    break;
                }
                if self.run_data.contains_key(&up) {
                    break;
                }
                current = up.clone();
                pick = Some(up);
            }
            let Some(pick) = pick else { continue };
            // Start it only if nothing will feed its first input: each source of input 0 has
            // not run, or its last run sent nothing on that output.
            let fed = self
                .graph
                .incoming(&pick)
                .iter()
                .filter(|(_, _, input)| *input == 0)
                .any(|(src, out, _)| {
                    self.run_data
                        .get(src)
                        .and_then(|runs| runs.last())
                        .and_then(|run| run.data.as_ref())
                        .and_then(|d| d.main.get(*out))
                        .is_some_and(|items| !items.is_empty())
                });
            if fed || scheduled(self, &pick) {
                continue;
            }
            self.stack.push_back(Entry {
                node: pick,
                inputs: vec![Some(vec![Item::default()])],
                source: vec![Some(source.clone())],
            });
        }
    }

    /// Once nothing else can run, lets one waiting multi-input node run with what it has.
    pub(super) fn release_waiting(&mut self) {
        let mut i = 0;
        while i < self.waiting.len() {
            let name = self.waiting[i].0.clone();
            let Some(node) = self.graph.node(&name) else {
                self.waiting.remove(i);
                continue;
            };
            let node_type = self
                .registry
                .get(&node.node_type, node.type_version.as_f64().unwrap_or(0.0));
            let declared = node_type.map_or(self.graph.wired_inputs(&name), |t| t.inputs(node));
            let required = match (self.order, node_type) {
                (ExecutionOrder::V1, Some(t)) => t.required_inputs(node),
                _ => RequiredInputs::Any,
            };
            let needs_all = match &required {
                RequiredInputs::Count(n) => *n >= declared,
                RequiredInputs::Indexes(v) => v.len() >= declared,
                RequiredInputs::Any => false,
            };
            let ancestors = self.graph.ancestors(&name);
            let ancestor_waiting = self
                .waiting
                .iter()
                .any(|(n, _)| ancestors.contains(n.as_str()));
            let slot = &self.waiting[i].1[0];
            let present: Vec<usize> = (0..slot.inputs.len())
                .filter(|k| slot.inputs[*k].is_some())
                .collect();
            let satisfied = match &required {
                RequiredInputs::Any => true,
                RequiredInputs::Count(n) => present.len() >= *n,
                RequiredInputs::Indexes(v) => v.iter().all(|k| present.contains(k)),
            };
            if needs_all || ancestor_waiting || !satisfied {
                i += 1;
                continue;
            }
            let slot = self.waiting[i].1.remove(0);
            if self.waiting[i].1.is_empty() {
                self.waiting.remove(i);
            }
            let mut inputs: Inputs = slot
                .inputs
                .into_iter()
                .map(|x| Some(x.unwrap_or_default()))
                .collect();
            if inputs.len() < declared {
                inputs.resize(declared, Some(Vec::new()));
            }
            if inputs.iter().flatten().any(|x| !x.is_empty()) {
                self.stack.push_back(Entry {
                    node: name,
                    inputs,
                    source: slot.source,
                });
                return;
            }
            i = 0;
        }
    }
}
