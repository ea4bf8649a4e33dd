//! Items: the unit of data between nodes, in n8n's `{json, binary?, pairedItem?, error?}` shape.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One item flowing between nodes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub json: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_item: Option<PairedItem>,
    /// Set on items that carry a per-item error (routed to the error output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

impl Item {
    pub fn new(json: Map<String, Value>) -> Self {
        Self {
            json,
            ..Self::default()
        }
    }

    /// Reads an item given by a caller: `{"json": {…}, "binary"?: …}` as is, a plain object as its
    /// `json`. Anything else is refused with the reason.
    pub fn from_input(value: Value) -> Result<Self, String> {
        match value {
            Value::Object(map) if map.get("json").is_some_and(Value::is_object) => {
                serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())
            }
            Value::Object(map) => Ok(Self::new(map)),
            other => Err(format!("must be an object, got {other}")),
        }
    }

    /// Wraps a JSON value: an object becomes the item's `json`; anything else lands under `data`.
    pub fn from_value(value: Value) -> Self {
        match value {
            Value::Object(map) => Self::new(map),
            other => {
                let mut map = Map::new();
                map.insert("data".into(), other);
                Self::new(map)
            }
        }
    }
}

/// Which input item(s) an output item came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PairedItem {
    One(PairedItemRef),
    Many(Vec<PairedItemRef>),
    /// Old workflows store a bare index.
    Index(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedItemRef {
    pub item: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<u32>,
}

impl PairedItem {
    pub fn item(item: usize) -> Self {
        Self::One(PairedItemRef {
            item: item as u32,
            input: None,
        })
    }
}

/// A node's inputs by index: `None` where nothing arrived, `Some(vec![])` for an empty run.
pub type Inputs = Vec<Option<Vec<Item>>>;

/// A node's outputs by index.
pub type Outputs = Vec<Vec<Item>>;
